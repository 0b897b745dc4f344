// @ts-check
/**
 * The signed-in session: OAuth 2.0 authorization code flow with PKCE against our server (public client `mi-web`),
 * silent refresh with rotating refresh tokens, and logout by revocation (RFC 7009).
 *
 * - Tokens live in `localStorage`, so that a study opened in a new tab is signed in too. Refresh tokens rotate and
 *   the server revokes the whole family when a rotated one comes back (reuse detection), so two tabs must never
 *   refresh with the same token: refreshes run under a Web Lock (`navigator.locks`, Safari 15.4+), and inside it a
 *   tab first looks whether another tab has already rotated the token it holds.
 * - The access token is refreshed a minute before it expires (timer), and on demand when the API answers 401.
 * - A refresh the server refuses (`invalid_grant`) ends the session: tokens are dropped and `expired` fires, so the
 *   app sends the user to the login page and then back to the same place. A refresh that cannot reach the server
 *   keeps the session (the network will come back).
 *
 * Events: `change` (signed in or out), `expired` (the server refused to refresh).
 */

import { randomVerifier, randomState, challengeS256 } from './pkce.js';

/**
 * @typedef {object} Tokens
 * @property {string} accessToken
 * @property {string | null} refreshToken
 * @property {number} expiresAt epoch milliseconds
 * @property {string} scope
 */

/**
 * @typedef {object} StorageLike
 * @property {(key: string) => string | null} getItem
 * @property {(key: string, value: string) => void} setItem
 * @property {(key: string) => void} removeItem
 */

/**
 * @typedef {object} LocksLike
 * @property {<T>(name: string, callback: () => Promise<T>) => Promise<T>} request
 */

/**
 * @typedef {object} SessionOptions
 * @property {typeof fetch} [fetch]
 * @property {StorageLike} [storage] where tokens persist (default localStorage)
 * @property {StorageLike} [pendingStorage] where a login in progress waits for its callback (default sessionStorage)
 * @property {string} [clientId] default `mi-web`
 * @property {string} [origin] default `location.origin`
 * @property {string} [scope]
 * @property {() => number} [now] epoch ms
 * @property {Crypto} [crypto]
 * @property {LocksLike | null} [locks] default `navigator.locks` when present
 * @property {boolean} [timers] schedule the proactive refresh (default true)
 */

export const STORAGE_KEY = 'mi.session.v1';
export const PENDING_KEY = 'mi.login.pending';
/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 60_000;

/** A failure of the session: `network` (no answer), `denied` (the server refused; the session is over), `state`. */
export class SessionError extends Error {
  /**
   * @param {'network' | 'denied' | 'state' | 'server'} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'SessionError';
    this.code = code;
  }
}

/**
 * @param {StorageLike} storage
 * @returns {Tokens | null}
 */
function readTokens(storage) {
  try {
    const t = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null');
    if (t && typeof t.accessToken === 'string' && typeof t.expiresAt === 'number') {
      return { accessToken: t.accessToken, refreshToken: typeof t.refreshToken === 'string' ? t.refreshToken : null, expiresAt: t.expiresAt, scope: String(t.scope ?? '') };
    }
  } catch { /* a damaged entry is no session */ }
  return null;
}

export class Session extends EventTarget {
  /** @param {SessionOptions} [options] */
  constructor(options = {}) {
    super();
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.storage = options.storage ?? globalThis.localStorage;
    this.pendingStorage = options.pendingStorage ?? globalThis.sessionStorage;
    this.clientId = options.clientId ?? 'mi-web';
    this.origin = options.origin ?? globalThis.location.origin;
    this.scope = options.scope ?? 'openid profile offline_access';
    this.now = options.now ?? (() => Date.now());
    this.crypto = options.crypto ?? globalThis.crypto;
    /** @type {LocksLike | null} */
    this.locks = options.locks !== undefined ? options.locks
      : /** @type {LocksLike | null} */ (/** @type {any} */ (globalThis.navigator)?.locks ?? null);
    this.timers = options.timers ?? true;
    /** @type {Tokens | null} */
    this.tokens = readTokens(this.storage);
    /** @type {Promise<boolean> | null} the refresh in flight (one at a time per tab) */
    this.refreshing = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
    this.#schedule();
  }

  get redirectURI() { return `${this.origin}/app/callback`; }

  isSignedIn() { return this.tokens !== null; }

  /** `Bearer …` for the current access token (synchronous: the frame workers ask per request), or null. */
  authorization() {
    return this.tokens ? `Bearer ${this.tokens.accessToken}` : null;
  }

  /** Picks up tokens another tab wrote (call from a `storage` event). */
  reload() {
    const before = this.tokens?.accessToken ?? null;
    this.tokens = readTokens(this.storage);
    this.#schedule();
    if ((this.tokens?.accessToken ?? null) !== before) this.dispatchEvent(new Event('change'));
  }

  /**
   * Starts a login: remembers where to come back to, and returns the authorization URL to navigate to.
   * @param {string} returnTo a path of the app
   */
  async beginLogin(returnTo) {
    const verifier = randomVerifier(this.crypto);
    const state = randomState(this.crypto);
    const challenge = await challengeS256(verifier, this.crypto);
    this.pendingStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo, redirectURI: this.redirectURI }));
    const q = new URLSearchParams({
      response_type: 'code', client_id: this.clientId, redirect_uri: this.redirectURI, scope: this.scope, state,
      code_challenge: challenge, code_challenge_method: 'S256',
    });
    return `/oauth/authorize?${q}`;
  }

  /**
   * Finishes a login on the callback page: checks `state`, exchanges the code. Returns the path to go back to.
   * @param {Record<string, string>} query the callback's query parameters
   */
  async completeLogin(query) {
    const raw = this.pendingStorage.getItem(PENDING_KEY);
    this.pendingStorage.removeItem(PENDING_KEY);
    /** @type {{ verifier: string, state: string, returnTo: string, redirectURI: string } | null} */
    let pending = null;
    try { pending = JSON.parse(raw ?? 'null'); } catch { pending = null; }
    if (query.error) throw new SessionError('denied', query.error_description || query.error);
    if (!pending || !query.state || query.state !== pending.state) throw new SessionError('state', 'login state does not match');
    if (!query.code) throw new SessionError('state', 'no authorization code');
    const body = new URLSearchParams({
      grant_type: 'authorization_code', code: query.code, redirect_uri: pending.redirectURI, client_id: this.clientId, code_verifier: pending.verifier,
    });
    this.#store(await this.#tokenRequest(body));
    return pending.returnTo || '/worklist';
  }

  /**
   * A valid access token: refreshed first when it expires within the margin. Null when signed out.
   * @returns {Promise<string | null>}
   */
  async accessToken() {
    if (!this.tokens) return null;
    if (this.tokens.expiresAt - this.now() < REFRESH_MARGIN_MS && this.tokens.refreshToken) {
      try { await this.refresh(this.tokens.accessToken); } catch (e) {
        // Offline: the token may still be good for a while; the request will tell.
        if (!(e instanceof SessionError && e.code === 'network')) throw e;
      }
    }
    return this.tokens?.accessToken ?? null;
  }

  /**
   * Refreshes the tokens. `failed`: the access token the server just refused; if another refresh (this tab's or
   * another's) has replaced it meanwhile, there is nothing to do. Resolves true when there is a (new) token;
   * rejects with `SessionError` `denied` when the session is over, `network` when the server cannot be reached.
   * @param {string} [failed]
   * @returns {Promise<boolean>}
   */
  refresh(failed) {
    if (this.refreshing) return this.refreshing;
    const run = async () => {
      const latest = readTokens(this.storage);
      if (latest && latest.accessToken !== this.tokens?.accessToken) this.tokens = latest;   // another tab refreshed
      if (!this.tokens) throw new SessionError('denied', 'signed out');
      if (failed !== undefined && this.tokens.accessToken !== failed && this.tokens.expiresAt - this.now() > REFRESH_MARGIN_MS) return true;
      if (!this.tokens.refreshToken) { this.#end(); throw new SessionError('denied', 'no refresh token'); }
      const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.tokens.refreshToken, client_id: this.clientId });
      try {
        this.#store(await this.#tokenRequest(body));
      } catch (e) {
        if (e instanceof SessionError && e.code === 'denied') this.#end();
        throw e;
      }
      return true;
    };
    const locked = this.locks ? this.locks.request('mi-session-refresh', run) : run();
    this.refreshing = locked.finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  /**
   * Signs out: revokes the refresh token (its whole family) and the access token, then forgets them. Revocation
   * failures do not keep anyone signed in.
   */
  async logout() {
    const tokens = this.tokens;
    this.tokens = null;
    this.storage.removeItem(STORAGE_KEY);
    this.#schedule();
    if (tokens) {
      for (const token of [tokens.refreshToken, tokens.accessToken]) {
        if (!token) continue;
        try {
          await this.fetch('/oauth/revoke', {
            method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ token, client_id: this.clientId }).toString(),
          });
        } catch { /* offline: the refresh token expires on its own */ }
      }
    }
    this.dispatchEvent(new Event('change'));
  }

  /** Stops the refresh timer (tests, page teardown). */
  dispose() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * POST /oauth/token; the tokens, or a SessionError.
   * @param {URLSearchParams} body
   * @returns {Promise<Tokens>}
   */
  async #tokenRequest(body) {
    /** @type {Response} */
    let response;
    try {
      response = await this.fetch('/oauth/token', {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body: body.toString(),
      });
    } catch (e) {
      throw new SessionError('network', e instanceof Error ? e.message : String(e));
    }
    /** @type {any} */
    let json = null;
    try { json = await response.json(); } catch { json = null; }
    if (!response.ok) {
      // 400 invalid_grant / 401 invalid_client: the server will not give tokens for this; 5xx: try again later.
      if (response.status >= 500 || response.status === 429) throw new SessionError('server', json?.message ?? `HTTP ${response.status}`);
      throw new SessionError('denied', json?.error_description ?? json?.message ?? `HTTP ${response.status}`);
    }
    if (!json || typeof json.access_token !== 'string') throw new SessionError('server', 'no access token in the answer');
    const seconds = Number(json.expires_in) > 0 ? Number(json.expires_in) : 300;
    return {
      accessToken: json.access_token,
      refreshToken: typeof json.refresh_token === 'string' ? json.refresh_token : (this.tokens?.refreshToken ?? null),
      expiresAt: this.now() + seconds * 1000, scope: String(json.scope ?? ''),
    };
  }

  /** @param {Tokens} tokens */
  #store(tokens) {
    const wasSignedIn = this.tokens !== null;
    this.tokens = tokens;
    this.storage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    this.#schedule();
    if (!wasSignedIn) this.dispatchEvent(new Event('change'));
  }

  #end() {
    this.tokens = null;
    this.storage.removeItem(STORAGE_KEY);
    this.#schedule();
    this.dispatchEvent(new Event('expired'));
    this.dispatchEvent(new Event('change'));
  }

  #schedule() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.timers || !this.tokens?.refreshToken) return;
    const wait = Math.max(this.tokens.expiresAt - this.now() - REFRESH_MARGIN_MS, 1000);
    // Timers longer than 2^31 ms fire at once; nothing we issue lives that long.
    this.timer = setTimeout(() => { this.refresh(this.tokens?.accessToken).catch(() => undefined); }, Math.min(wait, 2 ** 31 - 1));
  }
}
