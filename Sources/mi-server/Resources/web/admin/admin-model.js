// @ts-check
/**
 * The pure rules of the administration pages: the pages and their order, access scopes as the server stores them
 * (`all`, `hospital:ID`, `department:ID:NAME`), the audit filter and its query, the security policy form (seconds
 * shown in the unit people think in) and the PACS link checks (the server's rules, `validatePACSNode`). Unit-tested
 * in Node; no DOM here.
 */

/** The administration pages, in the order of the menu. */
export const ADMIN_PAGES = Object.freeze(/** @type {const} */ (['registrations', 'users', 'hospitals', 'audit', 'clients', 'pacs', 'settings']));
/** @typedef {typeof ADMIN_PAGES[number]} AdminPage */

/** Roles an administrator can grant (the server's `Role`). */
export const ROLES = Object.freeze(/** @type {const} */ (['doctor', 'administrator', 'patient', 'integration']));

/** Audited actions (the server's `AuditAction`), for the filter. */
export const AUDIT_ACTIONS = Object.freeze([
  'login.success', 'login.failure', 'logout', 'worklist.query', 'study.view', 'file.download', 'report.view',
  'instance.ingest', 'order.create', 'report.attach', 'share.create', 'share.open', 'share.revoke',
  'registration.create', 'registration.approve', 'registration.reject', 'user.deactivate', 'user.reactivate',
  'user.close', 'user.reset_password', 'user.update', 'password.change', 'client.create', 'client.rotate_secret',
  'settings.change', 'audit.export', 'hospital.change', 'consent.grant', 'consent.deny', 'pacs.change',
  'patient_link.create', 'patient_link.open', 'patient_link.revoke', 'patient.verify', 'patient.retrieve',
  'consult.message',
]);

/** Grant types an integration client may have (the server's `GrantType`). */
export const GRANT_TYPES = Object.freeze(/** @type {const} */ (['client_credentials', 'authorization_code', 'refresh_token']));

// ---------------------------------------------------------------- scopes

/** @typedef {{ kind: 'all' | 'hospital' | 'department' | 'other', hospitalId: string, department: string, stored: string }} Scope */

/**
 * The parts of a stored scope.
 * @param {string} stored
 * @returns {Scope}
 */
export function parseScope(stored) {
  const [kind, ...rest] = stored.split(':');
  if (stored === 'all') return { kind: 'all', hospitalId: '', department: '', stored };
  if (kind === 'hospital' && rest.length === 1 && rest[0]) return { kind: 'hospital', hospitalId: rest[0], department: '', stored };
  if (kind === 'department' && rest.length >= 2 && rest[0]) return { kind: 'department', hospitalId: rest[0], department: rest.slice(1).join(':'), stored };
  return { kind: 'other', hospitalId: '', department: '', stored };
}

/**
 * The stored form of a scope, or null when a part it needs is missing.
 * @param {{ kind: string, hospitalId?: string, department?: string }} scope
 */
export function scopeValue(scope) {
  if (scope.kind === 'all') return 'all';
  if (scope.kind === 'hospital') return scope.hospitalId ? `hospital:${scope.hospitalId}` : null;
  if (scope.kind === 'department') return scope.hospitalId && scope.department ? `department:${scope.hospitalId}:${scope.department}` : null;
  return null;
}

/**
 * A scope in words: the message key and its parameters (hospital names from the list when known).
 * @param {string} stored
 * @param {ReadonlyArray<{ id: string, name: string }>} hospitals
 * @returns {{ key: string, params: Record<string, string> }}
 */
export function describeScope(stored, hospitals) {
  const s = parseScope(stored);
  const hospital = hospitals.find((x) => x.id === s.hospitalId)?.name ?? s.hospitalId;
  if (s.kind === 'all') return { key: 'scope.all', params: {} };
  if (s.kind === 'hospital') return { key: 'scope.hospital', params: { hospital } };
  if (s.kind === 'department') return { key: 'scope.department', params: { hospital, department: s.department } };
  return { key: 'scope.other', params: { scope: stored } };
}

// ---------------------------------------------------------------- audit filter

/** @typedef {{ user: string, action: string, patientId: string, studyInstanceUID: string, from: string, to: string, page: number }} AuditFilter */

/** @type {Readonly<AuditFilter>} */
export const DEFAULT_AUDIT_FILTER = Object.freeze({ user: '', action: '', patientId: '', studyInstanceUID: '', from: '', to: '', page: 0 });
export const AUDIT_PAGE_SIZE = 50;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A filter from a URL query or a form, each field checked; unknown or malformed values are dropped.
 * @param {unknown} raw
 * @returns {AuditFilter}
 */
export function normalizeAuditFilter(raw) {
  const r = /** @type {Record<string, unknown>} */ (raw && typeof raw === 'object' ? raw : {});
  const text = (/** @type {string} */ k, max = 128) => (typeof r[k] === 'string' ? String(r[k]).trim().slice(0, max) : '');
  const day = (/** @type {string} */ k) => (typeof r[k] === 'string' && DAY.test(String(r[k])) && !Number.isNaN(Date.parse(String(r[k]))) ? String(r[k]) : '');
  const page = Number(r.page);
  let from = day('from');
  let to = day('to');
  if (from && to && from > to) [from, to] = [to, from];
  return {
    user: text('user', 64),
    action: AUDIT_ACTIONS.includes(text('action')) ? text('action') : '',
    patientId: text('patientId', 64),
    studyInstanceUID: text('studyInstanceUID', 64),
    from, to,
    page: Number.isInteger(page) && page > 0 ? Math.min(page, 1_000_000) : 0,
  };
}

/**
 * The instant a local calendar day starts (or ends, the last second), as ISO 8601: the server takes a bare date as
 * a UTC day, and an administrator in Beijing means their own day.
 * @param {string} day `YYYY-MM-DD`
 * @param {boolean} endOfDay
 */
export function localDayInstant(day, endOfDay) {
  const [y, m, d] = day.split('-').map(Number);
  return (endOfDay ? new Date(y, m - 1, d, 23, 59, 59) : new Date(y, m - 1, d, 0, 0, 0)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The filters of `GET /api/v1/audit` and `/audit.csv` (without paging).
 * @param {AuditFilter} f
 */
export function auditFilterQuery(f) {
  return {
    user: f.user, action: f.action, patientId: f.patientId, studyInstanceUID: f.studyInstanceUID,
    from: f.from ? localDayInstant(f.from, false) : '', to: f.to ? localDayInstant(f.to, true) : '',
  };
}

/**
 * The query of one page of `GET /api/v1/audit`.
 * @param {AuditFilter} f
 * @param {number} [pageSize]
 */
export function auditPageQuery(f, pageSize = AUDIT_PAGE_SIZE) {
  return { ...auditFilterQuery(f), limit: pageSize, offset: f.page * pageSize };
}

/**
 * The filter as the page URL keeps it (empty values and page 0 left out by `buildPath`).
 * @param {AuditFilter} f
 */
export function auditURLQuery(f) {
  return { user: f.user, action: f.action, patientId: f.patientId, studyInstanceUID: f.studyInstanceUID, from: f.from, to: f.to, page: f.page || '' };
}

/**
 * Whether any filter is set (paging aside).
 * @param {AuditFilter} f
 */
export function auditFilterActive(f) {
  return Boolean(f.user || f.action || f.patientId || f.studyInstanceUID || f.from || f.to);
}

/**
 * "Rows 51–100 of 230": the first and last row shown and the number of pages.
 * @param {number} page
 * @param {number} shown rows on this page
 * @param {number} total
 * @param {number} [pageSize]
 */
export function pageRange(page, shown, total, pageSize = AUDIT_PAGE_SIZE) {
  const first = shown === 0 ? 0 : page * pageSize + 1;
  return { first, last: shown === 0 ? 0 : page * pageSize + shown, pages: Math.max(1, Math.ceil(total / pageSize)) };
}

// ---------------------------------------------------------------- security policy

/**
 * @typedef {object} PolicyField
 * @property {string} key the policy field (seconds for durations)
 * @property {'count' | 'characters' | 'classes' | 'minutes' | 'hours' | 'days'} unit what the form shows
 * @property {number} min in the unit shown
 * @property {number} max in the unit shown
 */

/** The policy's fields as the form shows them; ranges are the server's (`setSecurityPolicy`) and sensible ceilings. */
export const POLICY_FIELDS = Object.freeze(/** @type {PolicyField[]} */ ([
  { key: 'passwordMinLength', unit: 'characters', min: 6, max: 128 },
  { key: 'passwordMinClasses', unit: 'classes', min: 1, max: 4 },
  { key: 'lockoutThreshold', unit: 'count', min: 1, max: 100 },
  { key: 'lockoutSeconds', unit: 'minutes', min: 0, max: 7 * 24 * 60 },
  { key: 'accessTokenSeconds', unit: 'minutes', min: 1, max: 24 * 60 },
  { key: 'refreshTokenSeconds', unit: 'hours', min: 1, max: 365 * 24 },
  { key: 'shareMaximumSeconds', unit: 'days', min: 1, max: 365 },
]));

/** Seconds per unit shown. */
const UNIT_SECONDS = Object.freeze({ count: 1, characters: 1, classes: 1, minutes: 60, hours: 3600, days: 86400 });

/**
 * The form's values from a policy (durations in their units, at most two decimals).
 * @param {Record<string, number>} policy
 * @returns {Record<string, string>}
 */
export function policyToForm(policy) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const f of POLICY_FIELDS) {
    const v = Number(policy[f.key]);
    out[f.key] = Number.isFinite(v) ? String(Math.round((v / UNIT_SECONDS[f.unit]) * 100) / 100) : '';
  }
  return out;
}

/**
 * The policy from the form, or the errors (message keys) of the fields that are wrong.
 * @param {Record<string, string>} form
 * @returns {{ policy: Record<string, number> | null, errors: Record<string, string> }}
 */
export function formToPolicy(form) {
  /** @type {Record<string, number>} */
  const policy = {};
  /** @type {Record<string, string>} */
  const errors = {};
  for (const f of POLICY_FIELDS) {
    const text = String(form[f.key] ?? '').trim();
    const v = Number(text);
    const whole = f.unit === 'count' || f.unit === 'characters' || f.unit === 'classes';
    if (text === '') errors[f.key] = 'validation.required';
    else if (!Number.isFinite(v) || (whole && !Number.isInteger(v))) errors[f.key] = whole ? 'settings.error.whole' : 'settings.error.number';
    else if (v < f.min || v > f.max) errors[f.key] = 'settings.error.range';
    else policy[f.key] = Math.round(v * UNIT_SECONDS[f.unit]);
  }
  if (!errors.refreshTokenSeconds && !errors.accessTokenSeconds && policy.refreshTokenSeconds < policy.accessTokenSeconds) {
    errors.refreshTokenSeconds = 'settings.error.refreshShorter';
  }
  return Object.keys(errors).length ? { policy: null, errors } : { policy, errors };
}

// ---------------------------------------------------------------- PACS links

/**
 * The server's checks of a PACS link (PS3.5 §6.2 for the AE title): message keys by field, empty when all is well.
 * @param {{ name: string, aeTitle: string, host: string, port: string }} node
 * @returns {Record<string, string>}
 */
export function checkPacsNode(node) {
  /** @type {Record<string, string>} */
  const errors = {};
  const name = node.name.trim();
  if (!name) errors.name = 'validation.required';
  else if (name.length > 64) errors.name = 'validation.nameTooLong';
  const ae = node.aeTitle;
  if (!ae.trim()) errors.aeTitle = 'validation.required';
  // eslint-disable-next-line no-control-regex
  else if (ae.length > 16 || !/^[\x20-\x7e]+$/.test(ae) || ae.includes('\\')) errors.aeTitle = 'pacs.error.aeTitle';
  const host = node.host.trim();
  if (!host) errors.host = 'validation.required';
  else if (host.length > 253 || !/^[A-Za-z0-9.:-]+$/.test(host)) errors.host = 'pacs.error.host';
  const port = Number(node.port);
  if (!String(node.port).trim()) errors.port = 'validation.required';
  else if (!Number.isInteger(port) || port < 1 || port > 65535) errors.port = 'pacs.error.port';
  return errors;
}
