// @ts-check
/**
 * The sessions of people without an account: a patient who opened a QR link (and answered the second factor) or
 * retrieved an exam by hand, and the recipient of a share. Each is a short-lived opaque bearer token from the server,
 * kept in `sessionStorage` so that it lasts as long as the browser tab ("remembered for the browser session") and
 * is never shared with other tabs or written to disk by us.
 *
 * A `TokenStore` is a `TokenSource` for `ApiClient` and the viewer: it cannot be refreshed, so a 401 ends it and the
 * page goes back to where the patient came in.
 *
 * ```js
 * const tokens = new TokenStore(PATIENT_KEY);
 * tokens.save({ accessToken, expiresAt: '2026-11-30T15:00:00Z', studyInstanceUID: uid });
 * const api = new ApiClient({ session: tokens });
 * ```
 */

import { SessionError } from '../app/session.js';

export const PATIENT_KEY = 'mi.patient.v1';
/** The share recipient's key: one per share token, so two shares open in one tab do not mix. */
export const shareKey = (/** @type {string} */ token) => `mi.share.${token}`;

/**
 * @typedef {object} StoredSession
 * @property {string} accessToken
 * @property {number} expiresAt epoch ms
 * @property {string} studyInstanceUID the exam the session was opened for
 * @property {string} [linkToken] the QR link it came from (to go back there when it ends)
 */

/**
 * @typedef {object} StorageLike
 * @property {(key: string) => string | null} getItem
 * @property {(key: string, value: string) => void} setItem
 * @property {(key: string) => void} removeItem
 */

export class TokenStore {
  /**
   * @param {string} key
   * @param {{ storage?: StorageLike, now?: () => number }} [options]
   */
  constructor(key, options = {}) {
    this.key = key;
    this.storage = options.storage ?? globalThis.sessionStorage;
    this.now = options.now ?? (() => Date.now());
    /** @type {StoredSession | null} the session saved by this page, when storage refused it */
    this.memory = null;
  }

  /** The stored session if it has not ended, else null (an ended one is forgotten). */
  read() {
    /** @type {StoredSession | null} */
    let s = null;
    try { s = JSON.parse(this.storage.getItem(this.key) ?? 'null'); } catch { s = null; }
    if (!s || typeof s.accessToken !== 'string' || typeof s.expiresAt !== 'number' || typeof s.studyInstanceUID !== 'string') return null;
    if (s.expiresAt <= this.now()) { this.clear(); return null; }
    return s;
  }

  /**
   * Keeps a session the server handed out (`PatientSession` or `OpenedShare`).
   * @param {{ accessToken: string, expiresAt?: string, expiresIn?: number, studyInstanceUID: string, linkToken?: string }} s
   */
  save(s) {
    const fromAt = s.expiresAt ? Date.parse(s.expiresAt) : NaN;
    // The server's clock may differ from the phone's: trust the lifetime in seconds when there is one.
    const expiresAt = typeof s.expiresIn === 'number' ? this.now() + s.expiresIn * 1000 : (Number.isFinite(fromAt) ? fromAt : this.now() + 3600_000);
    /** @type {StoredSession} */
    const stored = { accessToken: s.accessToken, expiresAt, studyInstanceUID: s.studyInstanceUID };
    if (s.linkToken) stored.linkToken = s.linkToken;
    try { this.storage.setItem(this.key, JSON.stringify(stored)); } catch { /* private mode: this page only */ }
    this.memory = stored;
  }

  clear() {
    try { this.storage.removeItem(this.key); } catch { /* nothing kept */ }
    this.memory = null;
  }

  /** @returns {Promise<string | null>} */
  async accessToken() {
    const memory = this.memory && this.memory.expiresAt > this.now() ? this.memory : null;
    return (this.read() ?? memory)?.accessToken ?? null;
  }

  /**
   * These sessions cannot be refreshed: a refused token ends the session.
   * @param {string} [_failed]
   * @returns {Promise<boolean>}
   */
  async refresh(_failed) {
    this.clear();
    throw new SessionError('denied', 'the patient session has ended');
  }
}
