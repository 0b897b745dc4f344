// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session, SessionError, STORAGE_KEY, PENDING_KEY, REFRESH_MARGIN_MS } from '../../../Sources/mi-server/Resources/web/app/session.js';
import { ApiClient, ApiError, PREFETCH_TTL_MS, queryString } from '../../../Sources/mi-server/Resources/web/app/api.js';
import { challengeS256 } from '../../../Sources/mi-server/Resources/web/app/pkce.js';

/** A Storage in memory. */
function memoryStorage() {
  /** @type {Map<string, string>} */
  const m = new Map();
  return { getItem: (/** @type {string} */ k) => m.get(k) ?? null, setItem: (/** @type {string} */ k, /** @type {string} */ v) => { m.set(k, v); }, removeItem: (/** @type {string} */ k) => { m.delete(k); }, map: m };
}

/**
 * A fetch that records calls and answers with `handler`.
 * @param {(url: string, init: RequestInit, call: number) => Response | Promise<Response>} handler
 */
function fakeFetch(handler) {
  /** @type {Array<{ url: string, init: RequestInit }>} */
  const calls = [];
  const fn = /** @type {typeof fetch & { calls: typeof calls }} */ (/** @type {any} */ (async (/** @type {string} */ url, /** @type {RequestInit} */ init = {}) => {
    calls.push({ url, init });
    return handler(url, init, calls.length);
  }));
  fn.calls = calls;
  return fn;
}

const json = (/** @type {unknown} */ body, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const form = (/** @type {RequestInit} */ init) => Object.fromEntries(new URLSearchParams(String(init.body)));
/** A fixed clock. */
const clock = () => { const c = { t: 1_000_000 }; return { c, now: () => c.t }; };

/**
 * @param {object} [o]
 * @param {typeof fetch} [o.fetch]
 * @param {ReturnType<typeof memoryStorage>} [o.storage]
 * @param {() => number} [o.now]
 */
function session(o = {}) {
  return new Session({ fetch: o.fetch ?? fakeFetch(() => json({})), storage: o.storage ?? memoryStorage(), pendingStorage: memoryStorage(), origin: 'http://127.0.0.1:8080', now: o.now ?? (() => 1_000_000), locks: null, timers: false });
}
/** Stored tokens as the session writes them. */
const stored = (/** @type {string} */ access, /** @type {string | null} */ refresh, /** @type {number} */ expiresAt) => JSON.stringify({ accessToken: access, refreshToken: refresh, expiresAt, scope: 'openid' });

test('testLoginSendsTheAuthorizationRequestWithAnS256ChallengeAndChecksStateOnReturn', async () => {
  const fetch = fakeFetch(() => json({ access_token: 'A1', refresh_token: 'R1', expires_in: 900, token_type: 'Bearer', scope: 'openid profile offline_access' }));
  const pending = memoryStorage();
  const s = new Session({ fetch, storage: memoryStorage(), pendingStorage: pending, origin: 'http://127.0.0.1:8080', now: () => 0, locks: null, timers: false });
  const url = new URL(await s.beginLogin('/studies/1.2.3'), 'http://127.0.0.1:8080');
  assert.equal(url.pathname, '/oauth/authorize');
  const q = Object.fromEntries(url.searchParams);
  assert.equal(q.response_type, 'code');
  assert.equal(q.client_id, 'mi-web');
  assert.equal(q.redirect_uri, 'http://127.0.0.1:8080/app/callback');
  assert.equal(q.code_challenge_method, 'S256');
  assert.ok(q.scope.split(' ').includes('offline_access'));
  const saved = JSON.parse(pending.getItem(PENDING_KEY) ?? '{}');
  assert.equal(q.code_challenge, await challengeS256(saved.verifier));

  // A forged callback (other state) is refused and uses up the pending login.
  await assert.rejects(s.completeLogin({ code: 'c', state: 'forged' }), (e) => e instanceof SessionError && e.code === 'state');
  assert.equal(fetch.calls.length, 0);

  const url2 = new URL(await s.beginLogin('/studies/1.2.3'), 'http://x');
  const state = url2.searchParams.get('state') ?? '';
  const verifier = JSON.parse(pending.getItem(PENDING_KEY) ?? '{}').verifier;
  assert.equal(await s.completeLogin({ code: 'the-code', state }), '/studies/1.2.3');
  assert.equal(fetch.calls[0].url, '/oauth/token');
  assert.deepEqual(form(fetch.calls[0].init), { grant_type: 'authorization_code', code: 'the-code', redirect_uri: 'http://127.0.0.1:8080/app/callback', client_id: 'mi-web', code_verifier: verifier });
  assert.equal(s.authorization(), 'Bearer A1');
  assert.equal(s.tokens?.expiresAt, 900_000);
  assert.equal(pending.getItem(PENDING_KEY), null);
});

test('testAnErrorFromTheAuthorizationServerIsReported', async () => {
  const s = session();
  await s.beginLogin('/worklist');
  await assert.rejects(s.completeLogin({ error: 'access_denied', error_description: 'no' }), (e) => e instanceof SessionError && e.code === 'denied');
});

test('testTheAccessTokenIsRefreshedBeforeItExpiresAndTheRefreshTokenRotates', async () => {
  const { c, now } = clock();
  const storage = memoryStorage();
  storage.setItem(STORAGE_KEY, stored('A1', 'R1', c.t + REFRESH_MARGIN_MS + 5000));
  const fetch = fakeFetch(() => json({ access_token: 'A2', refresh_token: 'R2', expires_in: 900 }));
  const s = session({ fetch, storage, now });
  assert.equal(await s.accessToken(), 'A1');
  assert.equal(fetch.calls.length, 0);
  c.t += 10_000;   // now inside the margin
  assert.equal(await s.accessToken(), 'A2');
  assert.deepEqual(form(fetch.calls[0].init), { grant_type: 'refresh_token', refresh_token: 'R1', client_id: 'mi-web' });
  assert.equal(JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}').refreshToken, 'R2');
});

test('testConcurrentRefreshesSendOneRequest', async () => {
  const storage = memoryStorage();
  storage.setItem(STORAGE_KEY, stored('A1', 'R1', 10_000_000));
  /** @type {(r: Response) => void} */
  let release = () => undefined;
  const fetch = fakeFetch(() => new Promise((resolve) => { release = resolve; }));
  const s = session({ fetch, storage });
  const a = s.refresh('A1'), b = s.refresh('A1'), c = s.refresh('A1');
  await new Promise((r) => setTimeout(r, 0));
  release(json({ access_token: 'A2', refresh_token: 'R2', expires_in: 900 }));
  assert.deepEqual(await Promise.all([a, b, c]), [true, true, true]);
  assert.equal(fetch.calls.length, 1);
  // A 401 for the old token after the refresh needs no new refresh.
  assert.equal(await s.refresh('A1'), true);
  assert.equal(fetch.calls.length, 1);
});

test('testATabAdoptsTokensAnotherTabRotatedInsteadOfReusingTheOldRefreshToken', async () => {
  const storage = memoryStorage();
  storage.setItem(STORAGE_KEY, stored('A1', 'R1', 10_000_000));
  const fetch = fakeFetch(() => json({ error: 'invalid_grant' }, 400));
  const s = session({ fetch, storage });
  // Another tab refreshed: storage now holds A2/R2 while this tab still holds A1/R1.
  storage.setItem(STORAGE_KEY, stored('A2', 'R2', 10_000_000));
  assert.equal(await s.refresh('A1'), true);
  assert.equal(fetch.calls.length, 0, 'R1 was rotated; sending it again would revoke the session');
  assert.equal(s.authorization(), 'Bearer A2');
});

test('testARefusedRefreshEndsTheSessionAndANetworkFailureKeepsIt', async () => {
  const storage = memoryStorage();
  storage.setItem(STORAGE_KEY, stored('A1', 'R1', 10_000_000));
  let mode = 'offline';
  const fetch = fakeFetch(() => { if (mode === 'offline') throw new TypeError('Failed to fetch'); return json({ error: 'invalid_grant', error_description: 'revoked' }, 400); });
  const s = session({ fetch, storage });
  let expired = 0;
  s.addEventListener('expired', () => { expired++; });
  await assert.rejects(s.refresh('A1'), (e) => e instanceof SessionError && e.code === 'network');
  assert.ok(s.isSignedIn());
  mode = 'refused';
  await assert.rejects(s.refresh('A1'), (e) => e instanceof SessionError && e.code === 'denied');
  assert.ok(!s.isSignedIn());
  assert.equal(storage.getItem(STORAGE_KEY), null);
  assert.equal(expired, 1);
});

test('testLogoutRevokesTheRefreshAndAccessTokensAndForgetsThem', async () => {
  const storage = memoryStorage();
  storage.setItem(STORAGE_KEY, stored('A1', 'R1', 10_000_000));
  const fetch = fakeFetch(() => new Response(null, { status: 200 }));
  const s = session({ fetch, storage });
  await s.logout();
  assert.deepEqual(fetch.calls.map((c) => [c.url, form(c.init).token, form(c.init).client_id]), [['/oauth/revoke', 'R1', 'mi-web'], ['/oauth/revoke', 'A1', 'mi-web']]);
  assert.ok(!s.isSignedIn());
  assert.equal(storage.getItem(STORAGE_KEY), null);
  // Offline logout still signs out.
  storage.setItem(STORAGE_KEY, stored('A1', 'R1', 10_000_000));
  const s2 = session({ fetch: fakeFetch(() => { throw new TypeError('offline'); }), storage });
  await s2.logout();
  assert.ok(!s2.isSignedIn());
});

/**
 * A token source for the API client: a token, and a refresh that swaps it (or fails).
 * @param {{ token?: string | null, refresh?: (failed?: string) => Promise<boolean> }} [o]
 */
function tokens(o = {}) {
  const src = {
    token: o.token === undefined ? 'A1' : o.token,
    refreshes: 0,
    accessToken: async () => src.token,
    refresh: o.refresh ?? (async () => { src.refreshes++; src.token = `A${src.refreshes + 1}`; return true; }),
  };
  return src;
}
const noSleep = async () => undefined;

test('testA401IsRefreshedSilentlyAndTheRequestRepeatedOnce', async () => {
  const src = tokens();
  const fetch = fakeFetch((url, init) => ((/** @type {Record<string, string>} */ (init.headers)).Authorization === 'Bearer A2' ? json({ items: [], total: 0 }) : json({ error: 'unauthorized', message: 'expired' }, 401)));
  const api = new ApiClient({ session: src, fetch, sleep: noSleep });
  assert.deepEqual(await api.get('/api/v1/studies', { modality: 'CT', name: '' }), { items: [], total: 0 });
  assert.equal(src.refreshes, 1);
  assert.deepEqual(fetch.calls.map((c) => c.url), ['/api/v1/studies?modality=CT', '/api/v1/studies?modality=CT']);
});

test('testASessionThatCannotBeRefreshedIsReportedAsExpired', async () => {
  let expired = 0;
  const src = tokens({ refresh: async () => { throw new SessionError('denied', 'invalid_grant'); } });
  const api = new ApiClient({ session: src, fetch: fakeFetch(() => json({ error: 'unauthorized' }, 401)), sleep: noSleep, onSessionExpired: () => { expired++; } });
  await assert.rejects(api.get('/api/v1/me'), (e) => e instanceof ApiError && e.kind === 'session');
  assert.equal(expired, 1);
  // Still 401 after a successful refresh: expired as well, and no loop.
  const fetch = fakeFetch(() => json({ error: 'unauthorized' }, 401));
  const api2 = new ApiClient({ session: tokens(), fetch, sleep: noSleep, onSessionExpired: () => { expired++; } });
  await assert.rejects(api2.get('/api/v1/me'), (e) => e instanceof ApiError && e.kind === 'session');
  assert.equal(fetch.calls.length, 2);
  assert.equal(expired, 2);
});

test('testNetworkFailuresAreRetriedForReadsButNeverForWrites', async () => {
  /** @type {number[]} */
  const waits = [];
  const sleep = async (/** @type {number} */ ms) => { waits.push(ms); };
  let failures = 2;
  const fetch = fakeFetch(() => { if (failures-- > 0) throw new TypeError('Failed to fetch'); return json({ ok: 1 }); });
  const api = new ApiClient({ session: tokens(), fetch, sleep, retryBaseMs: 100 });
  assert.deepEqual(await api.get('/api/v1/studies'), { ok: 1 });
  assert.deepEqual(waits, [100, 200]);

  let networkErrors = 0;
  const down = fakeFetch(() => { throw new TypeError('Failed to fetch'); });
  const api2 = new ApiClient({ session: tokens(), fetch: down, sleep, retries: 3, onNetworkError: () => { networkErrors++; } });
  await assert.rejects(api2.get('/api/v1/studies'), (e) => e instanceof ApiError && e.kind === 'network');
  assert.equal(down.calls.length, 4);
  await assert.rejects(api2.post('/api/v1/me/password', { a: 1 }), (e) => e instanceof ApiError && e.kind === 'network');
  assert.equal(down.calls.length, 5, 'a POST is sent once');
  assert.equal(networkErrors, 2);
});

test('testGatewayErrorsAreRetriedHonouringRetryAfter', async () => {
  /** @type {number[]} */
  const waits = [];
  let n = 0;
  const fetch = fakeFetch(() => (n++ === 0 ? new Response('', { status: 503, headers: { 'Retry-After': '2' } }) : json({ ok: 1 })));
  const api = new ApiClient({ session: tokens(), fetch, sleep: async (ms) => { waits.push(ms); }, retryBaseMs: 100 });
  assert.deepEqual(await api.get('/x'), { ok: 1 });
  assert.deepEqual(waits, [2000]);
});

test('testErrorsCarryTheServersCodeParameterAndKind', async () => {
  const api = new ApiClient({ session: tokens(), fetch: fakeFetch((url) => {
    if (url.startsWith('/forbidden')) return json({ error: 'forbidden', message: 'no' }, 403);
    if (url.startsWith('/missing')) return json({ error: 'not_found', message: 'gone' }, 404);
    return json({ error: 'invalid_parameter', message: 'dateFrom: must be a date', parameter: 'dateFrom' }, 400);
  }), sleep: noSleep });
  await assert.rejects(api.get('/forbidden'), (e) => e instanceof ApiError && e.kind === 'forbidden' && e.status === 403);
  await assert.rejects(api.get('/missing'), (e) => e instanceof ApiError && e.kind === 'not-found');
  await assert.rejects(api.get('/bad'), (e) => e instanceof ApiError && e.kind === 'http' && e.parameter === 'dateFrom' && e.code === 'invalid_parameter');
});

test('testPublicRequestsSendNoTokenAndBodiesAreJSON', async () => {
  const fetch = fakeFetch(() => json({ id: 'r1' }, 201));
  const api = new ApiClient({ session: tokens(), fetch, sleep: noSleep });
  assert.deepEqual(await api.post('/api/v1/registrations', { name: '张三' }, { auth: false }), { id: 'r1' });
  const headers = /** @type {Record<string, string>} */ (fetch.calls[0].init.headers);
  assert.equal(headers.Authorization, undefined);
  assert.equal(headers['Content-Type'], 'application/json');
  assert.equal(fetch.calls[0].init.body, '{"name":"张三"}');
  const none = new ApiClient({ session: tokens({ token: null }), fetch, sleep: noSleep });
  await assert.rejects(none.get('/api/v1/me'), (e) => e instanceof ApiError && e.kind === 'session');
  assert.equal(queryString({ a: 'x y', b: null, c: '' }), '?a=x+y');
});

test('testAPrefetchedReadIsTakenByTheGetThatAsksForItOnce', async () => {
  let n = 0;
  const fetch = fakeFetch((url) => json({ url, n: ++n }));
  const api = new ApiClient({ session: tokens(), fetch, sleep: noSleep });
  const early = api.prefetch('/api/v1/studies/1.2.3');
  assert.equal(api.prefetch('/api/v1/studies/1.2.3'), null, 'one request per path');
  assert.deepEqual(await early, { url: '/api/v1/studies/1.2.3', n: 1 });
  assert.deepEqual(await api.get('/api/v1/studies/1.2.3'), { url: '/api/v1/studies/1.2.3', n: 1 });
  assert.equal(fetch.calls.length, 1);
  // Taken once: the next get asks the server again, and a get with a query never takes a prefetch.
  assert.deepEqual(await api.get('/api/v1/studies/1.2.3'), { url: '/api/v1/studies/1.2.3', n: 2 });
  api.prefetch('/api/v1/studies');
  assert.deepEqual(await api.get('/api/v1/studies', { modality: 'CT' }), { url: '/api/v1/studies?modality=CT', n: 4 });
  assert.equal(fetch.calls.length, 4);
});

test('testAFailedPrefetchIsAskedAgainByItsGetAndAnOldOneIsNotUsed', async () => {
  let fail = true;
  let n = 0;
  const fetch = fakeFetch(() => (fail ? json({ error: 'not_found', message: 'gone' }, 404) : json({ n: ++n })));
  const api = new ApiClient({ session: tokens(), fetch, sleep: noSleep });
  await assert.rejects(/** @type {Promise<any>} */ (api.prefetch('/api/v1/me')), (e) => e instanceof ApiError && e.kind === 'not-found');
  fail = false;
  assert.deepEqual(await api.get('/api/v1/me'), { n: 1 });
  assert.equal(fetch.calls.length, 2);
  // An answer older than PREFETCH_TTL_MS is dropped: the get asks again.
  const realNow = Date.now;
  try {
    await api.prefetch('/api/v1/me');
    const t = realNow();
    Date.now = () => t + PREFETCH_TTL_MS + 1;
    assert.deepEqual(await api.get('/api/v1/me'), { n: 3 });
  } finally {
    Date.now = realNow;
  }
  assert.equal(fetch.calls.length, 4);
});
