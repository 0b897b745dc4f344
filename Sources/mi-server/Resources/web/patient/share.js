// @ts-check
/**
 * `/s/{token}`: a shared exam, for a recipient without an account. The page opens the share (asking the access code
 * when the patient set one), keeps the recipient's session for this tab, and shows the exam read-only: its card,
 * the images (the patient viewer) and the report.
 *
 * Once the share has ended the server answers the page itself with its 410 "expired" page. If it ends while the page
 * is open, the next answer from the API (or a frame) is 410 and the page shows the same expired state; it also asks
 * the server every 30 s and when the tab comes back to the front, so an idle page does not keep showing the exam.
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { errorState, loading } from '../app/ui.js';
import { localeSwitch } from '../doctor/locale-switch.js';
import { examCard, when, withTokens } from './patient-context.js';
import { TokenStore, shareKey } from './patient-session.js';
import { mountPatientViewer } from './images.js';
import { mountPatientReport } from './report.js';
import { normaliseDigits } from './patient-model.js';

/** @typedef {import('./patient-context.js').PatientExam} PatientExam */
/** @typedef {import('../app/context.js').AppContext} AppContext */

const CHECK_MS = 30_000;

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  const token = route.params.token;
  const store = new TokenStore(shareKey(token));
  const body = h('div', { class: 'share-body' }, loading(t('state.loading')));
  const element = h('div', { class: 'page page-share' },
    h('header', { class: 'app-header' },
      h('span', { class: 'brand' }, h('span', { class: 'brand-mark' }, 'MI')),
      h('h1', { class: 'page-title' }, t('shareView.title')),
      h('nav', { class: 'header-nav' }, localeSwitch(ctx))),
    body);
  /** @type {Array<() => void>} */
  let cleanups = [];
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let checker;
  let gone = false;
  let ended = false;
  const controller = new AbortController();
  /** @type {string[]} */
  const objectURLs = [];

  const teardown = () => { for (const c of cleanups) c(); cleanups = []; };
  const expired = () => {
    if (ended || gone) return;
    ended = true;
    clearInterval(checker);
    teardown();
    store.clear();
    element.classList.add('ended');
    replace(body, h('div', { class: 'state share-expired', testid: 'share-expired', role: 'alert' },
      h('div', { class: 'state-icon' }, icon(ICONS.hourglass)),
      h('h2', null, t('shareView.expiredTitle')),
      h('p', null, t('shareView.expiredDetail'))));
  };
  /** @param {unknown} e */
  const failed = (e) => {
    if (gone || ended) return;
    if (e instanceof ApiError && e.status === 410) { expired(); return; }
    if (e instanceof ApiError && (e.kind === 'aborted' || e.kind === 'session')) return;
    replace(body, errorState(ctx, e, { onRetry: () => open(), home: null }));
  };
  const sctx = withTokens(ctx, store, () => { store.clear(); open(); });

  /** @param {PatientExam} exam @param {string} expiresAt */
  const show = (exam, expiresAt) => {
    const content = h('div', { class: 'share-content study-body' });
    const tabs = h('nav', { class: 'share-tabs', role: 'tablist' });
    const tab = (/** @type {'images' | 'report'} */ which) => {
      for (const b of tabs.querySelectorAll('button')) b.setAttribute('aria-selected', String(b.dataset.tab === which));
      teardown();
      replace(content, loading(t('state.loading')));
      if (which === 'images') {
        mountPatientViewer(sctx, content, exam.studyInstanceUID, { tokens: store, onDenied: () => open(), onGone: expired, back: null })
          .then((td) => { if (gone || ended) td(); else cleanups.push(td); }).catch(failed);
      } else {
        content.classList.add('share-report');
        mountPatientReport(sctx, content, exam.studyInstanceUID, objectURLs, controller.signal).catch(failed);
      }
      content.classList.toggle('share-report', which === 'report');
    };
    tabs.append(
      h('button', { class: 'share-tab', type: 'button', role: 'tab', testid: 'share-tab-images', dataset: { tab: 'images' }, disabled: exam.status === 'scheduled', onclick: () => tab('images') }, icon(ICONS.series, { size: 18 }), t('patient.images')),
      h('button', { class: 'share-tab', type: 'button', role: 'tab', testid: 'share-tab-report', dataset: { tab: 'report' }, disabled: exam.status !== 'report', onclick: () => tab('report') }, icon(ICONS.report, { size: 18 }), t('patient.report')));
    replace(body,
      h('div', { class: 'share-info' },
        h('p', { class: 'notice share-until', testid: 'share-until' }, t('shareView.until', { end: when(expiresAt, ctx.i18n.locale) })),
        examCard(ctx, exam), tabs),
      content);
    if (exam.status !== 'scheduled') tab('images');
    else replace(content, h('div', { class: 'state' }, h('p', null, t('patient.noImagesYet'))));
    clearInterval(checker);
    checker = setInterval(check, CHECK_MS);
  };

  // Is the share still running? (410 once it has ended; the exam view counts no visit.)
  const check = async () => {
    const s = store.read();
    if (!s || ended) return;
    try { await sctx.api.get(`/api/v1/patient-access/exams/${encodeURIComponent(s.studyInstanceUID)}`); } catch (e) { if (e instanceof ApiError && e.status === 410) expired(); }
  };
  const onVisible = () => { if (document.visibilityState === 'visible') check(); };
  document.addEventListener('visibilitychange', onVisible);

  /** @param {string} [code] */
  const askCode = (code) => {
    const input = h('input', { class: 'input', type: 'text', id: 'share-access-code', testid: 'share-access-code', inputmode: 'numeric', maxlength: '6', autocomplete: 'off', value: code ?? '' });
    const error = h('p', { class: 'form-error', testid: 'share-access-error', role: 'alert' });
    const submit = h('button', { class: 'btn primary block', type: 'submit', testid: 'share-open' }, t('shareView.open'));
    const form = h('form', { class: 'card form share-code-form', novalidate: true },
      h('h2', null, t('shareView.codeTitle')), h('p', { class: 'muted' }, t('shareView.codeIntro')),
      h('div', { class: 'field' }, h('label', { for: 'share-access-code' }, t('shareView.code')), input), error, submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const value = normaliseDigits(input.value);
      if (!/^\d{4,6}$/.test(value)) { error.textContent = t('share.codeInvalid'); return; }
      submit.disabled = true;
      error.textContent = '';
      try {
        opened(await ctx.api.post(`/api/v1/shares/${encodeURIComponent(token)}/open`, { accessCode: value }, { auth: false }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 410) { expired(); return; }
        error.textContent = err instanceof ApiError && err.status === 429 ? t('shareView.throttled')
          : err instanceof ApiError && (err.status === 403 || err.status === 401) ? t('shareView.codeWrong') : t('error.network.detail');
        input.select();
      } finally { submit.disabled = false; }
    });
    replace(body, h('main', { class: 'content narrow' }, form));
    input.focus();
  };

  /** @param {{ exam: PatientExam, accessToken: string, expiresIn: number, expiresAt: string }} share */
  const opened = (share) => {
    store.save({ accessToken: share.accessToken, expiresIn: share.expiresIn, studyInstanceUID: share.exam.studyInstanceUID });
    show(share.exam, share.expiresAt);
  };

  const open = async () => {
    if (ended) return;
    replace(body, loading(t('state.loading')));
    const s = store.read();
    try {
      if (s) {
        const exam = await sctx.api.get(`/api/v1/patient-access/exams/${encodeURIComponent(s.studyInstanceUID)}`);
        if (!gone) show(exam, new Date(s.expiresAt).toISOString());
        return;
      }
      const share = await ctx.api.get(`/api/v1/shares/${encodeURIComponent(token)}`, undefined, { auth: false });
      if (!gone) opened(share);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'access_code_required') { askCode(); return; }
      failed(e);
    }
  };
  open();
  return {
    element, title: t('shareView.title'),
    destroy: () => {
      gone = true; clearInterval(checker); teardown(); controller.abort();
      document.removeEventListener('visibilitychange', onVisible);
      for (const u of objectURLs) URL.revokeObjectURL(u);
    },
  };
}
