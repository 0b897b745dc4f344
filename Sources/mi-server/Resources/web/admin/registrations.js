// @ts-check
/**
 * Registration review: doctors' sign-ups waiting for a decision (and the decided ones on request), with their
 * details; approve with roles and a scope (the doctor's own department by default), or reject with a reason the
 * doctor reads at their next login.
 */

import { h, replace } from '../app/dom.js';
import { errorState, loading } from '../app/ui.js';
import { adminShell, dateTime } from './shell.js';
import { openDialog } from './dialog.js';
import { accessEditor } from './access-editor.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */
/** @typedef {import('../app/context.js').Hospital} Hospital */
/**
 * @typedef {object} Registration
 * @property {string} id
 * @property {string} name
 * @property {string} phone
 * @property {string} hospitalId
 * @property {string} department
 * @property {string} title
 * @property {string} username
 * @property {'pending' | 'approved' | 'rejected'} status
 * @property {string} reason
 * @property {number} createdAt
 * @property {number} [decidedAt]
 */

const STATUSES = /** @type {const} */ (['pending', 'approved', 'rejected']);

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  /** @type {typeof STATUSES[number]} */
  let status = STATUSES.find((s) => s === route.query.status) ?? 'pending';
  const chips = STATUSES.map((s) => h('button', { class: 'chip', type: 'button', testid: `registrations-${s}`, dataset: { status: s } }, t(`registration.status.${s}`)));
  const total = h('span', { class: 'total', testid: 'registrations-total', role: 'status' });
  const list = h('div', { class: 'admin-list', testid: 'registrations', role: 'list', 'aria-busy': 'true' });
  const element = adminShell(ctx, 'registrations',
    h('div', { class: 'toolbar' }, h('div', { class: 'chips' }, chips), total),
    list);

  const load = async () => {
    for (const c of chips) c.classList.toggle('active', c.dataset.status === status);
    list.setAttribute('aria-busy', 'true');
    replace(list, loading(t('state.loading')));
    try {
      const [page, hospitals] = await Promise.all([ctx.api.get('/api/v1/registrations', { status }), ctx.hospitals().catch(() => [])]);
      /** @type {Registration[]} */
      const items = page.items;
      // Newest decisions first; pending ones in the order they came.
      if (status !== 'pending') items.sort((a, b) => (b.decidedAt ?? 0) - (a.decidedAt ?? 0));
      total.textContent = t('admin.total', { count: items.length });
      replace(list, items.length ? items.map((r) => row(ctx, r, hospitals, load)) : h('div', { class: 'state state-empty', testid: 'registrations-empty' }, h('p', null, t(`registration.empty.${status}`))));
    } catch (e) {
      replace(list, errorState(ctx, e, { onRetry: load }));
    } finally {
      list.setAttribute('aria-busy', 'false');
    }
  };
  for (const c of chips) {
    c.addEventListener('click', () => {
      status = /** @type {typeof status} */ (c.dataset.status);
      ctx.navigate(status === 'pending' ? '/admin/registrations' : `/admin/registrations?status=${status}`, { quiet: true });
      load();
    });
  }
  load();
  return { element, title: t('admin.registrations.title') };
}

/**
 * @param {AppContext} ctx
 * @param {Registration} r
 * @param {Hospital[]} hospitals
 * @param {() => void} reload
 */
function row(ctx, r, hospitals, reload) {
  const { t } = ctx;
  const hospital = hospitals.find((x) => x.id === r.hospitalId)?.name ?? r.hospitalId;
  return h('article', { class: 'admin-row card', role: 'listitem', testid: 'registration-row', dataset: { id: r.id, username: r.username, status: r.status } },
    h('div', { class: 'admin-row-head' },
      h('strong', { class: 'admin-row-title' }, r.name), h('span', { class: 'muted' }, r.title),
      h('span', { class: `status-badge reg-${r.status}` }, t(`registration.status.${r.status}`))),
    h('dl', { class: 'facts' },
      h('dt', null, t('register.username')), h('dd', { testid: 'registration-username' }, r.username),
      h('dt', null, t('register.phone')), h('dd', null, r.phone),
      h('dt', null, t('register.hospital')), h('dd', null, hospital),
      h('dt', null, t('register.department')), h('dd', { testid: 'registration-department' }, r.department),
      h('dt', null, t('registration.submitted')), h('dd', null, dateTime(ctx, r.createdAt)),
      r.status === 'rejected' ? [h('dt', null, t('registration.reason')), h('dd', { testid: 'registration-reason' }, r.reason || '—')] : null),
    r.status === 'pending'
      ? h('div', { class: 'row-actions' },
        h('button', { class: 'btn danger', type: 'button', testid: 'registration-reject', onclick: () => reject(ctx, r, reload) }, t('registration.reject')),
        h('button', { class: 'btn primary', type: 'button', testid: 'registration-approve', onclick: () => approve(ctx, r, hospitals, reload) }, t('registration.approve')))
      : null);
}

/**
 * @param {AppContext} ctx
 * @param {Registration} r
 * @param {Hospital[]} hospitals
 * @param {() => void} reload
 */
function approve(ctx, r, hospitals, reload) {
  const { t } = ctx;
  const editor = accessEditor(ctx, hospitals, { roles: ['doctor'], scope: `department:${r.hospitalId}:${r.department}` }, 'approve');
  openDialog(ctx, {
    title: t('registration.approveTitle', { name: r.name }), testid: 'approve-dialog',
    body: [h('p', { class: 'muted' }, t('registration.approveIntro')), editor.element],
    confirm: {
      label: t('registration.approve'), testid: 'approve-confirm',
      run: async () => {
        await ctx.api.post(`/api/v1/registrations/${encodeURIComponent(r.id)}/approve`, editor.checked());
        ctx.toast(t('registration.approved', { name: r.name }), 'success');
        reload();
      },
    },
  });
}

/**
 * @param {AppContext} ctx
 * @param {Registration} r
 * @param {() => void} reload
 */
function reject(ctx, r, reload) {
  const { t } = ctx;
  const reason = h('textarea', { class: 'input', id: 'reject-reason', testid: 'reject-reason', rows: 3, maxlength: 500, required: true });
  const dialog = openDialog(ctx, {
    title: t('registration.rejectTitle', { name: r.name }), testid: 'reject-dialog',
    body: [h('label', { for: 'reject-reason' }, t('registration.reasonLabel')), reason, h('p', { class: 'field-hint' }, t('registration.reasonHint'))],
    confirm: {
      label: t('registration.reject'), testid: 'reject-confirm', danger: true,
      run: async () => {
        if (!reason.value.trim()) { dialog.setError(t('registration.reasonRequired')); reason.focus(); return false; }
        await ctx.api.post(`/api/v1/registrations/${encodeURIComponent(r.id)}/reject`, { reason: reason.value.trim() });
        ctx.toast(t('registration.rejected', { name: r.name }), 'success');
        reload();
        return true;
      },
    },
  });
}
