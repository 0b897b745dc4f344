// @ts-check
/**
 * `/patient/exams/{uid}/report` (and the report tab of a share): the original report file — the PDF where the
 * browser shows it inline, page images everywhere else (phones, WeChat) — with the doctor reports page's renderer
 * (`showReports` in doctor/reports.js).
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { errorState, loading } from '../app/ui.js';
import { showReports } from '../doctor/reports.js';
import { patientAccess, patientHeader } from './patient-context.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */

/**
 * Shows the exam's reports in `host` (a list when there are several, the newest first shown).
 * @param {AppContext} ctx its `api` carries the token
 * @param {HTMLElement} host
 * @param {string} uid
 * @param {string[]} objectURLs revoked by the caller
 * @param {AbortSignal} signal
 */
export async function mountPatientReport(ctx, host, uid, objectURLs, signal) {
  const page = await ctx.api.get(`/api/v1/studies/${encodeURIComponent(uid)}/reports`, undefined, { signal });
  showReports(ctx, host, page.items, { objectURLs, signal });
}

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  const uid = route.params.uid;
  const access = patientAccess(ctx);
  const controller = new AbortController();
  /** @type {string[]} */
  const objectURLs = [];
  const home = `/patient/exams/${encodeURIComponent(uid)}`;
  const body = h('div', { class: 'reports-body' }, loading(t('state.loading')));
  const element = h('div', { class: 'page page-reports page-patient-report' },
    patientHeader(ctx, { title: t('patient.report'), back: home,
      extra: [h('a', { class: 'btn icon-text', href: `${home}/images`, testid: 'open-images' }, icon(ICONS.series, { size: 18 }), h('span', { class: 'hide-narrow' }, t('patient.images')))] }),
    body);
  const load = async () => {
    if (!access) { ctx.navigate('/patient', { replace: true }); return; }
    replace(body, loading(t('state.loading')));
    try {
      await mountPatientReport(access.ctx, body, uid, objectURLs, controller.signal);
    } catch (e) {
      if (e instanceof ApiError && (e.kind === 'session' || e.kind === 'aborted')) return;
      replace(body, errorState(ctx, e, { onRetry: load, home: { href: home, label: t('patient.homeTitle') } }));
    }
  };
  load();
  return { element, title: t('patient.report'), destroy: () => { controller.abort(); for (const u of objectURLs) URL.revokeObjectURL(u); } };
}
