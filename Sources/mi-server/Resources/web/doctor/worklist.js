// @ts-check
/**
 * The worklist: every exam the doctor may see, newest first, all dates unless a filter says otherwise. Filters
 * (modality, date range, status, visit type), fuzzy name search (or exact), exact patient ID / accession number,
 * sorting by date, name, modality or status, infinite scroll with the total, pull to refresh on touch. The last
 * filter is remembered (localStorage) and kept in the URL, so that back, reload and a re-login land on the same list.
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { buildPath } from '../app/router.js';
import { appHeader, errorState, loading } from '../app/ui.js';
import {
  normalizeFilter, toQuery, toURLQuery, toggleSort, activeFilterCount, DEFAULT_FILTER, MODALITIES, STATUSES, VISIT_TYPES, SORT_KEYS, RANGES, rangeDates,
} from './worklist-filter.js';
import { displayName, ageAt } from './study-model.js';

/** @typedef {import('./worklist-filter.js').WorklistFilter} WorklistFilter */
/** @typedef {import('./study-model.js').StudyRecord} StudyRecord */

export const FILTER_KEY = 'mi.worklist.filter.v1';
const PAGE_SIZE = 30;
const PULL_THRESHOLD = 70;

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  const fromURL = Object.keys(route.query).some((k) => k in DEFAULT_FILTER);
  /** @type {WorklistFilter} */
  let filter = normalizeFilter(fromURL ? route.query : readStored());
  /** @type {'patientId' | 'accessionNumber'} */
  let idField = 'patientId';
  /** @type {string | null} */
  let cursor = null;
  let total = 0;
  let shown = 0;
  let busy = false;
  let generation = 0;
  let filtersOpen = false;
  /** @type {AbortController | null} */
  let inFlight = null;

  // ---- controls
  const nameInput = h('input', { class: 'input search-input', type: 'search', testid: 'search-name', placeholder: t('worklist.searchName'), 'aria-label': t('worklist.searchName'), value: filter.name, enterkeyhint: 'search' });
  const exactBox = h('input', { type: 'checkbox', testid: 'search-name-exact', checked: filter.nameExact });
  const idInput = h('input', { class: 'input search-input', type: 'search', testid: 'search-patient-id', placeholder: t('worklist.searchId'), 'aria-label': t('worklist.searchId'), value: filter.id, enterkeyhint: 'search', autocapitalize: 'characters', spellcheck: 'false' });
  const filterBadge = h('span', { class: 'badge', testid: 'filter-count' });
  const filterToggle = h('button', { class: 'btn icon-text filter-toggle', type: 'button', testid: 'filter-toggle', 'aria-expanded': 'false' }, icon(ICONS.filter, { size: 18 }), h('span', null, t('worklist.filters')), filterBadge);
  const modalitySelect = h('select', { class: 'input', testid: 'filter-modality', 'aria-label': t('worklist.modality') },
    h('option', { value: '' }, t('worklist.allModalities')), MODALITIES.map((m) => h('option', { value: m }, m)));
  const statusSelect = h('select', { class: 'input', testid: 'filter-status', 'aria-label': t('worklist.status') },
    h('option', { value: '' }, t('worklist.allStatuses')), STATUSES.map((s) => h('option', { value: s }, t(`status.${s}`))));
  const visitSelect = h('select', { class: 'input', testid: 'filter-visit-type', 'aria-label': t('worklist.visitType') },
    h('option', { value: '' }, t('worklist.allVisitTypes')), VISIT_TYPES.map((v) => h('option', { value: v }, t(`visit.${v}`))));
  const dateFrom = h('input', { class: 'input', type: 'date', testid: 'filter-date-from', 'aria-label': t('worklist.dateFrom') });
  const dateTo = h('input', { class: 'input', type: 'date', testid: 'filter-date-to', 'aria-label': t('worklist.dateTo') });
  const rangeChips = RANGES.map((r) => h('button', { class: 'chip', type: 'button', testid: `filter-range-${r}`, dataset: { range: r } }, t(`range.${r}`)));
  const sortButtons = SORT_KEYS.map((k) => h('button', { class: 'chip sort', type: 'button', testid: `sort-${k}`, dataset: { key: k } }, t(`sort.${k}`), h('span', { class: 'arrow' })));
  const totalEl = h('span', { class: 'total', testid: 'worklist-total', role: 'status' });
  const list = h('div', { class: 'wl-list', testid: 'worklist', role: 'list', 'aria-busy': 'true' });
  const footer = h('div', { class: 'wl-footer' });
  const sentinel = h('div', { class: 'sentinel', 'aria-hidden': 'true' });
  const pull = h('div', { class: 'pull-indicator', testid: 'pull-indicator', 'aria-hidden': 'true' }, icon(ICONS.refresh, { size: 18 }), h('span', null, t('worklist.pullToRefresh')));
  const filters = h('section', { class: 'filters', testid: 'filters' },
    h('div', { class: 'filter-group' }, h('span', { class: 'filter-label' }, t('worklist.date')), h('div', { class: 'chips' }, rangeChips),
      h('div', { class: 'date-range' }, dateFrom, h('span', { class: 'muted' }, '–'), dateTo)),
    h('div', { class: 'filter-row' },
      h('label', { class: 'filter-field' }, h('span', { class: 'filter-label' }, t('worklist.modality')), modalitySelect),
      h('label', { class: 'filter-field' }, h('span', { class: 'filter-label' }, t('worklist.status')), statusSelect),
      h('label', { class: 'filter-field' }, h('span', { class: 'filter-label' }, t('worklist.visitType')), visitSelect),
      h('button', { class: 'btn subtle', type: 'button', testid: 'filter-reset', onclick: () => apply({ ...DEFAULT_FILTER, sort: filter.sort, order: filter.order }) }, t('worklist.clearFilters'))));

  const element = h('div', { class: 'page page-worklist' },
    appHeader(ctx, { title: t('worklist.title'), active: 'worklist' }),
    h('main', { class: 'content wide' },
      h('section', { class: 'search-bar' },
        h('div', { class: 'search-box' }, icon(ICONS.search, { size: 18 }), nameInput,
          h('label', { class: 'exact', title: t('worklist.exactHint') }, exactBox, h('span', null, t('worklist.exact')))),
        h('div', { class: 'search-box' }, icon(ICONS.search, { size: 18 }), idInput),
        filterToggle),
      filters,
      h('div', { class: 'sort-bar' }, totalEl, h('div', { class: 'chips sort-chips' }, h('span', { class: 'filter-label' }, t('worklist.sortBy')), sortButtons)),
      pull,
      h('div', { class: 'wl-head', 'aria-hidden': 'true' },
        h('span', null, t('worklist.colName')), h('span', null, t('worklist.colPatientId')), h('span', null, t('worklist.modality')),
        h('span', null, t('worklist.date')), h('span', null, t('worklist.colDescription')), h('span', null, t('worklist.status'))),
      list, footer, sentinel));

  // ---- state → controls
  const syncControls = () => {
    modalitySelect.value = filter.modality;
    statusSelect.value = filter.status;
    visitSelect.value = filter.visitType;
    const dates = rangeDates(filter, new Date());
    dateFrom.value = dates.dateFrom;
    dateTo.value = dates.dateTo;
    for (const c of rangeChips) c.classList.toggle('active', c.dataset.range === filter.range);
    for (const b of sortButtons) {
      const active = b.dataset.key === filter.sort;
      b.classList.toggle('active', active);
      b.setAttribute('aria-pressed', String(active));
      /** @type {HTMLElement} */ (b.querySelector('.arrow')).textContent = active ? (filter.order === 'asc' ? '↑' : '↓') : '';
      b.title = active ? t(filter.order === 'asc' ? 'sort.ascending' : 'sort.descending') : '';
    }
    const n = activeFilterCount(filter);
    filterBadge.textContent = n ? String(n) : '';
    filterBadge.hidden = n === 0;
  };
  const setFiltersOpen = (/** @type {boolean} */ open) => {
    filtersOpen = open;
    element.classList.toggle('filters-open', open);
    filterToggle.setAttribute('aria-expanded', String(open));
  };
  filterToggle.addEventListener('click', () => setFiltersOpen(!filtersOpen));

  /** @param {WorklistFilter} next */
  const apply = (next) => {
    filter = normalizeFilter(next);
    try { localStorage.setItem(FILTER_KEY, JSON.stringify(filter)); } catch { /* private mode */ }
    ctx.navigate(buildPath('/worklist', {}, toURLQuery(filter)), { replace: true, quiet: true });
    syncControls();
    reload();
  };

  // ---- loading
  const reload = async () => {
    idField = 'patientId';
    cursor = null;
    shown = 0;
    totalEl.textContent = '';
    replace(list);
    replace(footer, loading(t('state.loading')));
    await loadMore(true);
  };

  const loadMore = async (first = false) => {
    if (busy && !first) return;
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    const mine = ++generation;
    busy = true;
    list.setAttribute('aria-busy', 'true');
    try {
      let page = await ctx.api.get('/api/v1/studies', toQuery(filter, new Date(), { idField, limit: PAGE_SIZE, cursor }), { signal: controller.signal });
      // One box for both identifiers: a patient ID first, an accession number when no patient has that ID.
      if (first && filter.id && idField === 'patientId' && page.total === 0) {
        idField = 'accessionNumber';
        page = await ctx.api.get('/api/v1/studies', toQuery(filter, new Date(), { idField, limit: PAGE_SIZE }), { signal: controller.signal });
      }
      if (mine !== generation) return;
      total = page.total;
      cursor = page.nextCursor ?? null;
      for (const item of /** @type {StudyRecord[]} */ (page.items)) list.appendChild(row(ctx, item));
      shown += page.items.length;
      totalEl.textContent = t('worklist.total', { count: total });
      if (total === 0) {
        replace(footer, h('div', { class: 'state state-empty', testid: 'worklist-empty' },
          h('p', null, t('worklist.empty')),
          activeFilterCount(filter) || filter.name || filter.id ? h('button', { class: 'btn', type: 'button', onclick: () => apply({ ...DEFAULT_FILTER }) }, t('worklist.clearFilters')) : null));
      } else if (cursor) {
        replace(footer, h('button', { class: 'btn subtle block', type: 'button', testid: 'worklist-more', onclick: () => loadMore() }, t('worklist.more', { shown, total })));
      } else {
        replace(footer, h('p', { class: 'muted center', testid: 'worklist-end' }, t('worklist.end', { count: total })));
      }
    } catch (e) {
      if (mine !== generation || (e instanceof ApiError && e.kind === 'aborted')) return;
      if (e instanceof ApiError && e.kind === 'session') return;   // on the way to the login page
      replace(footer, errorState(ctx, e, { onRetry: () => (shown === 0 ? reload() : loadMore()) }));
    } finally {
      if (mine === generation) { busy = false; list.setAttribute('aria-busy', 'false'); inFlight = null; }
    }
  };

  // ---- events
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typing;
  const searchSoon = () => { clearTimeout(typing); typing = setTimeout(() => apply({ ...filter, name: nameInput.value, id: idInput.value }), 400); };
  for (const el of [nameInput, idInput]) {
    el.addEventListener('input', searchSoon);
    el.addEventListener('keydown', (e) => { if (e.key === 'Enter') { clearTimeout(typing); apply({ ...filter, name: nameInput.value, id: idInput.value }); el.blur(); } });
  }
  exactBox.addEventListener('change', () => apply({ ...filter, name: nameInput.value, nameExact: exactBox.checked }));
  modalitySelect.addEventListener('change', () => apply({ ...filter, modality: modalitySelect.value }));
  statusSelect.addEventListener('change', () => apply({ ...filter, status: /** @type {any} */ (statusSelect.value) }));
  visitSelect.addEventListener('change', () => apply({ ...filter, visitType: /** @type {any} */ (visitSelect.value) }));
  for (const c of rangeChips) c.addEventListener('click', () => apply({ ...filter, range: /** @type {any} */ (c.dataset.range), ...(c.dataset.range === 'custom' ? { dateFrom: dateFrom.value, dateTo: dateTo.value } : {}) }));
  for (const el of [dateFrom, dateTo]) el.addEventListener('change', () => apply({ ...filter, range: 'custom', dateFrom: dateFrom.value, dateTo: dateTo.value }));
  for (const b of sortButtons) b.addEventListener('click', () => apply(toggleSort(filter, /** @type {any} */ (b.dataset.key))));

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && cursor && !busy) loadMore();
  }, { rootMargin: '400px' });
  observer.observe(sentinel);
  const onOnline = () => { if (footer.querySelector('[data-testid="error-network"]')) (shown === 0 ? reload() : loadMore()); };
  window.addEventListener('online', onOnline);
  const detachPull = pullToRefresh(element, pull, () => reload());

  syncControls();
  reload();
  return {
    element, title: t('worklist.title'),
    destroy: () => { observer.disconnect(); window.removeEventListener('online', onOnline); detachPull(); inFlight?.abort(); clearTimeout(typing); },
  };
}

/** @returns {unknown} */
function readStored() {
  try { return JSON.parse(localStorage.getItem(FILTER_KEY) ?? 'null'); } catch { return null; }
}

/**
 * One exam in the list.
 * @param {import('../app/context.js').AppContext} ctx
 * @param {StudyRecord} s
 */
function row(ctx, s) {
  const { t } = ctx;
  const age = ageAt(s.patientBirthDate, s.studyDate);
  const sexAge = [s.patientSex ? t(`sex.${s.patientSex}`) : '', age !== null ? t('worklist.age', { age }) : ''].filter((x) => x).join(' ');
  const href = buildPath('/studies/:uid', { uid: s.studyInstanceUID });
  return h('div', { class: `wl-row status-${s.status}`, role: 'listitem', testid: 'worklist-row', dataset: { studyUid: s.studyInstanceUID, status: s.status, modality: s.modality ?? '' } },
    h('a', { class: 'wl-main', href, testid: 'worklist-open' },
      h('span', { class: 'wl-name', testid: 'row-name' }, displayName(s.patientName) || t('worklist.noName'), sexAge ? h('small', null, sexAge) : null),
      h('span', { class: 'wl-id', testid: 'row-patient-id' }, s.patientId ?? ''),
      h('span', { class: 'wl-modality' }, h('span', { class: `modality-badge m-${(s.modality ?? '').toLowerCase()}`, testid: 'row-modality' }, s.modality || '—')),
      h('span', { class: 'wl-date', testid: 'row-date' }, s.studyDate || t('worklist.notYet'), s.studyTime ? h('small', null, s.studyTime.slice(0, 5)) : null),
      h('span', { class: 'wl-desc', testid: 'row-description' }, [s.description, s.accessionNumber ? `#${s.accessionNumber}` : ''].filter((x) => x).join(' · ')),
      h('span', { class: 'wl-status' }, h('span', { class: `status-badge s-${s.status}`, testid: 'row-status' }, t(`status.${s.status}`)),
        s.visitType ? h('small', { class: 'muted' }, t(`visit.${s.visitType}`)) : null)),
    s.status === 'report'
      ? h('a', { class: 'wl-report icon-btn', href: buildPath('/studies/:uid/reports', { uid: s.studyInstanceUID }), testid: 'row-reports', title: t('study.reports'), 'aria-label': t('study.reports') }, icon(ICONS.report, { size: 20 }))
      : h('span', { class: 'wl-report' }));
}

/**
 * Pull down at the top of the page to refresh (touch only). The browser's own pull-to-refresh (a page reload) is
 * held off by `overscroll-behavior-y: contain` on this page.
 * @param {HTMLElement} page
 * @param {HTMLElement} indicator
 * @param {() => Promise<void>} refresh
 */
function pullToRefresh(page, indicator, refresh) {
  let startY = -1;
  let distance = 0;
  let refreshing = false;
  /** @param {TouchEvent} e */
  const start = (e) => {
    if (refreshing || e.touches.length !== 1 || window.scrollY > 0) { startY = -1; return; }
    startY = e.touches[0].clientY;
    distance = 0;
  };
  /** @param {TouchEvent} e */
  const move = (e) => {
    if (startY < 0) return;
    distance = e.touches[0].clientY - startY;
    if (distance <= 0 || window.scrollY > 0) { indicator.style.setProperty('--pull', '0px'); page.classList.remove('pulling'); return; }
    if (e.cancelable) e.preventDefault();
    const shown = Math.min(distance * 0.5, PULL_THRESHOLD * 1.4);
    page.classList.add('pulling');
    indicator.classList.toggle('armed', distance * 0.5 >= PULL_THRESHOLD);
    indicator.style.setProperty('--pull', `${shown}px`);
  };
  const end = async () => {
    if (startY < 0) return;
    startY = -1;
    const armed = distance * 0.5 >= PULL_THRESHOLD;
    page.classList.remove('pulling');
    indicator.classList.remove('armed');
    if (!armed) { indicator.style.setProperty('--pull', '0px'); return; }
    refreshing = true;
    indicator.classList.add('refreshing');
    indicator.style.setProperty('--pull', `${PULL_THRESHOLD * 0.6}px`);
    try { await refresh(); } finally {
      refreshing = false;
      indicator.classList.remove('refreshing');
      indicator.style.setProperty('--pull', '0px');
    }
  };
  page.addEventListener('touchstart', start, { passive: true });
  page.addEventListener('touchmove', move, { passive: false });
  page.addEventListener('touchend', end);
  page.addEventListener('touchcancel', end);
  return () => {
    page.removeEventListener('touchstart', start);
    page.removeEventListener('touchmove', move);
    page.removeEventListener('touchend', end);
    page.removeEventListener('touchcancel', end);
  };
}
