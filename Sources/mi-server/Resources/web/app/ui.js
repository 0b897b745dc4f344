// @ts-check
/**
 * Shared pieces of the pages: the header, error states users understand (network, permission, not found,
 * session), the loading spinner, and toasts.
 */

import { h, icon } from './dom.js';
import { ICONS } from './icons.js';
import { ApiError } from './api.js';

/** @typedef {import('./context.js').AppContext} AppContext */

/**
 * The top bar of the list pages: title, the worklist, messages (with the unread count) and personal-centre links,
 * sign out.
 * @param {AppContext} ctx
 * @param {{ title: string, active?: 'worklist' | 'profile' | 'messages' }} options
 */
export function appHeader(ctx, options) {
  const { t } = ctx;
  return h('header', { class: 'app-header' },
    h('a', { class: 'brand', href: '/worklist', testid: 'nav-brand' }, h('span', { class: 'brand-mark' }, 'MI'), h('span', { class: 'brand-name' }, t('app.title'))),
    h('h1', { class: 'page-title' }, options.title),
    h('nav', { class: 'header-nav' },
      h('a', { href: '/worklist', class: `nav-link${options.active === 'worklist' ? ' active' : ''}`, testid: 'nav-worklist', title: t('nav.worklist') },
        icon(ICONS.list), h('span', { class: 'nav-label' }, t('nav.worklist'))),
      messagesLink(ctx, options.active === 'messages'),
      h('a', { href: '/me', class: `nav-link${options.active === 'profile' ? ' active' : ''}`, testid: 'nav-profile', title: t('nav.profile') },
        icon(ICONS.user), h('span', { class: 'nav-label' }, t('nav.profile'))),
      h('button', { class: 'nav-link', type: 'button', testid: 'logout', title: t('nav.logout'), onclick: () => { ctx.logout(); } },
        icon(ICONS.logout), h('span', { class: 'nav-label' }, t('nav.logout')))));
}

/**
 * The messages link of the doctor's header; its badge shows how many patient messages are unread.
 * @param {AppContext} ctx
 * @param {boolean} active
 */
function messagesLink(ctx, active) {
  const { t } = ctx;
  const badge = h('span', { class: 'badge nav-badge', testid: 'nav-unread', hidden: true });
  ctx.api.get('/api/v1/messages/unread').then((r) => {
    badge.textContent = String(r.unread);
    badge.hidden = !(r.unread > 0);
  }).catch(() => undefined);   // administrators have no inbox; the link stays without a count
  return h('a', { href: '/messages', class: `nav-link${active ? ' active' : ''}`, testid: 'nav-messages', title: t('nav.messages') },
    icon('M4 5h16v11H8l-4 4z'), h('span', { class: 'nav-label' }, t('nav.messages')), badge);
}

/**
 * A centred spinner with a label.
 * @param {string} label
 */
export function loading(label) {
  return h('div', { class: 'state state-loading', testid: 'loading', role: 'status' }, h('div', { class: 'spinner' }), h('p', null, label));
}

/**
 * The state for an error, in words a doctor understands, with a retry where retrying can help.
 * @param {AppContext} ctx
 * @param {unknown} error
 * @param {{ onRetry?: () => void, what?: string, home?: { href: string, label: string } | null }} [options]
 * `home`: where the way-out link goes (default the worklist; null for none, e.g. a share's recipient)
 */
export function errorState(ctx, error, options = {}) {
  const { t } = ctx;
  const e = error instanceof ApiError ? error : null;
  /** @type {{ testid: string, title: string, detail: string, retry: boolean }} */
  let s;
  if (e?.kind === 'network') s = { testid: 'error-network', title: t('error.network.title'), detail: t('error.network.detail'), retry: true };
  else if (e?.kind === 'forbidden' && e.code === 'password_change_required') s = { testid: 'error-password-change', title: t('error.passwordChange.title'), detail: t('error.passwordChange.detail'), retry: false };
  else if (e?.kind === 'forbidden') s = { testid: 'error-forbidden', title: t('error.forbidden.title'), detail: t('error.forbidden.detail'), retry: false };
  else if (e?.kind === 'not-found') s = { testid: 'error-not-found', title: t('error.notFound.title'), detail: options.what ?? t('error.notFound.detail'), retry: false };
  else if (e?.kind === 'session') s = { testid: 'error-session', title: t('error.session.title'), detail: t('error.session.detail'), retry: false };
  else s = { testid: 'error-generic', title: t('error.generic.title'), detail: e?.message ?? (error instanceof Error ? error.message : String(error)), retry: true };
  return h('div', { class: 'state state-error', testid: s.testid, role: 'alert' },
    h('div', { class: 'state-icon' }, '!'),
    h('h2', null, s.title),
    h('p', null, s.detail),
    h('div', { class: 'state-actions' },
      s.retry && options.onRetry ? h('button', { class: 'btn primary', type: 'button', testid: 'retry', onclick: options.onRetry }, icon(ICONS.refresh, { size: 18 }), t('action.retry')) : null,
      e?.code === 'password_change_required' ? h('a', { class: 'btn primary', href: '/me#password', testid: 'go-change-password' }, t('nav.changePassword')) : null,
      e?.kind === 'forbidden' && e.code !== 'password_change_required' ? h('button', { class: 'btn', type: 'button', testid: 'forbidden-logout', onclick: () => { ctx.logout(); } }, t('nav.switchAccount')) : null,
      e?.kind === 'session' ? h('button', { class: 'btn primary', type: 'button', testid: 'sign-in-again', onclick: () => { ctx.login(); } }, t('action.signIn')) : null,
      e?.kind !== 'session' && e?.kind !== 'forbidden' && options.home !== null
        ? h('a', { class: 'btn', href: options.home?.href ?? '/worklist' }, options.home?.label ?? t('nav.worklist')) : null));
}

/**
 * Shows a short message at the bottom of the screen.
 * @param {string} message
 * @param {'info' | 'error' | 'success'} [kind]
 */
export function toast(message, kind = 'info') {
  let host = document.querySelector('.toasts');
  if (!host) { host = h('div', { class: 'toasts', 'aria-live': 'polite' }); document.body.appendChild(host); }
  const el = h('div', { class: `toast toast-${kind}`, testid: 'toast' }, message);
  host.appendChild(el);
  setTimeout(() => { el.classList.add('leaving'); setTimeout(() => el.remove(), 300); }, kind === 'error' ? 6000 : 3000);
}
