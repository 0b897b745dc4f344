// @ts-check
/**
 * Hospitals and departments: what doctor sign-up offers and what scopes name (`hospital:ID`, `department:ID:NAME`).
 * Create a hospital (id, name, Institution Name aliases, departments), rename it and edit its aliases, add and
 * remove departments. The server refuses to remove a department an account is scoped to, and says why.
 */

import { h, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { field, input } from '../doctor/form.js';
import { adminShell, errorText, listLoader } from './shell.js';
import { openDialog } from './dialog.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */
/** @typedef {{ id: string, name: string, aliases: string[], departments: string[] }} HospitalRecord */

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx) {
  const { t } = ctx;
  const list = h('div', { class: 'admin-list', testid: 'hospitals', role: 'list', 'aria-busy': 'true' });
  const total = h('span', { class: 'total', testid: 'hospitals-total', role: 'status' });
  const element = adminShell(ctx, 'hospitals',
    h('div', { class: 'toolbar' }, total,
      h('button', { class: 'btn primary', type: 'button', testid: 'hospital-add', onclick: () => edit(ctx, null, load) }, icon(ICONS.plus, { size: 18 }), t('hospitals.add'))),
    list);
  const load = listLoader(ctx, {
    list, total, fetch: () => ctx.api.get('/api/v1/hospitals'), row: (/** @type {HospitalRecord} */ x, reload) => row(ctx, x, reload),
    empty: t('hospitals.empty'), emptyTestid: 'hospitals-empty',
  });
  load();
  return { element, title: t('admin.hospitals.title') };
}

/**
 * Lines of a textarea as a list: trimmed, blank lines dropped.
 * @param {string} text
 */
function lines(text) {
  return text.split('\n').map((s) => s.trim()).filter(Boolean);
}

/** @param {AppContext} ctx @param {HospitalRecord} x @param {() => Promise<void>} reload */
function row(ctx, x, reload) {
  const { t } = ctx;
  const status = h('p', { class: 'form-error', testid: 'hospital-error', role: 'alert' });
  /** @param {Record<string, unknown>} change */
  const patch = async (change) => {
    status.textContent = '';
    try {
      await ctx.api.patch(`/api/v1/hospitals/${encodeURIComponent(x.id)}`, change);
      ctx.toast(t('hospitals.saved'), 'success');
      await reload();
    } catch (e) {
      status.textContent = errorText(ctx, e);
    }
  };
  const newDepartment = /** @type {HTMLInputElement} */ (input('text', { maxlength: 64, placeholder: t('hospitals.departmentPlaceholder'), 'aria-label': t('hospitals.newDepartment') }));
  newDepartment.dataset.testid = 'department-name';
  const add = () => { const name = newDepartment.value.trim(); if (name) patch({ addDepartments: [name] }); };
  newDepartment.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } });
  return h('article', { class: 'admin-row card', role: 'listitem', testid: 'hospital-row', dataset: { id: x.id } },
    h('div', { class: 'admin-row-head' }, h('strong', { class: 'admin-row-title', testid: 'hospital-title' }, x.name), h('span', { class: 'mono muted' }, x.id)),
    h('dl', { class: 'facts' },
      h('dt', null, t('hospitals.aliases')), h('dd', { testid: 'hospital-aliases' }, x.aliases.length ? x.aliases.join('；') : '—'),
      h('dt', null, t('hospitals.departments')),
      h('dd', null, h('ul', { class: 'chips', testid: 'hospital-departments' }, x.departments.map((d) => h('li', { class: 'chip', testid: 'department', dataset: { name: d } }, d,
        h('button', { class: 'chip-remove', type: 'button', testid: 'department-remove', title: t('hospitals.removeDepartment', { name: d }), 'aria-label': t('hospitals.removeDepartment', { name: d }),
          onclick: () => patch({ removeDepartments: [d] }) }, icon(ICONS.close, { size: 14 }))))))),
    h('div', { class: 'department-add-row' }, newDepartment,
      h('button', { class: 'btn', type: 'button', testid: 'department-add', onclick: add }, icon(ICONS.plus, { size: 18 }), t('hospitals.addDepartment'))),
    status,
    h('div', { class: 'row-actions' },
      h('button', { class: 'btn', type: 'button', testid: 'hospital-edit', onclick: () => edit(ctx, x, reload) }, icon(ICONS.edit, { size: 18 }), t('hospitals.edit'))));
}

/** @param {AppContext} ctx @param {HospitalRecord | null} x @param {() => Promise<void>} reload */
function edit(ctx, x, reload) {
  const { t } = ctx;
  const textarea = (/** @type {string} */ value) => h('textarea', { class: 'input', rows: 3 }, value);
  /** @type {Record<string, { element: HTMLElement, setError: (message: string | null) => void }>} */
  const fields = {
    name: field({ id: 'hospital-name', label: t('hospitals.name'), control: input('text', { value: x?.name ?? '', maxlength: 100 }) }),
    aliases: field({ id: 'hospital-aliases-input', label: t('hospitals.aliases'), hint: t('hospitals.aliasesHint'), control: textarea(x?.aliases.join('\n') ?? '') }),
  };
  if (!x) {
    fields.id = field({ id: 'hospital-id', label: t('hospitals.id'), hint: t('hospitals.idHint'), control: input('text', { maxlength: 64, autocapitalize: 'none', spellcheck: 'false', pattern: '[a-z0-9_-]+' }) });
    fields.departments = field({ id: 'hospital-departments-input', label: t('hospitals.departments'), hint: t('hospitals.departmentsHint'), control: textarea('') });
  }
  const value = (/** @type {string} */ k) => /** @type {HTMLInputElement | HTMLTextAreaElement} */ (fields[k].element.querySelector('input, textarea')).value;
  openDialog(ctx, {
    title: x ? t('hospitals.editTitle', { name: x.name }) : t('hospitals.add'), testid: 'hospital-dialog',
    body: x ? [fields.name.element, fields.aliases.element] : [fields.id.element, fields.name.element, fields.aliases.element, fields.departments.element],
    confirm: {
      label: t('action.save'), testid: 'hospital-save',
      run: async () => {
        for (const f of Object.values(fields)) f.setError(null);
        if (!value('name').trim()) { fields.name.setError(t('hospitals.nameRequired')); return false; }
        try {
          if (x) await ctx.api.patch(`/api/v1/hospitals/${encodeURIComponent(x.id)}`, { name: value('name').trim(), aliases: lines(value('aliases')) });
          else await ctx.api.post('/api/v1/hospitals', { id: value('id').trim(), name: value('name').trim(), aliases: lines(value('aliases')), departments: lines(value('departments')) });
        } catch (e) {
          const k = e instanceof ApiError ? (e.parameter === 'department' ? 'departments' : e.parameter) : null;
          if (k && k in fields) { fields[k].setError(/** @type {Error} */ (e).message); return false; }
          throw e;
        }
        ctx.toast(t('hospitals.saved'), 'success');
        reload();
      },
    },
  });
}
