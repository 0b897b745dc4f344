// @ts-check
/**
 * `/patient`: where a patient starts. With a session already it goes straight to an exam: the one a QR link or the
 * retrieval opened in this tab, or a patient account's newest. Otherwise it says how to scan the QR code on the film
 * bag or report, and offers manual retrieval and signing in with an account.
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { errorState, loading } from '../app/ui.js';
import { patientAccess, patientHeader } from './patient-context.js';
import { TokenStore, PATIENT_KEY } from './patient-session.js';

/** @typedef {import('./patient-context.js').PatientExam} PatientExam */

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx) {
  const { t } = ctx;
  const body = h('main', { class: 'content narrow patient-body' }, loading(t('state.loading')));
  const element = h('div', { class: 'page page-patient' }, patientHeader(ctx, { title: t('patient.title') }), body);
  const access = patientAccess(ctx);
  let gone = false;

  const welcome = () => replace(body,
    h('section', { class: 'card patient-welcome', testid: 'patient-entry' },
      h('div', { class: 'scan-mark', 'aria-hidden': 'true' }, icon('M4 4h6v6H4z|M14 4h6v6h-6z|M4 14h6v6H4z|M14 14h2v2h-2z|M18 18h2v2h-2z|M14 18h2|M18 14h2', { size: 56 })),
      h('h2', null, t('patient.scanTitle')),
      h('ol', { class: 'scan-steps' }, h('li', null, t('patient.scanStep1')), h('li', null, t('patient.scanStep2')), h('li', null, t('patient.scanStep3'))),
      h('a', { class: 'btn primary block', href: '/patient/retrieve', testid: 'patient-retrieve-link' }, icon(ICONS.search, { size: 18 }), t('patient.retrieveLink')),
      h('button', { class: 'btn block', type: 'button', testid: 'patient-login', onclick: () => { ctx.login('/patient'); } }, t('patient.signInAccount'))));

  const load = async () => {
    if (!access) { welcome(); return; }
    const opened = new TokenStore(PATIENT_KEY).read();
    if (access.kind === 'link' && opened) {   // back to the exam the QR code or the retrieval opened
      ctx.navigate(`/patient/exams/${encodeURIComponent(opened.studyInstanceUID)}`, { replace: true });
      return;
    }
    try {
      const page = await access.ctx.api.get('/api/v1/patient-access/exams');
      if (gone) return;
      /** @type {PatientExam[]} */
      const exams = page.items;
      if (exams.length === 0) {
        replace(body, h('div', { class: 'state state-empty', testid: 'patient-no-exams' }, h('h2', null, t('patient.noExams')), h('p', null, t('patient.noExamsDetail'))));
        return;
      }
      const newest = [...exams].sort((a, b) => (b.studyDate + b.studyTime).localeCompare(a.studyDate + a.studyTime))[0];
      ctx.navigate(`/patient/exams/${encodeURIComponent(newest.studyInstanceUID)}`, { replace: true });
    } catch (e) {
      if (gone || (e instanceof ApiError && e.kind === 'session')) return;
      if (e instanceof ApiError && e.kind === 'forbidden') { welcome(); return; }   // a doctor's account: no exams of their own
      replace(body, errorState(ctx, e, { onRetry: load }));
    }
  };
  load();
  return { element, title: t('patient.title'), destroy: () => { gone = true; } };
}
