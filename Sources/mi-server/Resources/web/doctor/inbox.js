// @ts-check
/**
 * `/messages`: the doctor's inbox of patient consultations — the exams with unread patient messages, newest first,
 * each with its count. Opening one shows the thread (the same component as the patient home's) to read and reply;
 * reading marks the patient's messages read, and the header's badge follows.
 */

import { h, replace } from '../app/dom.js';
import { ApiError } from '../app/api.js';
import { appHeader, errorState, loading } from '../app/ui.js';
import { consultThread } from '../app/consult-thread.js';
import { displayName } from './study-model.js';

/**
 * @typedef {object} UnreadConsult
 * @property {string} studyInstanceUID
 * @property {string} patientName
 * @property {string} modality
 * @property {string} studyDate
 * @property {string} description
 * @property {number} unread
 * @property {string} lastMessageAt
 */

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  const list = h('div', { class: 'inbox' }, loading(t('state.loading')));
  const element = h('div', { class: 'page page-inbox' },
    appHeader(ctx, { title: t('inbox.title'), active: 'messages' }),
    h('main', { class: 'content narrow' }, list));
  /** @type {{ destroy: () => void } | null} */
  let open = null;
  /** @type {Map<string, UnreadConsult>} threads seen on this page: they stay listed after they are read */
  const seen = new Map();

  const load = async () => {
    try {
      const page = await ctx.api.get('/api/v1/messages/unread');
      /** @type {UnreadConsult[]} */
      const items = page.items;
      for (const x of items) seen.set(x.studyInstanceUID, x);
      for (const [uid, x] of seen) if (!items.some((i) => i.studyInstanceUID === uid)) x.unread = 0;
      const threads = [...seen.values()].sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));
      if (threads.length === 0) { replace(list, h('div', { class: 'state state-empty', testid: 'inbox-empty' }, h('p', null, t('inbox.empty')))); return; }
      replace(list, threads.map((x) => thread(x)));
      const wanted = route.query.study;
      if (wanted && !open) list.querySelector(`[data-study-uid="${CSS.escape(wanted)}"] .inbox-head`)?.dispatchEvent(new Event('click'));
    } catch (e) {
      if (e instanceof ApiError && e.kind === 'session') return;
      replace(list, errorState(ctx, e, { onRetry: load }));
    }
  };

  /** @param {UnreadConsult} x */
  const thread = (x) => {
    const slot = h('div', { class: 'inbox-thread-body' });
    const head = h('button', { class: 'inbox-head', type: 'button', testid: 'inbox-thread-open' },
      h('span', { class: `modality-badge m-${x.modality.toLowerCase()}` }, x.modality),
      h('span', { class: 'inbox-what' }, h('strong', null, displayName(x.patientName)), h('small', { class: 'muted' }, [x.studyDate, x.description].filter((v) => v).join(' · '))),
      x.unread > 0 ? h('span', { class: 'badge', testid: 'inbox-unread' }, String(x.unread)) : null);
    const item = h('section', { class: 'card inbox-item', testid: 'inbox-thread', dataset: { studyUid: x.studyInstanceUID } }, head, slot);
    head.addEventListener('click', () => {
      open?.destroy();
      for (const s of list.querySelectorAll('.inbox-thread-body')) s.replaceChildren();
      const c = consultThread(ctx, x.studyInstanceUID, { side: 'doctor', onRead: () => { x.unread = 0; head.querySelector('.badge')?.remove(); refreshBadge(); } });
      open = c;
      replace(slot, c.element, h('a', { class: 'btn subtle', href: `/studies/${encodeURIComponent(x.studyInstanceUID)}`, testid: 'inbox-open-study' }, t('inbox.openStudy')));
    });
    return item;
  };

  const refreshBadge = () => {
    const badge = /** @type {HTMLElement | null} */ (element.querySelector('[data-testid="nav-unread"]'));
    if (!badge) return;
    ctx.api.get('/api/v1/messages/unread').then((r) => { badge.textContent = String(r.unread); badge.hidden = !(r.unread > 0); }).catch(() => undefined);
  };

  load();
  return { element, title: t('inbox.title'), destroy: () => { open?.destroy(); } };
}
