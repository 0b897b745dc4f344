// @ts-check
/**
 * The API client: JSON over `fetch` with the session's bearer token.
 *
 * - 401: the token is refreshed once (silently) and the request repeated; if the session cannot be refreshed the
 *   error is `session` and the app sends the user to the login page, then back to the same place.
 * - No answer (offline, connection reset) and 502/503/504: idempotent requests (GET, HEAD) are retried with
 *   exponential backoff; then the error is `network` and the page offers a retry button.
 * - Other statuses: `ApiError` with the server's `{ error, message, parameter }`; 403 is `forbidden`.
 *
 * ```js
 * const api = new ApiClient({ session });
 * const page = await api.get('/api/v1/studies', { modality: 'CT', limit: 50 });
 * const png = await api.blob(`/api/v1/reports/${id}/pages/1`);
 * ```
 */

import { SessionError } from './session.js';

/** @typedef {'http' | 'network' | 'session' | 'forbidden' | 'not-found' | 'aborted'} ApiErrorKind */

/** The one error of the API client. Compare `kind`, `status` and `code`, never the message. */
export class ApiError extends Error {
  /**
   * @param {ApiErrorKind} kind
   * @param {string} message
   * @param {{ status?: number, code?: string, parameter?: string | null }} [info]
   */
  constructor(kind, message, info = {}) {
    super(message);
    this.name = 'ApiError';
    /** @type {ApiErrorKind} */
    this.kind = kind;
    this.status = info.status ?? 0;
    this.code = info.code ?? '';
    this.parameter = info.parameter ?? null;
  }
}

/**
 * The session as the client needs it (`Session` fits; tests pass a fake).
 * @typedef {object} TokenSource
 * @property {() => Promise<string | null>} accessToken
 * @property {(failed?: string) => Promise<boolean>} refresh
 */

/**
 * @typedef {object} ApiOptions
 * @property {TokenSource | null} [session]
 * @property {typeof fetch} [fetch]
 * @property {number} [retries] extra attempts for idempotent requests (default 3)
 * @property {number} [retryBaseMs] first backoff (default 400 ms), doubled per attempt
 * @property {(ms: number) => Promise<void>} [sleep]
 * @property {() => void} [onSessionExpired]
 * @property {() => void} [onNetworkError] each time a request finally fails for want of a network
 * @property {Map<string, Promise<Response>>} [early] GETs already on the network before the app started, by path
 *   (`app/early-reads.js`): `prefetch(path)` and a plain `get(path)` adopt them; one that fails or is not OK is asked
 *   again the usual way
 */

/**
 * @typedef {object} RequestOptions
 * @property {Record<string, string | number | boolean | null | undefined>} [query]
 * @property {unknown} [json] a JSON body
 * @property {AbortSignal} [signal]
 * @property {boolean} [auth] send the bearer token (default true)
 * @property {'json' | 'blob' | 'response'} [as] what to return (default json; 204 gives null)
 */

const RETRYABLE = new Set([502, 503, 504]);
/** How long a prefetched answer waits for the `get` that takes it. */
export const PREFETCH_TTL_MS = 10_000;
const defaultSleep = (/** @type {number} */ ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * A query string from a record, leaving out empty values.
 * @param {Record<string, string | number | boolean | null | undefined>} [query]
 */
export function queryString(query = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class ApiClient {
  /** @param {ApiOptions} [options] */
  constructor(options = {}) {
    this.session = options.session ?? null;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.retries = options.retries ?? 3;
    this.retryBaseMs = options.retryBaseMs ?? 400;
    this.sleep = options.sleep ?? defaultSleep;
    this.onSessionExpired = options.onSessionExpired ?? (() => undefined);
    this.onNetworkError = options.onNetworkError ?? (() => undefined);
    /** @type {Map<string, { answer: Promise<any>, at: number }>} answers of `prefetch`, by path */
    this.prefetched = new Map();
    /** @type {Map<string, Promise<Response>>} */
    this.early = options.early ?? new Map();
  }

  /**
   * A GET whose answer a page that is still loading will ask for (`get(path)` with no query or options): it starts
   * now, alongside the page's modules, and that `get` takes its answer instead of asking again. An answer nobody
   * takes within `PREFETCH_TTL_MS` is dropped; a prefetch that failed is asked again by the `get`, which then
   * reports its own error. Returns the answer (null when that path is already being prefetched), for reads that
   * depend on it.
   * @param {string} path
   * @returns {Promise<any> | null}
   */
  prefetch(path) {
    const now = Date.now();
    for (const [p, e] of this.prefetched) if (now - e.at > PREFETCH_TTL_MS) this.prefetched.delete(p);
    if (this.prefetched.has(path)) return null;
    const early = this.early.get(path);
    this.early.delete(path);
    const answer = early ? early.then(okBody).catch(() => this.request('GET', path)) : this.request('GET', path);
    answer.catch(() => undefined);   // reported, if at all, by the get that takes it
    this.prefetched.set(path, { answer, at: now });
    return answer;
  }

  /** @param {string} path @param {RequestOptions['query']} [query] @param {Omit<RequestOptions, 'query'>} [options] */
  get(path, query, options = {}) {
    const plain = query === undefined && Object.keys(options).length === 0;
    // A read the page's start-up script made (the profile, say) is adopted as a prefetch would adopt it.
    if (plain && this.early.has(path)) this.prefetch(path);
    const early = plain ? this.prefetched.get(path) : undefined;
    if (early) {
      this.prefetched.delete(path);
      if (Date.now() - early.at <= PREFETCH_TTL_MS) return early.answer.catch(() => this.request('GET', path));
    }
    return this.request('GET', path, { ...options, query });
  }
  /** @param {string} path @param {unknown} [json] @param {RequestOptions} [options] */
  post(path, json, options = {}) { return this.request('POST', path, { ...options, json }); }
  /** @param {string} path @param {unknown} [json] @param {RequestOptions} [options] */
  patch(path, json, options = {}) { return this.request('PATCH', path, { ...options, json }); }
  /**
   * A binary resource (images, PDF) as a Blob.
   * @param {string} path @param {RequestOptions['query']} [query] @param {{ signal?: AbortSignal }} [options]
   * @returns {Promise<Blob>}
   */
  blob(path, query, options = {}) { return /** @type {Promise<Blob>} */ (this.request('GET', path, { ...options, query, as: 'blob' })); }

  /**
   * @param {string} method
   * @param {string} path
   * @param {RequestOptions} [options]
   * @returns {Promise<any>}
   */
  async request(method, path, options = {}) {
    const url = path + queryString(options.query);
    const idempotent = method === 'GET' || method === 'HEAD';
    const useAuth = options.auth !== false && this.session !== null;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      /** @type {string | null} */
      let token = null;
      if (useAuth && this.session) {
        try { token = await this.session.accessToken(); } catch (e) { throw this.#sessionFailure(e); }
        if (!token) throw this.#expired('not signed in');
      }
      /** @type {Record<string, string>} */
      const headers = { Accept: 'application/json' };
      if (token) headers.Authorization = `Bearer ${token}`;
      if (options.json !== undefined) headers['Content-Type'] = 'application/json';
      /** @type {Response} */
      let response;
      try {
        response = await this.fetch(url, {
          method, headers, signal: options.signal, body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
        });
      } catch (e) {
        if (options.signal?.aborted) throw new ApiError('aborted', 'aborted');
        if (idempotent && attempt < this.retries) { await this.sleep(this.#backoff(attempt)); continue; }
        this.onNetworkError();
        throw new ApiError('network', e instanceof Error ? e.message : String(e));
      }
      if (response.status === 401 && token && this.session && !refreshed) {
        refreshed = true;
        try { await this.session.refresh(token); } catch (e) { throw this.#sessionFailure(e); }
        attempt--;   // the repeat is not a retry
        continue;
      }
      if (RETRYABLE.has(response.status) && idempotent && attempt < this.retries) {
        await this.sleep(Math.max(this.#backoff(attempt), retryAfterMs(response.headers.get('Retry-After'))));
        continue;
      }
      if (!response.ok) throw await this.#httpError(response, Boolean(token));
      if (options.as === 'response') return response;
      if (options.as === 'blob') return response.blob();
      if (response.status === 204) return null;
      const text = await response.text();
      return text ? JSON.parse(text) : null;
    }
  }

  /** @param {number} attempt */
  #backoff(attempt) { return this.retryBaseMs * 2 ** attempt; }

  /** @param {string} message */
  #expired(message) {
    this.onSessionExpired();
    return new ApiError('session', message, { status: 401, code: 'unauthorized' });
  }

  /** @param {unknown} e */
  #sessionFailure(e) {
    if (e instanceof SessionError && (e.code === 'network' || e.code === 'server')) {
      if (e.code === 'network') this.onNetworkError();
      return new ApiError('network', e.message);
    }
    return this.#expired(e instanceof Error ? e.message : String(e));
  }

  /**
   * @param {Response} response
   * @param {boolean} hadToken
   */
  async #httpError(response, hadToken) {
    /** @type {any} */
    let body = null;
    try { body = await response.json(); } catch { body = null; }
    const info = { status: response.status, code: typeof body?.error === 'string' ? body.error : '', parameter: body?.parameter ?? null };
    const message = typeof body?.message === 'string' ? body.message : `HTTP ${response.status}`;
    if (response.status === 401 && hadToken) return this.#expired(message);
    if (response.status === 403) return new ApiError('forbidden', message, info);
    if (response.status === 404) return new ApiError('not-found', message, info);
    if (RETRYABLE.has(response.status)) { this.onNetworkError(); return new ApiError('network', message, info); }
    return new ApiError('http', message, info);
  }
}

/**
 * The JSON body of an OK response (null when empty); anything else rejects, so that the caller asks again itself.
 * @param {Response} response
 */
async function okBody(response) {
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const text = response.status === 204 ? '' : await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Retry-After in milliseconds (seconds form only; dates are rare from our server), 0 when absent.
 * @param {string | null} value
 */
function retryAfterMs(value) {
  const s = Number(value);
  return value && Number.isFinite(s) && s >= 0 ? Math.min(s, 30) * 1000 : 0;
}
