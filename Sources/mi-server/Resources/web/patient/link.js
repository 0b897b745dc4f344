// @ts-check
/**
 * `/p/{token}`: the page a QR code opens. It shows which exam the link is for (the name masked: links get
 * forwarded) and asks the hospital's second factor — the birth date as `YYYYMMDD` or the last four digits of the
 * phone on file — then keeps the patient session for this browser tab and opens the patient home. A wrong answer
 * and throttling each get a clear message; an ended link gets the server's 410 page before the app ever loads.
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { errorState, loading } from '../app/ui.js';
import { field, input } from '../doctor/form.js';
import { examCard, patientHeader } from './patient-context.js';
import { TokenStore, PATIENT_KEY } from './patient-session.js';
import { normaliseDigits } from './patient-model.js';

/** @typedef {import('./patient-context.js').PatientExam} PatientExam */

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  const token = route.params.token;
  const store = new TokenStore(PATIENT_KEY);
  const body = h('main', { class: 'content narrow patient-body' }, loading(t('state.loading')));
  const element = h('div', { class: 'page page-patient' }, patientHeader(ctx, { title: t('patient.title') }), body);
  const api = `/api/v1/patient-links/${encodeURIComponent(token)}`;
  let gone = false;

  /** @param {{ session: any, exam: PatientExam }} entry */
  const enter = (entry) => {
    store.save({ ...entry.session, linkToken: token });
    ctx.navigate(`/patient/exams/${encodeURIComponent(entry.exam.studyInstanceUID)}`, { replace: true });
  };

  /** @param {PatientExam} exam @param {'birthDate' | 'phoneLast4'} method */
  const ask = (exam, method) => {
    const birth = method === 'birthDate';
    const control = input('text', {
      inputmode: 'numeric', autocomplete: birth ? 'bday' : 'off', maxlength: birth ? '8' : '4',
      placeholder: birth ? 'YYYYMMDD' : '0000', pattern: birth ? '[0-9]{8}' : '[0-9]{4}',
    });
    const f = field({ id: birth ? 'verify-birthdate' : 'verify-phone', label: birth ? t('verify.birthDate') : t('verify.phone'), control, hint: birth ? t('verify.birthDateHint') : t('verify.phoneHint') });
    const error = h('p', { class: 'form-error', testid: 'verify-error', role: 'alert' });
    const submit = h('button', { class: 'btn primary block', type: 'submit', testid: 'verify-submit' }, t('verify.submit'));
    const form = h('form', { class: 'card form verify-form', novalidate: true },
      h('h2', null, t('verify.title')), h('p', { class: 'muted' }, t('verify.intro')), f.element, error, submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const value = normaliseDigits(control.value);
      error.textContent = '';
      if (!(birth ? /^\d{8}$/ : /^\d{4}$/).test(value)) { f.setError(birth ? t('verify.birthDateFormat') : t('verify.phoneFormat')); return; }
      f.setError(null);
      submit.disabled = true;
      try {
        enter(await ctx.api.post(`${api}/verify`, birth ? { birthDate: value } : { phoneLast4: value }, { auth: false }));
      } catch (err) {
        error.textContent = verifyError(ctx, err);
        control.select();
      } finally { submit.disabled = false; }
    });
    replace(body, h('div', { class: 'qr-landing', testid: 'qr-landing' }, examCard(ctx, exam), form));
    control.focus();
  };

  const load = async () => {
    const stored = store.read();
    if (stored && stored.linkToken === token) { ctx.navigate(`/patient/exams/${encodeURIComponent(stored.studyInstanceUID)}`, { replace: true }); return; }
    try {
      /** @type {{ exam: PatientExam, verification: 'birthDate' | 'phoneLast4' | 'none' }} */
      const opened = await ctx.api.get(api, undefined, { auth: false });
      if (gone) return;
      if (opened.verification === 'none') { enter(await ctx.api.post(`${api}/verify`, {}, { auth: false })); return; }
      ask(opened.exam, opened.verification);
    } catch (e) {
      if (gone) return;
      if (e instanceof ApiError && e.status === 410) { replace(body, linkEnded(ctx)); return; }
      replace(body, errorState(ctx, e, { onRetry: load, what: t('verify.linkUnknown') }));
    }
  };
  load();
  return { element, title: t('patient.title'), destroy: () => { gone = true; } };
}

/**
 * The message for a refused answer: wrong, too many tries, or the link has ended.
 * @param {import('../app/context.js').AppContext} ctx
 * @param {unknown} err
 */
function verifyError(ctx, err) {
  const { t } = ctx;
  if (!(err instanceof ApiError)) return t('error.generic.title');
  if (err.status === 429) return t('verify.throttled');
  if (err.status === 401) return t('verify.wrong');
  if (err.status === 410) return t('verify.linkEnded');
  if (err.kind === 'network') return t('error.network.detail');
  return err.message;
}

/** @param {import('../app/context.js').AppContext} ctx */
export function linkEnded(ctx) {
  return h('div', { class: 'state state-error link-expired', testid: 'link-expired', role: 'alert' },
    h('div', { class: 'state-icon' }, icon(ICONS.hourglass)), h('h2', null, ctx.t('verify.linkEnded')), h('p', null, ctx.t('verify.linkEndedDetail')),
    h('div', { class: 'state-actions' }, h('a', { class: 'btn primary', href: '/patient/retrieve' }, ctx.t('patient.retrieveLink'))));
}
