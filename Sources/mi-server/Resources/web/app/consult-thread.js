// @ts-check
/**
 * "Consult a doctor": the short message thread about one exam between the patient and the hospital's reading
 * doctors (`GET/POST /api/v1/studies/{uid}/messages`). The same component serves both sides — the patient home and
 * the doctor's inbox; each side's messages sit on the right. Opening the thread marks the other side's messages
 * read; it looks for new ones every 20 s while it is shown.
 *
 * ```js
 * const thread = consultThread(ctx, uid, { side: 'patient' });
 * page.append(thread.element);   // later: thread.destroy()
 * ```
 */

import { h, replace } from './dom.js';
import { ApiError } from './api.js';

/** @typedef {import('./context.js').AppContext} AppContext */
/**
 * @typedef {object} ConsultMessage
 * @property {string} id
 * @property {'patient' | 'doctor'} author
 * @property {string} authorName
 * @property {string} body
 * @property {string} createdAt
 * @property {string} [readAt]
 */

const POLL_MS = 20_000;

/**
 * @param {AppContext} ctx its `api` carries the token of the side that writes
 * @param {string} studyUID
 * @param {{ side: 'patient' | 'doctor', onRead?: () => void, onGone?: () => void }} options
 */
export function consultThread(ctx, studyUID, options) {
  const { t } = ctx;
  const base = `/api/v1/studies/${encodeURIComponent(studyUID)}/messages`;
  const list = h('ol', { class: 'consult-list', testid: 'consult-list', 'aria-live': 'polite' });
  const textarea = h('textarea', { class: 'input consult-input', testid: 'consult-input', rows: '2', maxlength: '4000', placeholder: options.side === 'patient' ? t('consult.placeholder') : t('consult.placeholderDoctor'),
    'aria-label': options.side === 'patient' ? t('consult.placeholder') : t('consult.placeholderDoctor') });
  const send = h('button', { class: 'btn primary', type: 'submit', testid: 'consult-send' }, t('consult.send'));
  const error = h('p', { class: 'form-error', testid: 'consult-error', role: 'alert' });
  const form = h('form', { class: 'consult-form' }, textarea, send);
  const element = h('section', { class: 'card consult', testid: 'consult-thread' },
    h('h2', null, options.side === 'patient' ? t('consult.title') : t('consult.titleDoctor')),
    options.side === 'patient' ? h('p', { class: 'muted' }, t('consult.intro')) : null,
    list, error, form);
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let gone = false;
  let lastKey = '';

  /** @param {ConsultMessage[]} items */
  const show = (items) => {
    const key = items.map((m) => m.id).join(',');
    if (key === lastKey) return;
    lastKey = key;
    if (items.length === 0) { replace(list, h('li', { class: 'consult-empty muted', testid: 'consult-empty' }, t('consult.empty'))); return; }
    replace(list, items.map((m) => h('li', {
      class: `consult-message ${m.author === options.side ? 'mine' : 'theirs'}`, testid: 'consult-message', dataset: { author: m.author },
    },
    h('div', { class: 'consult-bubble' }, m.body),
    h('small', { class: 'muted' }, [m.author === 'doctor' ? (m.authorName || t('consult.doctor')) : t('consult.patient'),
      new Date(m.createdAt).toLocaleString(ctx.i18n.locale, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })].join(' · ')))));
    list.lastElementChild?.scrollIntoView?.({ block: 'nearest' });
  };

  const load = async () => {
    clearTimeout(timer);
    try {
      const page = await ctx.api.get(base);
      if (gone) return;
      /** @type {ConsultMessage[]} */
      const items = page.items;
      show(items);
      error.textContent = '';
      if (items.some((m) => m.author !== options.side && !m.readAt)) {
        await ctx.api.post(`${base}/read`);
        options.onRead?.();
      }
    } catch (e) {
      if (gone) return;
      if (e instanceof ApiError && e.status === 410) { options.onGone?.(); return; }
      if (e instanceof ApiError && e.kind === 'session') return;
      error.textContent = e instanceof ApiError && e.kind === 'network' ? t('error.network.detail') : t('consult.loadFailed');
    }
    if (!gone) timer = setTimeout(load, POLL_MS);
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = textarea.value.trim();
    if (!body) { textarea.focus(); return; }
    send.disabled = true;
    try {
      await ctx.api.post(base, { body });
      textarea.value = '';
      await load();
    } catch (err) {
      if (err instanceof ApiError && err.status === 410) { options.onGone?.(); return; }
      error.textContent = err instanceof ApiError && err.kind === 'network' ? t('error.network.detail') : t('consult.sendFailed');
    } finally { send.disabled = false; }
  });
  textarea.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit(); });
  load();
  return { element, refresh: load, destroy: () => { gone = true; clearTimeout(timer); } };
}
