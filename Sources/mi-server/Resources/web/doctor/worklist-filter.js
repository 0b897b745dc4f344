// @ts-check
/**
 * The worklist's filter as one plain value: what the user picked, how it goes into the URL and storage (so the
 * page remembers the last filter and a link reopens it), and how it becomes the API query. Pure; unit-tested.
 *
 * Date ranges are in the browser's local calendar: `today`, `3d` (today and the two days before), `7d`, `custom`
 * (the two dates as given), `all` (no limit: the worklist shows every date unless a filter says otherwise).
 */

/**
 * @typedef {object} WorklistFilter
 * @property {string} modality '' or a DICOM modality code
 * @property {'all' | 'today' | '3d' | '7d' | 'custom'} range
 * @property {string} dateFrom YYYY-MM-DD ('' when open), for `custom`
 * @property {string} dateTo
 * @property {'' | 'scheduled' | 'imaging' | 'report'} status
 * @property {'' | 'outpatient' | 'inpatient' | 'emergency' | 'checkup'} visitType
 * @property {string} name fuzzy (contains) unless `nameExact`
 * @property {boolean} nameExact
 * @property {string} id patient ID or accession number, exact
 * @property {'date' | 'name' | 'modality' | 'status'} sort
 * @property {'asc' | 'desc'} order
 */

export const MODALITIES = Object.freeze(['CT', 'MR', 'DX', 'CR', 'DR', 'MG', 'US', 'PT', 'NM', 'XA', 'RF', 'OT']);
export const RANGES = Object.freeze(/** @type {const} */ (['all', 'today', '3d', '7d', 'custom']));
export const STATUSES = Object.freeze(/** @type {const} */ (['scheduled', 'imaging', 'report']));
export const VISIT_TYPES = Object.freeze(/** @type {const} */ (['outpatient', 'inpatient', 'emergency', 'checkup']));
export const SORT_KEYS = Object.freeze(/** @type {const} */ (['date', 'name', 'modality', 'status']));

/** @type {Readonly<WorklistFilter>} */
export const DEFAULT_FILTER = Object.freeze({
  modality: '', range: 'all', dateFrom: '', dateTo: '', status: '', visitType: '', name: '', nameExact: false, id: '', sort: 'date', order: 'desc',
});

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The default order of a sort key: newest first for dates, A→Z for the rest (the server's defaults too).
 * @param {WorklistFilter['sort']} key
 * @returns {WorklistFilter['order']}
 */
export const defaultOrder = (key) => (key === 'date' ? 'desc' : 'asc');

/**
 * A filter from anything (storage, the URL, an old version): unknown fields dropped, bad values defaulted.
 * @param {any} o
 * @returns {WorklistFilter}
 */
export function normalizeFilter(o) {
  const f = { ...DEFAULT_FILTER };
  if (!o || typeof o !== 'object') return f;
  const str = (/** @type {unknown} */ v, max = 64) => (typeof v === 'string' ? v.trim().slice(0, max) : '');
  const modality = str(o.modality, 16).toUpperCase();
  if (/^[A-Z0-9]{1,16}$/.test(modality)) f.modality = modality;
  if (RANGES.includes(o.range)) f.range = o.range;
  if (typeof o.dateFrom === 'string' && DATE.test(o.dateFrom)) f.dateFrom = o.dateFrom;
  if (typeof o.dateTo === 'string' && DATE.test(o.dateTo)) f.dateTo = o.dateTo;
  if (f.range !== 'custom') { f.dateFrom = ''; f.dateTo = ''; }
  if (STATUSES.includes(o.status)) f.status = o.status;
  if (VISIT_TYPES.includes(o.visitType)) f.visitType = o.visitType;
  f.name = str(o.name);
  f.nameExact = o.nameExact === true || o.nameExact === '1' || o.nameExact === 'true';
  f.id = str(o.id);
  if (SORT_KEYS.includes(o.sort)) f.sort = o.sort;
  f.order = o.order === 'asc' || o.order === 'desc' ? o.order : defaultOrder(f.sort);
  return f;
}

/**
 * A local calendar date as YYYY-MM-DD.
 * @param {Date} d
 */
export function localDate(d) {
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * The dates a range covers, from `today`.
 * @param {WorklistFilter} f
 * @param {Date} today
 * @returns {{ dateFrom: string, dateTo: string }}
 */
export function rangeDates(f, today) {
  const back = (/** @type {number} */ days) => localDate(new Date(today.getFullYear(), today.getMonth(), today.getDate() - days));
  switch (f.range) {
    case 'today': return { dateFrom: back(0), dateTo: back(0) };
    case '3d': return { dateFrom: back(2), dateTo: back(0) };
    case '7d': return { dateFrom: back(6), dateTo: back(0) };
    case 'custom': {
      // Dates given the wrong way round mean the span between them.
      if (f.dateFrom && f.dateTo && f.dateFrom > f.dateTo) return { dateFrom: f.dateTo, dateTo: f.dateFrom };
      return { dateFrom: f.dateFrom, dateTo: f.dateTo };
    }
    default: return { dateFrom: '', dateTo: '' };
  }
}

/**
 * The `GET /api/v1/studies` parameters of a filter. `idField` says how the ID box is read: the app asks by
 * patient ID first and, when nothing matches, by accession number.
 * @param {WorklistFilter} f
 * @param {Date} today
 * @param {{ idField?: 'patientId' | 'accessionNumber', limit?: number, cursor?: string | null }} [options]
 * @returns {Record<string, string | number>}
 */
export function toQuery(f, today, options = {}) {
  /** @type {Record<string, string | number>} */
  const q = {};
  if (f.modality) q.modality = f.modality;
  const { dateFrom, dateTo } = rangeDates(f, today);
  if (dateFrom) q.dateFrom = dateFrom;
  if (dateTo) q.dateTo = dateTo;
  if (f.status) q.status = f.status;
  if (f.visitType) q.visitType = f.visitType;
  if (f.name) q[f.nameExact ? 'nameExact' : 'name'] = f.name;
  if (f.id) q[options.idField ?? 'patientId'] = f.id;
  q.sort = f.sort;
  q.order = f.order;
  q.limit = options.limit ?? 30;
  if (options.cursor) q.cursor = options.cursor;
  return q;
}

/**
 * The filter as page URL parameters (defaults left out, so the plain worklist has a plain URL).
 * @param {WorklistFilter} f
 * @returns {Record<string, string>}
 */
export function toURLQuery(f) {
  /** @type {Record<string, string>} */
  const q = {};
  for (const [k, v] of Object.entries(f)) {
    const d = /** @type {Record<string, unknown>} */ (DEFAULT_FILTER)[k];
    if (k === 'order' ? v === defaultOrder(f.sort) : v === d) continue;
    q[k] = typeof v === 'boolean' ? (v ? '1' : '') : String(v);
  }
  return q;
}

/**
 * Clicking a sort key: the same key flips the order, another starts at its default order.
 * @param {WorklistFilter} f
 * @param {WorklistFilter['sort']} key
 * @returns {WorklistFilter}
 */
export function toggleSort(f, key) {
  if (f.sort === key) return { ...f, order: f.order === 'asc' ? 'desc' : 'asc' };
  return { ...f, sort: key, order: defaultOrder(key) };
}

/**
 * How many filters narrow the list (the badge on the phone's filter button); search boxes and sort do not count.
 * @param {WorklistFilter} f
 */
export function activeFilterCount(f) {
  return [f.modality !== '', f.range !== 'all', f.status !== '', f.visitType !== ''].filter(Boolean).length;
}
