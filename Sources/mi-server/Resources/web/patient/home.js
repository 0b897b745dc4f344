// @ts-check
/**
 * `/patient/exams/{uid}`: the patient home for one exam. Its card (name masked, type, date, hospital, department),
 * the status as three steps with the current one highlighted, the buttons for images, report and sharing, the
 * patient's other exams at the hospital (history), and "consult a doctor".
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { errorState, loading } from '../app/ui.js';
import { consultThread } from '../app/consult-thread.js';
import { patientAccess, patientHeader, examCard, statusSteps, examDate } from './patient-context.js';
import { shareDialog } from './share-dialog.js';
import { historyOf } from './patient-model.js';

/** @typedef {import('./patient-context.js').PatientExam} PatientExam */

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  const uid = route.params.uid;
  const access = patientAccess(ctx);
  const body = h('main', { class: 'content narrow patient-body patient-home' }, loading(t('state.loading')));
  const signOut = h('button', { class: 'nav-link', type: 'button', testid: 'patient-exit', title: t('patient.exit'), onclick: () => exit() }, icon(ICONS.logout), h('span', { class: 'nav-label' }, t('patient.exit')));
  const element = h('div', { class: 'page page-patient' }, patientHeader(ctx, { title: t('patient.homeTitle'), extra: [signOut] }), body);
  /** @type {Array<() => void>} */
  const cleanups = [];
  let gone = false;

  const exit = async () => {
    if (access?.kind === 'link') {
      await access.ctx.api.request('DELETE', '/api/v1/patient-access/session').catch(() => null);
      /** @type {import('./patient-session.js').TokenStore} */ (access.tokens).clear();
      ctx.navigate('/patient', { replace: true });
    } else await ctx.logout();
  };

  const load = async () => {
    if (!access) { ctx.navigate('/patient', { replace: true }); return; }
    const pctx = access.ctx;
    replace(body, loading(t('state.loading')));
    try {
      /** @type {[PatientExam, { items: PatientExam[] }]} */
      const [exam, all] = await Promise.all([
        pctx.api.get(`/api/v1/patient-access/exams/${encodeURIComponent(uid)}`),
        pctx.api.get('/api/v1/patient-access/exams').catch(() => ({ items: [] })),
      ]);
      if (gone) return;
      const at = (/** @type {string} */ p) => `/patient/exams/${encodeURIComponent(uid)}${p}`;
      const hasImages = exam.status !== 'scheduled';
      const hasReport = exam.status === 'report';
      const actions = h('div', { class: 'exam-actions' },
        hasImages
          ? h('a', { class: 'btn primary action-btn', href: at('/images'), testid: 'btn-images' }, icon(ICONS.series), t('patient.images'))
          : h('button', { class: 'btn action-btn', type: 'button', disabled: true, testid: 'btn-images', title: t('patient.noImagesYet') }, icon(ICONS.series), t('patient.images')),
        hasReport
          ? h('a', { class: 'btn primary action-btn', href: at('/report'), testid: 'btn-report' }, icon(ICONS.report), t('patient.report'))
          : h('button', { class: 'btn action-btn', type: 'button', disabled: true, testid: 'btn-report', title: t('patient.noReportYet') }, icon(ICONS.report), t('patient.report')),
        h('button', { class: 'btn action-btn', type: 'button', testid: 'btn-share', disabled: !hasImages, onclick: () => openShare() }, icon('c:18,5,3|c:6,12,3|c:18,19,3|M8.6 13.5l6.8 4|M15.4 6.5l-6.8 4'), t('patient.share')));
      const history = historyOf(all.items, uid);
      const thread = consultThread(pctx, uid, { side: 'patient' });
      cleanups.push(thread.destroy);
      replace(body,
        examCard(ctx, exam),
        h('section', { class: 'card' }, h('h2', null, t('patient.status')), statusSteps(ctx, exam),
          !hasReport ? h('p', { class: 'muted step-note' }, t(`patient.stepNote.${exam.status}`)) : null),
        actions,
        h('section', { class: 'card history', testid: 'history' },
          h('h2', null, t('patient.history')),
          history.length === 0
            ? h('p', { class: 'muted', testid: 'history-empty' }, t('patient.historyEmpty'))
            : h('ul', { class: 'history-list' }, history.map((e) => h('li', null,
              h('a', { class: 'history-item', testid: 'history-item', href: `/patient/exams/${encodeURIComponent(e.studyInstanceUID)}` },
                h('span', { class: `modality-badge m-${e.modality.toLowerCase()}` }, e.modality),
                h('span', { class: 'history-what' }, h('strong', null, e.examType || e.description || e.modality), h('small', { class: 'muted' }, `${examDate(e.studyDate)} · ${e.hospital.name}`)),
                h('span', { class: `status-badge s-${e.status}` }, t(`patient.step.${e.status}`))))))),
        thread.element);
    } catch (e) {
      if (gone || (e instanceof ApiError && e.kind === 'session')) return;
      replace(body, errorState(ctx, e, { onRetry: load, what: t('patient.examNotFound'), home: { href: '/patient', label: t('patient.title') } }));
    }
  };

  /** @type {HTMLElement | null} */
  let sheet = null;
  const openShare = () => {
    if (!access || sheet) return;
    const dialog = shareDialog(access.ctx, uid, { onClose: () => closeShare() });
    sheet = dialog.element;
    document.body.appendChild(sheet);
    document.body.classList.add('sheet-open');
    dialog.focus();
  };
  const closeShare = () => { sheet?.remove(); sheet = null; document.body.classList.remove('sheet-open'); };
  /** @param {KeyboardEvent} e */
  const onKey = (e) => { if (e.key === 'Escape') closeShare(); };
  document.addEventListener('keydown', onKey);

  load();
  return {
    element, title: t('patient.homeTitle'),
    destroy: () => { gone = true; closeShare(); document.removeEventListener('keydown', onKey); for (const c of cleanups) c(); },
  };
}
