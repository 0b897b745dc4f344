// @ts-check
/**
 * `/patient/exams/{uid}/images` (and the images tab of a share): the doctor's viewer on original pixels with a
 * simpler toolbar — series thumbnails, window/level with presets, zoom/pan, length, fit and reset. It is the same
 * code as the doctor's study page (`mountViewer` in doctor/study.js), given the patient's or recipient's token.
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { errorState, loading } from '../app/ui.js';
import { mountViewer } from '../doctor/study.js';
import { viewableSeries } from '../doctor/study-model.js';
import { patientAccess, examDate } from './patient-context.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */

/**
 * Loads the exam's series and mounts the viewer in `body`; returns its teardown.
 * @param {AppContext} ctx its `api` carries the token
 * @param {HTMLElement} body
 * @param {string} uid
 * @param {object} options
 * @param {import('../app/api.js').TokenSource} options.tokens
 * @param {() => void} options.onDenied
 * @param {() => void} [options.onGone]
 * @param {Record<string, string>} [options.query]
 * @param {string | null} [options.back] the back link (none inside a share)
 * @param {string | null} [options.report] the report link, when there is one
 */
export async function mountPatientViewer(ctx, body, uid, options) {
  const { t } = ctx;
  const [study, seriesPage] = await Promise.all([
    ctx.api.get(`/api/v1/studies/${encodeURIComponent(uid)}`),
    ctx.api.get(`/api/v1/studies/${encodeURIComponent(uid)}/series`),
  ]);
  const series = viewableSeries(seriesPage.items);
  if (series.length === 0) {
    replace(body, h('div', { class: 'state state-arriving', testid: 'study-arriving' }, h('h2', null, t('study.arrivingTitle')), h('p', null, t('patient.noImagesYet'))));
    return () => undefined;
  }
  return mountViewer(ctx, body, study, series, options.query ?? {}, {
    toolbar: 'simple', tokens: options.tokens, onDenied: options.onDenied, onGone: options.onGone,
    header: (quality, extra) => h('header', { class: 'viewer-header' },
      options.back ? h('a', { class: 'icon-btn', href: options.back, testid: 'back-to-home', title: t('action.back'), 'aria-label': t('action.back') }, icon(ICONS.back)) : null,
      h('div', { class: 'study-summary', testid: 'study-summary' },
        h('strong', null, [study.modality, study.description].filter((x) => x).join(' · ')),
        h('span', { class: 'study-what' }, examDate(study.studyDate ?? ''))),
      quality, ...extra,
      options.report ? h('a', { class: 'btn icon-text', href: options.report, testid: 'open-report' }, icon(ICONS.report, { size: 18 }), h('span', { class: 'hide-narrow' }, t('patient.report'))) : null),
  });
}

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  const uid = route.params.uid;
  const access = patientAccess(ctx);
  const body = h('div', { class: 'study-body' }, loading(t('study.loading')));
  const element = h('div', { class: 'page page-study page-patient-images' }, body);
  /** @type {(() => void) | null} */
  let teardown = null;
  let gone = false;
  const home = `/patient/exams/${encodeURIComponent(uid)}`;

  const load = async () => {
    if (!access) { ctx.navigate('/patient', { replace: true }); return; }
    replace(body, loading(t('study.loading')));
    try {
      const exam = await access.ctx.api.get(`/api/v1/patient-access/exams/${encodeURIComponent(uid)}`);
      const td = await mountPatientViewer(access.ctx, body, uid, {
        tokens: access.tokens, onDenied: access.end, query: route.query, back: home,
        report: exam.status === 'report' ? `${home}/report` : null,
      });
      if (gone) td(); else teardown = td;
    } catch (e) {
      if (gone || (e instanceof ApiError && e.kind === 'session')) return;
      replace(body, errorState(ctx, e, { onRetry: load, home: { href: home, label: t('patient.homeTitle') } }));
    }
  };
  load();
  return { element, title: t('patient.images'), destroy: () => { gone = true; teardown?.(); } };
}
