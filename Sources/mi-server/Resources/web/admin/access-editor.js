// @ts-check
/**
 * Roles and scope of an account, as approving a registration and changing a user both ask them: role check boxes
 * and "which exams" (all hospitals, one hospital, one department of a hospital) with the hospital's departments.
 */

import { h, replace } from '../app/dom.js';
import { ROLES, parseScope, scopeValue } from './admin-model.js';
import { checkbox } from './dialog.js';

/**
 * @param {import('../app/context.js').AppContext} ctx
 * @param {import('../app/context.js').Hospital[]} hospitals
 * @param {{ roles: string[], scope: string }} initial
 * @param {string} prefix test id prefix: `approve` gives `approve-role-doctor`, `approve-scope`, `approve-hospital`, `approve-department`
 */
export function accessEditor(ctx, hospitals, initial, prefix) {
  const { t } = ctx;
  const roleBoxes = ROLES.map((r) => ({ role: r, ...checkbox(t(`role.${r}`), { checked: initial.roles.includes(r), testid: `${prefix}-role-${r}`, value: r }) }));
  const start = parseScope(initial.scope);
  const kind = h('select', { class: 'input', testid: `${prefix}-scope`, 'aria-label': t('scope.label') },
    // A scope this editor does not build (a patient's own exams) can be kept as it is.
    [...(start.kind === 'other' ? ['keep'] : []), 'department', 'hospital', 'all'].map((k) => h('option', { value: k, selected: (start.kind === 'other' ? 'keep' : start.kind) === k }, t(`scope.kind.${k}`))));
  const hospital = h('select', { class: 'input', testid: `${prefix}-hospital`, 'aria-label': t('register.hospital') },
    hospitals.map((x) => h('option', { value: x.id, selected: x.id === start.hospitalId }, x.name)));
  const department = h('select', { class: 'input', testid: `${prefix}-department`, 'aria-label': t('register.department') });
  const hospitalField = h('label', { class: 'filter-field' }, h('span', { class: 'filter-label' }, t('register.hospital')), hospital);
  const departmentField = h('label', { class: 'filter-field' }, h('span', { class: 'filter-label' }, t('register.department')), department);
  const fillDepartments = (/** @type {string} */ selected) => {
    const names = hospitals.find((x) => x.id === hospital.value)?.departments ?? [];
    replace(department, names.map((d) => h('option', { value: d, selected: d === selected }, d)));
  };
  const sync = () => {
    hospitalField.hidden = kind.value === 'all' || kind.value === 'keep';
    departmentField.hidden = kind.value !== 'department';
  };
  hospital.addEventListener('change', () => fillDepartments(''));
  kind.addEventListener('change', sync);
  fillDepartments(start.department);
  sync();
  const element = h('div', { class: 'access-editor' },
    h('fieldset', { class: 'fieldset' }, h('legend', null, t('admin.roles')), h('div', { class: 'checks' }, roleBoxes.map((b) => b.element))),
    h('fieldset', { class: 'fieldset' }, h('legend', null, t('scope.label')),
      h('label', { class: 'filter-field' }, h('span', { class: 'filter-label' }, t('scope.kind')), kind), hospitalField, departmentField));
  const roles = () => roleBoxes.filter((b) => b.box.checked).map((b) => b.role);
  const scope = () => (kind.value === 'keep' ? initial.scope : scopeValue({ kind: kind.value, hospitalId: hospital.value, department: department.value }));
  return {
    element, roles, scope,
    /** The roles and scope chosen; throws (with a message for the dialog) when a role or a part of the scope is missing. */
    checked: () => {
      const r = roles();
      const s = scope();
      if (!r.length) throw new Error(t('admin.error.noRole'));
      if (!s) throw new Error(t('admin.error.noScope'));
      return { roles: r, scope: s };
    },
  };
}
