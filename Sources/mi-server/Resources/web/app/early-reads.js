// @ts-check
/**
 * The study page's first reads, started by an inline script in index.html while the HTML is still being parsed,
 * before any module has arrived: on a deep link (`/studies/{uid}`: a doctor's bookmark, a link in a message) the study,
 * its series, the instance list of the series the page will open (`?series=`, else the first viewable one) and the
 * first frame it will show are on the network module waves earlier, and the study page's modules are preloaded with
 * the app shell's instead of after it. The signed-in user's profile (`/api/v1/me`), which the app awaits before it
 * shows any signed-in page, is asked for too, and the viewer's decode workers are started (their scripts load while
 * the page's modules do; `viewer/worker-warmup.js` hands them to the page's pool).
 *
 * `app/main.js` gives the answers to its `ApiClient` (`takeEarlyReads`), whose `get` and `prefetch` adopt them; the
 * study page gives the frame to its viewer (`takeEarlyFirstFrame`). The frame's body is read here, so that the page
 * decodes it without waiting for the network again: while the page's modules are evaluated, the main thread has no
 * time to read a response.
 *
 * The loader's first batches are not asked for here (tried: over HTTP/2 they took the first image from 330 to 420 ms
 * at 30 Mbit/s for 40 ms on the whole series; reading their bodies needs the main thread the first image needs).
 *
 * `startEarlyReads` is inlined by `Scripts/gen-web-preload.mjs` (its source text, called with the study page's module
 * list), and the page's Content-Security-Policy allows exactly that script by its hash. So it must stay
 * self-contained: no imports, no names from this module. Anything unexpected (no token, an expired one, no storage)
 * makes it do nothing: the page then asks for itself as before.
 */

/** Where the inline script leaves its reads: a Map from API path to the Response promise. */
export const EARLY_READS_KEY = '__miEarlyReads';
/** Where it leaves the first frame: a promise of `{ url, body }` (`takeEarlyFirstFrame`). */
export const EARLY_FIRST_FRAME_KEY = '__miEarlyFirstFrame';

/**
 * @param {any} win the page's window (a stand-in in tests)
 * @param {readonly string[]} studyModules the study page's modules beyond the app shell (app/preload.js PAGE_MODULES.study)
 */
export function startEarlyReads(win, studyModules) {
  try {
    const match = /^\/studies\/([^/]+)\/?$/.exec(win.location.pathname);
    if (!match) return;
    try {
      startReads(win, decodeURIComponent(match[1]));
    } finally {
      // The page's modules beyond the shell, after the reads: over HTTP/1.1 the reads then go ahead of them for the
      // browser's six connections to the server.
      for (const href of studyModules) {
        const link = win.document.createElement('link');
        link.rel = 'modulepreload';
        link.href = href;
        win.document.head.appendChild(link);
      }
    }
  } catch { /* the page asks for itself */ }

  /**
   * The reads of study `uid`, when the session has a usable token.
   * @param {any} win
   * @param {string} uid
   */
  function startReads(win, uid) {
    // The session's tokens (app/session.js STORAGE_KEY); a token within a minute of expiry is refreshed by the app
    // first (REFRESH_MARGIN_MS), so it is left to the app.
    const tokens = JSON.parse(win.localStorage.getItem('mi.session.v1') ?? 'null');
    if (!tokens || typeof tokens.accessToken !== 'string' || !(typeof tokens.expiresAt === 'number' && tokens.expiresAt > Date.now() + 60_000)) return;
    const headers = { Accept: 'application/json', Authorization: `Bearer ${tokens.accessToken}` };
    /** @type {Map<string, Promise<Response>>} */
    const reads = new Map();
    win.__miEarlyReads = reads;
    const query = new URLSearchParams(win.location.search);
    /** @param {string} path the page's own path for this read (study-reads.js), so that `prefetch(path)` finds it */
    const get = (path) => {
      const response = win.fetch(path, { headers });
      // The app reads a clone, this script the original: neither can consume the other's body.
      const forApp = response.then((/** @type {Response} */ r) => r.clone());
      forApp.catch(() => undefined);
      reads.set(path, forApp);
      return response;
    };
    const study = `/api/v1/studies/${encodeURIComponent(uid)}`;
    get(study);
    get(`${study}/series`).then((/** @type {Response} */ r) => (r.ok ? r.json() : null)).then((/** @type {any} */ page) => {
      // The series the page opens: ?series=, else the first viewable one (doctor/study-model.js viewableSeries).
      let series = query.get('series');
      if (!series && Array.isArray(page?.items)) {
        const nonImage = ['SR', 'DOC', 'KO', 'PR', 'REG', 'SEG', 'RTSTRUCT', 'RTPLAN'];
        const viewable = page.items.filter((/** @type {any} */ s) => !nonImage.includes(String(s.modality ?? '').toUpperCase()) && (s.instanceCount ?? 0) > 0)
          .sort((/** @type {any} */ a, /** @type {any} */ b) => (a.seriesNumber ?? 1e9) - (b.seriesNumber ?? 1e9));
        series = viewable[0]?.seriesInstanceUID ?? null;
      }
      if (!series) return;
      const path = `/api/v1/series/${encodeURIComponent(series)}`;
      // The frame the viewer shows first (?frame= other than 1 is left to it), packed as the viewer asks for frames
      // (viewer/frame-fetch.js FRAME_ACCEPT): the series' first frame as the viewer stacks it, which the server picks
      // (GET …/first-frame), so that it goes out with the instance list instead of a round trip after it. Its
      // Content-Location names it as the viewer will (`frameURL`).
      if ((query.get('frame') ?? '1') === '1') {
        const answer = win.fetch(`${path}/first-frame`, { headers: { Accept: 'application/vnd.mi-frame; packing=1', Authorization: headers.Authorization }, credentials: 'same-origin' })
          .then((/** @type {Response} */ r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`${r.status}`)))
            .then((body) => ({ url: r.headers.get('Content-Location'), body })));
        answer.catch(() => undefined);
        win.__miEarlyFirstFrame = answer;
      }
      get(`${path}/instances`);
    }).catch(() => undefined);
    // The signed-in user's profile, which the app awaits before it shows the page.
    get('/api/v1/me');
    // The viewer's decode workers (viewer/worker-warmup.js adopts them: EARLY_WORKERS_KEY, decodeWorkerCount): a
    // module worker needs its script and its imports before it can fetch, round trips the page's modules would
    // otherwise wait for.
    if (typeof win.Worker === 'function') {
      /** @type {{ workers: any[], failed: Set<any>, at: number, url: string }} */
      const early = { workers: [], failed: new Set(), at: Date.now(), url: '' };
      try {
        early.url = new URL('/viewer/worker.js', win.location.href).href;
        const count = Math.min(Math.max((win.navigator?.hardwareConcurrency || 2) - 1, 2), 3);
        for (let i = 0; i < count; i++) {
          const worker = new win.Worker(early.url, { type: 'module', name: `mi-frame-decoder-${i}` });
          worker.addEventListener('error', () => early.failed.add(worker));
          early.workers.push(worker);
        }
        win.__miEarlyWorkers = early;
      } catch {
        for (const w of early.workers) w.terminate();
      }
    }
  }
}

/**
 * The inline script's first frame: its URL as the viewer names it (Content-Location) and its body; taken once (later
 * calls, or none asked for, give null). Rejected when the answer was not OK or did not come.
 * @param {any} [win]
 * @returns {Promise<{ url: string | null, body: ArrayBuffer }> | null}
 */
export function takeEarlyFirstFrame(win = globalThis) {
  const first = win[EARLY_FIRST_FRAME_KEY];
  delete win[EARLY_FIRST_FRAME_KEY];
  return first instanceof Promise ? first : null;
}

/**
 * The inline script's reads, taken once (later calls get an empty map).
 * @param {any} [win]
 * @returns {Map<string, Promise<Response>>}
 */
export function takeEarlyReads(win = globalThis) {
  const reads = win[EARLY_READS_KEY];
  delete win[EARLY_READS_KEY];
  return reads instanceof Map ? reads : new Map();
}
