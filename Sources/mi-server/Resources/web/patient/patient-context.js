// @ts-check
/**
 * Which session a patient page works with, and the pieces every patient page shares (its header, the exam's
 * one-line summary, the status steps).
 *
 * - A QR link or manual retrieval gives a patient session (`TokenStore`, sessionStorage): the page gets a context
 *   whose API client sends that token; when the server refuses it the patient goes back to where they came in.
 * - A patient with an account (OAuth sign-in, e.g. the demo's `patient`) uses the app's own session.
 */

import { h, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiClient } from '../app/api.js';
import { localeSwitch } from '../doctor/locale-switch.js';
import { TokenStore, PATIENT_KEY } from './patient-session.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */

/**
 * One exam as the patient home shows it (`PatientExam` in openapi.json).
 * @typedef {object} PatientExam
 * @property {string} studyInstanceUID
 * @property {string} patientName masked
 * @property {string} patientSex
 * @property {string} examType
 * @property {string} modality
 * @property {string} description
 * @property {string} bodyPart
 * @property {string} studyDate
 * @property {string} studyTime
 * @property {string} accessionNumber
 * @property {{ id: string, name: string }} hospital
 * @property {string} department
 * @property {'scheduled' | 'imaging' | 'report'} status
 * @property {Array<{ step: 'scheduled' | 'imaging' | 'report', done: boolean, current: boolean, at?: string }>} steps
 * @property {number} seriesCount
 * @property {number} instanceCount
 */

/**
 * @typedef {object} PatientAccess
 * @property {AppContext} ctx the context whose `api` carries the patient's token
 * @property {'link' | 'account'} kind
 * @property {import('../app/api.js').TokenSource} tokens
 * @property {() => void} end the session is over: back to the entry
 */

/**
 * A context for a session that is not the signed-in account (a patient session or a share).
 * @param {AppContext} ctx
 * @param {TokenStore} tokens
 * @param {() => void} onEnded
 * @returns {AppContext}
 */
export function withTokens(ctx, tokens, onEnded) {
  const api = new ApiClient({ session: tokens, onSessionExpired: onEnded });
  return { ...ctx, api };
}

/**
 * The patient's session, or null when there is none (the page sends them to the entry).
 * @param {AppContext} ctx
 * @returns {PatientAccess | null}
 */
export function patientAccess(ctx) {
  const store = new TokenStore(PATIENT_KEY);
  const stored = store.read();
  if (stored) {
    const end = () => {
      store.clear();
      ctx.toast(ctx.t('patient.sessionEnded'), 'info');
      ctx.navigate(stored.linkToken ? `/p/${encodeURIComponent(stored.linkToken)}` : '/patient', { replace: true });
    };
    return { ctx: withTokens(ctx, store, end), kind: 'link', tokens: store, end };
  }
  if (ctx.session.isSignedIn()) return { ctx, kind: 'account', tokens: ctx.session, end: () => { ctx.login(location.pathname); } };
  return null;
}

/**
 * The top bar of the patient pages: back (or the brand), the title, the language.
 * @param {AppContext} ctx
 * @param {{ title: string, back?: string, extra?: HTMLElement[] }} options
 */
export function patientHeader(ctx, options) {
  return h('header', { class: 'app-header patient-header' },
    options.back
      ? h('a', { class: 'icon-btn', href: options.back, testid: 'patient-back', title: ctx.t('action.back'), 'aria-label': ctx.t('action.back') }, icon(ICONS.back))
      : h('span', { class: 'brand' }, h('span', { class: 'brand-mark' }, 'MI')),
    h('h1', { class: 'page-title' }, options.title),
    h('nav', { class: 'header-nav' }, ...(options.extra ?? []), localeSwitch(ctx)));
}

/**
 * The exam's date as the patient reads it (`2026-11-28`), from `YYYYMMDD` or ISO.
 * @param {string} date
 */
export function examDate(date) {
  return /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}` : date;
}

/**
 * A timestamp in the reader's language (`2026/11/28 09:30`); `part` gives only its date or its time.
 * @param {string | undefined} iso
 * @param {string} locale
 * @param {'date' | 'time' | 'both'} [part]
 */
export function when(iso, locale, part = 'both') {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  /** @type {Intl.DateTimeFormatOptions} */
  const date = { year: 'numeric', month: '2-digit', day: '2-digit' };
  /** @type {Intl.DateTimeFormatOptions} */
  const time = { hour: '2-digit', minute: '2-digit' };
  return d.toLocaleString(locale, part === 'date' ? date : part === 'time' ? time : { ...date, ...time });
}

/**
 * The exam's card: who (masked), what, when, where.
 * @param {AppContext} ctx
 * @param {PatientExam} exam
 */
export function examCard(ctx, exam) {
  const { t } = ctx;
  /** @type {Array<[string, string]>} */
  const rows = [
    [t('patient.examType'), exam.examType || [exam.modality, exam.bodyPart].filter((x) => x).join(' ')],
    [t('patient.examDate'), examDate(exam.studyDate)],
    [t('patient.hospital'), exam.hospital.name],
    [t('patient.department'), exam.department],
  ];
  return h('section', { class: 'card exam-card', testid: 'exam-card' },
    h('div', { class: 'exam-card-head' },
      h('span', { class: `modality-badge m-${exam.modality.toLowerCase()}` }, exam.modality),
      h('strong', { class: 'exam-patient', testid: 'exam-patient-name' }, exam.patientName),
      exam.patientSex ? h('span', { class: 'muted' }, t(`sex.${exam.patientSex}`)) : null),
    h('dl', { class: 'summary exam-facts' }, rows.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
    exam.description && exam.description !== rows[0][1] ? h('p', { class: 'muted exam-description' }, exam.description) : null);
}

/**
 * The three steps (scheduled → imaging → report), the current one highlighted, with their times.
 * @param {AppContext} ctx
 * @param {PatientExam} exam
 */
export function statusSteps(ctx, exam) {
  const { t } = ctx;
  return h('ol', { class: 'exam-steps', testid: 'exam-status', dataset: { status: exam.status } },
    exam.steps.map((s) => h('li', {
      class: `exam-step${s.done ? ' done' : ''}${s.current ? ' current' : ''}`, testid: `status-step-${s.step}`,
      dataset: { current: String(s.current), done: String(s.done) }, 'aria-current': s.current ? 'step' : null,
    },
    h('span', { class: 'step-dot' }, s.done ? icon(ICONS.check, { size: 14 }) : null),
    h('span', { class: 'step-name' }, t(`patient.step.${s.step}`)),
    // Date and time on two lines: three steps side by side on a 360 px phone.
    h('small', { class: 'step-time muted' }, h('span', null, when(s.at, ctx.i18n.locale, 'date')), h('span', null, when(s.at, ctx.i18n.locale, 'time'))))));
}
