// @ts-check
/**
 * Accounts: search by username, name or phone; per account its roles and scope (changeable), deactivate and
 * reactivate (deactivating revokes every token at once), a password reset (the one-time temporary password is shown
 * once and must be changed at the next login), and closing the account (销户: irreversible, explained before).
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { errorState, loading } from '../app/ui.js';
import { adminShell } from './shell.js';
import { openDialog, showSecret, checkbox } from './dialog.js';
import { accessEditor } from './access-editor.js';
import { describeScope } from './admin-model.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */
/** @typedef {import('../app/context.js').UserAccount} UserAccount */
/** @typedef {import('../app/context.js').Hospital} Hospital */

const PAGE_SIZE = 50;

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  const search = h('input', { class: 'input search-input', type: 'search', testid: 'user-search', placeholder: t('users.search'), 'aria-label': t('users.search'), value: route.query.q ?? '', enterkeyhint: 'search' });
  const total = h('span', { class: 'total', testid: 'users-total', role: 'status' });
  const list = h('div', { class: 'admin-list', testid: 'users', role: 'list', 'aria-busy': 'true' });
  const footer = h('div', { class: 'wl-footer' });
  const element = adminShell(ctx, 'users', h('div', { class: 'toolbar' }, h('div', { class: 'search-box grow' }, icon(ICONS.search, { size: 18 }), search), total), list, footer);
  /** @type {Hospital[]} */
  let hospitals = [];
  /** @type {string} */
  let myId = '';
  let offset = 0;
  let generation = 0;

  const load = async (more = false) => {
    const mine = ++generation;
    if (!more) { offset = 0; replace(list, loading(t('state.loading'))); replace(footer); }
    list.setAttribute('aria-busy', 'true');
    try {
      const [page, hs, me] = await Promise.all([
        ctx.api.get('/api/v1/users', { q: search.value.trim(), limit: PAGE_SIZE, offset }),
        hospitals.length ? hospitals : ctx.hospitals().catch(() => []), ctx.me(),
      ]);
      if (mine !== generation) return;
      hospitals = hs;
      myId = me.id;
      if (!more) replace(list);
      /** @type {UserAccount[]} */
      const items = page.items;
      for (const u of items) list.appendChild(row(ctx, u, { hospitals, self: u.id === myId, refresh: () => load() }));
      offset += items.length;
      total.textContent = t('admin.total', { count: page.total });
      if (page.total === 0) replace(list, h('div', { class: 'state state-empty', testid: 'users-empty' }, h('p', null, t('users.empty'))));
      replace(footer, offset < page.total ? h('button', { class: 'btn subtle block', type: 'button', testid: 'users-more', onclick: () => load(true) }, t('worklist.more', { shown: offset, total: page.total })) : null);
    } catch (e) {
      if (mine !== generation) return;
      replace(list, errorState(ctx, e, { onRetry: () => load() }));
    } finally {
      if (mine === generation) list.setAttribute('aria-busy', 'false');
    }
  };
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typing;
  const searchNow = () => {
    clearTimeout(typing);
    ctx.navigate(search.value.trim() ? `/admin/users?q=${encodeURIComponent(search.value.trim())}` : '/admin/users', { quiet: true });
    load();
  };
  search.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(searchNow, 350); });
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') searchNow(); });
  load();
  return { element, title: t('admin.users.title'), destroy: () => clearTimeout(typing) };
}

/**
 * @param {AppContext} ctx
 * @param {UserAccount} u
 * @param {{ hospitals: Hospital[], self: boolean, refresh: () => void }} o
 */
function row(ctx, u, o) {
  const { t } = ctx;
  const scope = describeScope(u.scope, o.hospitals);
  const hospital = o.hospitals.find((x) => x.id === u.hospitalId)?.name ?? '';
  /** @type {HTMLElement} */
  const el = h('article', { class: `admin-row card user-${u.status}`, role: 'listitem', testid: 'user-row', dataset: { id: u.id, username: u.username, status: u.status } },
    h('div', { class: 'admin-row-head' },
      h('strong', { class: 'admin-row-title' }, u.name || u.username), h('span', { class: 'muted' }, u.username),
      h('span', { class: `status-badge acct-${u.status}`, testid: 'user-status' }, t(`users.status.${u.status}`)),
      u.mustChangePassword ? h('span', { class: 'status-badge acct-reset', testid: 'user-must-change' }, t('users.mustChange')) : null),
    h('dl', { class: 'facts' },
      h('dt', null, t('admin.roles')), h('dd', { testid: 'user-role' }, u.roles.map((r) => t(`role.${r}`)).join(' / ') || '—'),
      h('dt', null, t('scope.label')), h('dd', { testid: 'user-scope' }, t(scope.key, scope.params)),
      hospital || u.department ? [h('dt', null, t('register.department')), h('dd', null, [hospital, u.department].filter((x) => x).join(' · '))] : null,
      u.phone ? [h('dt', null, t('register.phone')), h('dd', null, u.phone)] : null),
    h('div', { class: 'row-actions' },
      h('button', { class: 'btn', type: 'button', testid: 'user-roles', onclick: () => editAccess(ctx, u, o) }, t('users.editAccess')),
      h('button', { class: 'btn', type: 'button', testid: 'user-reset-password', onclick: () => resetPassword(ctx, u, o.refresh) }, t('users.resetPassword')),
      o.self ? null : u.status === 'active'
        ? h('button', { class: 'btn', type: 'button', testid: 'user-deactivate', onclick: () => deactivate(ctx, u, o.refresh) }, t('users.deactivate'))
        : h('button', { class: 'btn', type: 'button', testid: 'user-reactivate', onclick: () => act(ctx, u, 'reactivate', o.refresh) }, t('users.reactivate')),
      o.self ? h('span', { class: 'muted self-note' }, t('users.self')) : h('button', { class: 'btn danger', type: 'button', testid: 'user-close', onclick: () => closeAccount(ctx, u, o.refresh) }, t('users.close'))));
  return el;
}

/**
 * @param {AppContext} ctx
 * @param {UserAccount} u
 * @param {'deactivate' | 'reactivate' | 'close'} what
 * @param {() => void} refresh
 */
async function act(ctx, u, what, refresh) {
  try {
    await ctx.api.post(`/api/v1/users/${encodeURIComponent(u.id)}/${what}`);
    ctx.toast(ctx.t(`users.done.${what}`, { name: u.name || u.username }), 'success');
    refresh();
  } catch (e) {
    ctx.toast(e instanceof Error ? e.message : String(e), 'error');
  }
}

/** @param {AppContext} ctx @param {UserAccount} u @param {() => void} refresh */
function deactivate(ctx, u, refresh) {
  const { t } = ctx;
  openDialog(ctx, {
    title: t('users.deactivateTitle', { name: u.name || u.username }), testid: 'deactivate-dialog',
    body: [h('p', null, t('users.deactivateExplain'))],
    confirm: { label: t('users.deactivate'), testid: 'deactivate-confirm', danger: true, run: async () => { await ctx.api.post(`/api/v1/users/${encodeURIComponent(u.id)}/deactivate`); ctx.toast(t('users.done.deactivate', { name: u.name || u.username }), 'success'); refresh(); } },
  });
}

/** @param {AppContext} ctx @param {UserAccount} u @param {() => void} refresh */
function resetPassword(ctx, u, refresh) {
  const { t } = ctx;
  openDialog(ctx, {
    title: t('users.resetTitle', { name: u.name || u.username }), testid: 'reset-dialog',
    body: [h('p', null, t('users.resetExplain'))],
    confirm: {
      label: t('users.resetPassword'), testid: 'reset-confirm',
      run: async () => {
        const { temporaryPassword } = await ctx.api.post(`/api/v1/users/${encodeURIComponent(u.id)}/reset-password`);
        // Shown once, after this dialog has closed.
        setTimeout(() => showSecret(ctx, { title: t('users.tempPasswordTitle', { name: u.name || u.username }), testid: 'temp-password-dialog', valueTestid: 'temp-password', value: temporaryPassword, note: t('users.tempPasswordNote') }), 0);
        refresh();
      },
    },
  });
}

/** @param {AppContext} ctx @param {UserAccount} u @param {() => void} refresh */
function closeAccount(ctx, u, refresh) {
  const { t } = ctx;
  const understood = checkbox(t('users.closeUnderstand'), { testid: 'close-understand' });
  const dialog = openDialog(ctx, {
    title: t('users.closeTitle', { name: u.name || u.username }), testid: 'close-dialog',
    body: [h('p', { class: 'notice danger' }, t('users.closeExplain')), understood.element],
    confirm: {
      label: t('users.closeConfirm'), testid: 'close-confirm', danger: true,
      run: async () => {
        if (!understood.box.checked) { dialog.setError(t('users.closeNeedsConsent')); return false; }
        await ctx.api.post(`/api/v1/users/${encodeURIComponent(u.id)}/close`);
        ctx.toast(t('users.done.close', { name: u.name || u.username }), 'success');
        refresh();
        return true;
      },
    },
  });
}

/**
 * @param {AppContext} ctx
 * @param {UserAccount} u
 * @param {{ hospitals: Hospital[], self: boolean, refresh: () => void }} o
 */
function editAccess(ctx, u, o) {
  const { t } = ctx;
  const editor = accessEditor(ctx, o.hospitals, { roles: u.roles, scope: u.scope }, 'access');
  openDialog(ctx, {
    title: t('users.accessTitle', { name: u.name || u.username }), testid: 'access-dialog',
    body: [editor.element],
    confirm: {
      label: t('action.save'), testid: 'access-save',
      run: async () => {
        const access = editor.checked();
        try {
          await ctx.api.patch(`/api/v1/users/${encodeURIComponent(u.id)}`, access);
        } catch (e) {
          if (e instanceof ApiError && e.status === 409 && o.self) throw new Error(t('users.ownAdminRole'));
          throw e;
        }
        ctx.toast(t('users.accessSaved', { name: u.name || u.username }), 'success');
        o.refresh();
      },
    },
  });
}
