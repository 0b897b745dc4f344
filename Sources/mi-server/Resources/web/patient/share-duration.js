// @ts-check
/**
 * The pure rules of the share dialog: the durations offered, the end they mean (`expiresIn` seconds for the presets,
 * `expiresAt` for a custom end typed in a `datetime-local` field), and the optional 4–6 digit access code. The
 * server has the last word (its security settings cap the length); these checks only say early what it would refuse.
 *
 * ```js
 * shareEnd('24h');                                     // { ok: true, body: { expiresIn: 86400 } }
 * shareEnd('custom', '2026-12-01T09:30', Date.now());  // { ok: true, body: { expiresAt: '2026-12-01T01:30:00.000Z' } } in UTC+8
 * ```
 */

/** The durations of the select, in its order; `custom` reveals the end-time field. */
export const SHARE_DURATIONS = Object.freeze(/** @type {const} */ (['1h', '24h', '3d', '7d', 'custom']));
/** @typedef {typeof SHARE_DURATIONS[number]} ShareDuration */

/** Seconds of each preset. */
export const DURATION_SECONDS = Object.freeze({ '1h': 3600, '24h': 86_400, '3d': 3 * 86_400, '7d': 7 * 86_400 });
/** A custom end must be at least this far ahead (the server accepts any end a minute ahead). */
export const MIN_AHEAD_MS = 60_000;

/**
 * @typedef {{ ok: true, body: { expiresIn: number } | { expiresAt: string } }
 *   | { ok: false, error: 'endMissing' | 'endInvalid' | 'endTooSoon' | 'endTooLate' }} ShareEnd
 */

/**
 * The end of a share as the request body says it.
 * @param {string} duration one of SHARE_DURATIONS
 * @param {string} [customEnd] the `datetime-local` value (local time, `YYYY-MM-DDTHH:MM`)
 * @param {number} [now] epoch ms
 * @param {number | null} [maxSeconds] the longest share, when known
 * @returns {ShareEnd}
 */
export function shareEnd(duration, customEnd = '', now = Date.now(), maxSeconds = null) {
  if (duration !== 'custom') {
    const seconds = /** @type {Record<string, number>} */ (DURATION_SECONDS)[duration];
    if (!seconds) return { ok: false, error: 'endInvalid' };
    if (maxSeconds !== null && seconds > maxSeconds) return { ok: false, error: 'endTooLate' };
    return { ok: true, body: { expiresIn: seconds } };
  }
  if (!customEnd) return { ok: false, error: 'endMissing' };
  const at = parseLocalDateTime(customEnd);
  if (at === null) return { ok: false, error: 'endInvalid' };
  if (at - now < MIN_AHEAD_MS) return { ok: false, error: 'endTooSoon' };
  if (maxSeconds !== null && at - now > maxSeconds * 1000) return { ok: false, error: 'endTooLate' };
  return { ok: true, body: { expiresAt: new Date(at).toISOString() } };
}

/**
 * A `datetime-local` value (`YYYY-MM-DDTHH:MM[:SS]`) as epoch ms in the browser's time zone, or null.
 * @param {string} value
 */
export function parseLocalDateTime(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return null;
  const [y, mo, d, hh, mm, ss] = m.slice(1).map((x) => Number(x ?? 0));
  const date = new Date(y, mo - 1, d, hh, mm, ss);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== hh || date.getMinutes() !== mm) return null;
  return date.getTime();
}

/**
 * A `datetime-local` value for an instant (local time, minutes), e.g. the field's default and `min`.
 * @param {number} epochMs
 */
export function toLocalDateTime(epochMs) {
  const d = new Date(epochMs);
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * The access code as typed: empty (none) or 4–6 digits. Full-width digits (a Chinese keyboard) count as digits.
 * @param {string} raw
 * @returns {{ ok: true, code: string | null } | { ok: false }}
 */
export function accessCode(raw) {
  const code = raw.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48)).trim();
  if (code === '') return { ok: true, code: null };
  return /^\d{4,6}$/.test(code) ? { ok: true, code } : { ok: false };
}

/**
 * The longest share the server allows, read from its refusal ("a share can last at most 30 days"; hours and seconds too), or null.
 * @param {string} message
 */
export function maxSecondsFromMessage(message) {
  const days = /(\d+)\s*(?:days?|天)/.exec(message);
  if (days) return Number(days[1]) * 86_400;
  const hours = /(\d+)\s*(?:hours?|小时)/.exec(message);
  if (hours) return Number(hours[1]) * 3600;
  const seconds = /(\d{4,})\s*(?:s\b|seconds?|秒)/.exec(message);
  return seconds ? Number(seconds[1]) : null;
}
