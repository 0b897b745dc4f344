// @ts-check
/**
 * The frame of every administration page: the top bar (brand, title, language, sign out) and the page menu, a tab
 * bar at the bottom of a phone and a side menu on a desktop (the same links; CSS moves them).
 */

import { h, icon, replace } from '../app/dom.js';
import { errorState, loading } from '../app/ui.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { ADMIN_PAGES } from './admin-model.js';
import { localeSwitch } from '../doctor/locale-switch.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */
/** @typedef {import('./admin-model.js').AdminPage} AdminPage */

/** @type {Readonly<Record<AdminPage, string>>} */
const PAGE_ICONS = Object.freeze({
  registrations: ICONS.inbox, users: ICONS.users, hospitals: ICONS.list, audit: ICONS.shield, clients: ICONS.key, pacs: ICONS.server, settings: ICONS.sliders,
});

/**
 * @param {AppContext} ctx
 * @param {AdminPage} active
 * @param {...(Node | null)} content
 */
export function adminShell(ctx, active, ...content) {
  const { t } = ctx;
  const nav = h('nav', { class: 'admin-nav', 'aria-label': t('admin.menu') },
    ADMIN_PAGES.map((p) => h('a', {
      href: `/admin/${p}`, class: `admin-nav-link${p === active ? ' active' : ''}`, testid: `admin-nav-${p}`,
      'aria-current': p === active ? 'page' : null,
    }, icon(PAGE_ICONS[p], { size: 20 }), h('span', { class: 'admin-nav-short' }, t(`admin.nav.${p}`)), h('span', { class: 'admin-nav-long' }, t(`admin.${p}.title`)))));
  return h('div', { class: 'page page-admin', testid: `admin-${active}` },
    h('header', { class: 'app-header' },
      h('a', { class: 'brand', href: '/admin', testid: 'nav-brand' }, h('span', { class: 'brand-mark' }, 'MI'), h('span', { class: 'brand-name' }, t('admin.brand'))),
      h('h1', { class: 'page-title' }, t(`admin.${active}.title`)),
      h('nav', { class: 'header-nav' },
        localeSwitch(ctx),
        h('button', { class: 'nav-link', type: 'button', testid: 'logout', title: t('nav.logout'), onclick: () => { ctx.logout(); } },
          icon(ICONS.logout), h('span', { class: 'nav-label' }, t('nav.logout'))))),
    h('div', { class: 'admin-layout' }, nav, h('main', { class: 'content admin-main' }, ...content)));
}

/**
 * A date and time in the user's locale, from epoch seconds.
 * @param {AppContext} ctx
 * @param {number | null | undefined} epochSeconds
 */
export function dateTime(ctx, epochSeconds) {
  if (!epochSeconds) return '';
  return new Date(epochSeconds * 1000).toLocaleString(ctx.i18n.locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
}

/**
 * An error as a line of text for a form or a dialog.
 * @param {AppContext} ctx
 * @param {unknown} e
 */
export function errorText(ctx, e) {
  if (e instanceof ApiError && e.kind === 'network') return ctx.t('error.network.detail');
  if (e instanceof ApiError && e.kind === 'forbidden') return ctx.t('error.forbidden.detail');
  return e instanceof Error ? e.message : String(e);
}

/**
 * Loads a `{ items, total }` list into an element: a spinner the first time, the rows (or the empty state), the
 * total, and an error state with a retry. Returns the reload function, for the rows' actions.
 * @template T
 * @param {AppContext} ctx
 * @param {{ list: HTMLElement, total: HTMLElement, fetch: () => Promise<{ items: T[], total: number }>, row: (item: T, reload: () => Promise<void>) => Node, empty: string, emptyTestid: string }} o
 */
export function listLoader(ctx, o) {
  const { t } = ctx;
  let generation = 0;
  const reload = async () => {
    const mine = ++generation;
    o.list.setAttribute('aria-busy', 'true');
    if (!o.list.firstElementChild) replace(o.list, loading(t('state.loading')));
    try {
      const page = await o.fetch();
      if (mine !== generation) return;
      o.total.textContent = t('admin.total', { count: page.total });
      replace(o.list, page.items.length ? page.items.map((item) => o.row(item, reload)) : h('div', { class: 'state state-empty', testid: o.emptyTestid }, h('p', null, o.empty)));
    } catch (e) {
      if (mine !== generation) return;
      replace(o.list, errorState(ctx, e, { onRetry: reload }));
    } finally {
      if (mine === generation) o.list.setAttribute('aria-busy', 'false');
    }
  };
  return reload;
}
