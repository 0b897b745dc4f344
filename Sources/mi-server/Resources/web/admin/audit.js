// @ts-check
/**
 * The audit log: who did what to which patient or exam, and when, newest first. Filters (user, action, patient ID,
 * Study Instance UID, a date range in the administrator's own days) live in the URL; pages of 50 rows; "export CSV"
 * downloads `audit.csv` with the same filters (the server's CSV, every matching row).
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { buildPath } from '../app/router.js';
import { errorState, loading } from '../app/ui.js';
import { adminShell, dateTime, errorText } from './shell.js';
import {
  AUDIT_ACTIONS, DEFAULT_AUDIT_FILTER, normalizeAuditFilter, auditPageQuery, auditFilterQuery, auditURLQuery, auditFilterActive, pageRange,
} from './admin-model.js';

/** @typedef {import('./admin-model.js').AuditFilter} AuditFilter */
/**
 * @typedef {object} AuditEvent
 * @property {number} id
 * @property {number} at
 * @property {string} actor
 * @property {string} action
 * @property {string} outcome
 * @property {string} patientId
 * @property {string} studyInstanceUID
 * @property {string} detail
 * @property {string} clientIP
 */

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  /** @type {AuditFilter} */
  let filter = normalizeAuditFilter(route.query);
  let generation = 0;

  const text = (/** @type {string} */ key, /** @type {string} */ label, extra = {}) =>
    h('input', { class: 'input', type: 'search', testid: `audit-filter-${key}`, 'aria-label': label, placeholder: label, spellcheck: 'false', ...extra });
  const user = text('user', t('audit.user'), { autocapitalize: 'none' });
  const patient = text('patient', t('audit.patientId'));
  const study = text('study', t('audit.study'));
  const action = h('select', { class: 'input', testid: 'audit-filter-action', 'aria-label': t('audit.action') },
    h('option', { value: '' }, t('audit.allActions')), AUDIT_ACTIONS.map((a) => h('option', { value: a }, t(`audit.action.${a}`))));
  const from = h('input', { class: 'input', type: 'date', testid: 'audit-filter-from', 'aria-label': t('worklist.dateFrom') });
  const to = h('input', { class: 'input', type: 'date', testid: 'audit-filter-to', 'aria-label': t('worklist.dateTo') });
  const labelled = (/** @type {string} */ label, /** @type {HTMLElement} */ control) => h('label', { class: 'filter-field' }, h('span', { class: 'filter-label' }, label), control);
  const reset = h('button', { class: 'btn subtle', type: 'button', testid: 'audit-filter-reset', onclick: () => apply({ ...DEFAULT_AUDIT_FILTER }) }, t('worklist.clearFilters'));
  const exportButton = h('button', { class: 'btn', type: 'button', testid: 'audit-export' }, icon(ICONS.download, { size: 18 }), t('audit.export'));
  const total = h('span', { class: 'total', testid: 'audit-total', role: 'status' });
  const list = h('div', { class: 'audit-list', testid: 'audit', role: 'table', 'aria-busy': 'true' });
  const prev = h('button', { class: 'btn', type: 'button', testid: 'audit-prev' }, t('audit.prev'));
  const next = h('button', { class: 'btn', type: 'button', testid: 'audit-next' }, t('audit.next'));
  const pageLabel = h('span', { class: 'muted', testid: 'audit-page' });

  const element = adminShell(ctx, 'audit',
    h('section', { class: 'filters audit-filters', testid: 'audit-filters' },
      labelled(t('audit.user'), user), labelled(t('audit.action'), action), labelled(t('audit.patientId'), patient), labelled(t('audit.study'), study),
      labelled(t('worklist.dateFrom'), from), labelled(t('worklist.dateTo'), to),
      h('div', { class: 'filter-buttons' }, reset, exportButton)),
    h('div', { class: 'toolbar' }, total),
    h('div', { class: 'audit-head', 'aria-hidden': 'true' },
      ['audit.time', 'audit.user', 'audit.action', 'audit.subject', 'audit.detail', 'audit.ip'].map((k) => h('span', null, t(k)))),
    list,
    h('div', { class: 'pager' }, prev, pageLabel, next));

  const sync = () => {
    user.value = filter.user; action.value = filter.action; patient.value = filter.patientId; study.value = filter.studyInstanceUID;
    from.value = filter.from; to.value = filter.to;
    reset.hidden = !auditFilterActive(filter);
  };

  /** @param {Partial<AuditFilter>} next */
  const apply = (next) => {
    filter = normalizeAuditFilter({ ...filter, page: 0, ...next });
    ctx.navigate(buildPath('/admin/audit', {}, auditURLQuery(filter)), { quiet: true });
    sync();
    load();
  };
  const fromForm = () => ({ user: user.value, action: action.value, patientId: patient.value, studyInstanceUID: study.value, from: from.value, to: to.value });

  const load = async () => {
    const mine = ++generation;
    list.setAttribute('aria-busy', 'true');
    if (!list.firstElementChild) replace(list, loading(t('state.loading')));
    try {
      const page = await ctx.api.get('/api/v1/audit', auditPageQuery(filter));
      if (mine !== generation) return;
      /** @type {AuditEvent[]} */
      const items = page.items;
      const range = pageRange(filter.page, items.length, page.total);
      total.textContent = t('audit.total', { count: page.total });
      pageLabel.textContent = t('audit.pageOf', { first: range.first, last: range.last, total: page.total });
      prev.disabled = filter.page === 0;
      next.disabled = range.last >= page.total;
      replace(list, items.length ? items.map((e) => row(ctx, e)) : h('div', { class: 'state state-empty', testid: 'audit-empty' }, h('p', null, t('audit.empty'))));
    } catch (e) {
      if (mine !== generation) return;
      replace(list, errorState(ctx, e, { onRetry: load }));
    } finally {
      if (mine === generation) list.setAttribute('aria-busy', 'false');
    }
  };

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typing;
  for (const el of [user, patient, study]) {
    el.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(() => apply(fromForm()), 400); });
    el.addEventListener('keydown', (e) => { if (e.key === 'Enter') { clearTimeout(typing); apply(fromForm()); } });
  }
  for (const el of [action, from, to]) el.addEventListener('change', () => { clearTimeout(typing); apply(fromForm()); });
  prev.addEventListener('click', () => apply({ ...fromForm(), page: Math.max(0, filter.page - 1) }));
  next.addEventListener('click', () => apply({ ...fromForm(), page: filter.page + 1 }));
  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    try {
      const blob = await ctx.api.blob('/api/v1/audit.csv', auditFilterQuery(filter));
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: `audit-${new Date().toISOString().slice(0, 10)}.csv`, hidden: true });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      ctx.toast(errorText(ctx, e), 'error');
    } finally {
      exportButton.disabled = false;
    }
  });

  sync();
  load();
  return { element, title: t('admin.audit.title'), destroy: () => clearTimeout(typing) };
}

/**
 * @param {import('../app/context.js').AppContext} ctx
 * @param {AuditEvent} e
 */
function row(ctx, e) {
  const { t } = ctx;
  const known = AUDIT_ACTIONS.includes(e.action);
  const subject = [e.patientId, e.studyInstanceUID].filter((x) => x).join(' · ');
  return h('div', { class: `audit-row outcome-${e.outcome}`, role: 'row', testid: 'audit-row', dataset: { action: e.action, actor: e.actor, outcome: e.outcome, id: String(e.id) } },
    h('span', { class: 'audit-time', role: 'cell' }, dateTime(ctx, e.at)),
    h('span', { class: 'audit-actor', role: 'cell', testid: 'audit-actor' }, e.actor),
    h('span', { class: 'audit-action', role: 'cell' },
      h('span', { class: `status-badge ${e.outcome === 'success' ? 'audit-ok' : 'audit-fail'}`, testid: 'audit-action', title: e.action }, known ? t(`audit.action.${e.action}`) : e.action)),
    h('span', { class: 'audit-subject', role: 'cell', title: subject }, subject),
    h('span', { class: 'audit-detail', role: 'cell', title: e.detail }, e.detail),
    h('span', { class: 'audit-ip muted', role: 'cell' }, e.clientIP));
}
