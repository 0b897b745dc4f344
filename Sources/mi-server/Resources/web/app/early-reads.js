// @ts-check
/**
 * The study page's first reads, started by an inline script in index.html while the HTML is still being parsed,
 * before any module has arrived: on a deep link (`/studies/{uid}`: a doctor's bookmark, a link in a message) the study,
 * its series, the instance list of the series the page will open (`?series=`, else the first viewable one) and the
 * first frame it will show are on the network module waves earlier, and the study page's modules are preloaded with
 * the app shell's instead of after it. The signed-in user's profile (`/api/v1/me`), which the app awaits before it
 * shows any signed-in page, is asked for too; and over HTTP/2, the viewer loader's first batches.
 *
 * `app/main.js` gives the answers to its `ApiClient` (`takeEarlyReads`), whose `get` and `prefetch` adopt them; the
 * study page gives the frame and the batches to its viewer (`takeEarlyFirstFrame`, `takeEarlyFrames`). Their bodies
 * are read here, so that the page decodes them without waiting for the network again: while the page's modules are
 * evaluated, the main thread has no time to read a response.
 *
 * `startEarlyReads` is inlined by `Scripts/gen-web-preload.mjs` (its source text, called with the study page's module
 * list), and the page's Content-Security-Policy allows exactly that script by its hash. So it must stay
 * self-contained: no imports, no names from this module. Anything unexpected (no token, an expired one, no storage)
 * makes it do nothing: the page then asks for itself as before.
 */

/** Where the inline script leaves its reads: a Map from API path to the Response promise. */
export const EARLY_READS_KEY = '__miEarlyReads';
/**
 * Where it leaves the loader's first batches: a Map from the batch's URL (viewer/frame-fetch.js `framesURL`) to a
 * promise of its body (rejected when the answer is not OK or did not come).
 */
export const EARLY_FRAMES_KEY = '__miEarlyFrames';
/** Where it leaves the first frame: a promise of `{ url, body }` (`takeEarlyFirstFrame`). */
export const EARLY_FIRST_FRAME_KEY = '__miEarlyFirstFrame';
/** Where it leaves the promise that it has asked for its batches (`takeEarlyBatchesPlanned`). */
export const EARLY_BATCHES_PLANNED_KEY = '__miEarlyBatchesPlanned';
/** Set by the page when it stopped waiting for the batches (`abandonEarlyBatches`): the script then asks for none. */
export const EARLY_BATCHES_ABANDONED_KEY = '__miEarlyBatchesAbandoned';

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
    /** @type {Map<string, Promise<ArrayBuffer>>} */
    const frames = new Map();
    win.__miEarlyFrames = frames;
    const query = new URLSearchParams(win.location.search);
    // The loader's batches go only over HTTP/2 or 3 (on HTTP/1.1's six connections they would queue the page's own
    // requests behind them), and only when the viewer opens at its first frame. Until the script knows which it asks
    // for, the page waits before it asks for a batch itself (`takeEarlyBatchesPlanned`), so that none goes twice.
    const protocol = String(win.performance?.getEntriesByType?.('navigation')?.[0]?.nextHopProtocol ?? '');
    const batches = /^h[23]/.test(protocol) && (query.get('frame') ?? '1') === '1';
    /** @type {() => void} */
    let planned = () => undefined;
    if (batches) win.__miEarlyBatchesPlanned = new Promise((resolve) => { planned = () => resolve(undefined); });
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
      const auth = { Authorization: headers.Authorization };
      /** @param {Response} r */
      const okBody = (r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`${r.status}`)));
      // The frame the viewer shows first (?frame= other than 1 is left to it), packed as the viewer asks for frames
      // (viewer/frame-fetch.js FRAME_ACCEPT): the series' first frame as the viewer stacks it, which the server picks
      // (GET …/first-frame), so that it goes out with the instance list instead of a round trip after it. Its
      // Content-Location names it as the viewer will (`frameURL`).
      /** @type {Promise<unknown>} */
      let first = Promise.resolve();
      if ((query.get('frame') ?? '1') === '1') {
        const answer = win.fetch(`${path}/first-frame`, { headers: { Accept: 'application/vnd.mi-frame; packing=1', ...auth }, credentials: 'same-origin' })
          .then((/** @type {Response} */ r) => okBody(r).then((body) => ({ url: r.headers.get('Content-Location'), body })));
        answer.catch(() => undefined);
        win.__miEarlyFirstFrame = answer;
        first = answer;
      }
      const instances = get(`${path}/instances`).then((/** @type {Response} */ r) => (r.ok ? r.json() : null));
      // Then, once the first frame is in (not to share the link with it), the batches the viewer's loader asks for
      // first (viewer/loader.js: the first frame alone, then the next ones in stack order, 8 to a request), packed
      // (FRAMES_ACCEPT), at most 128 MB of decoded frames: the whole of most series.
      if (!batches) return;
      return Promise.all([instances, first.catch(() => undefined)]).then(([page]) => {
        // The page stopped waiting and asks for them itself: none goes twice.
        if (!Array.isArray(page?.items) || win.__miEarlyBatchesAbandoned) return;
        // The stack (viewer/stack.js seriesStack of doctor/study-model.js imageInstances): image instances in
        // Instance Number order, multi-frame ones expanded; as many frames as the budget holds.
        const images = page.items.filter((/** @type {any} */ i) => typeof i?.image?.rows === 'number' && typeof i.image.columns === 'number')
          .sort((/** @type {any} */ a, /** @type {any} */ b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0));
        /** @type {string[]} */
        const names = [];
        let bytes = 0, cut = false;
        for (const i of images) {
          const frameBytes = i.image.rows * i.image.columns * (i.image.samplesPerPixel ?? 1) * ((i.image.bitsAllocated ?? 16) > 8 ? 2 : 1);
          for (let n = 1; n <= Math.max(1, i.image.numberOfFrames ?? i.numberOfFrames ?? 1); n++) {
            if (cut || bytes + frameBytes > 128 * 1024 * 1024) { cut = true; break; }
            names.push(`${i.sopInstanceUID}/${n}`);
            bytes += frameBytes;
          }
        }
        // A batch the budget cut short would not be the loader's: it is left to the loader.
        if (cut && names.length > 0) names.length -= (names.length - 1) % 8;
        for (let at = 1; at < names.length; at += 8) {
          const url = `${path}/frames?frames=${names.slice(at, at + 8).map(encodeURIComponent).join(',')}`;
          const body = win.fetch(url, { headers: { Accept: 'application/vnd.mi-frames; packing=1', ...auth }, credentials: 'same-origin' }).then(okBody);
          body.catch(() => undefined);
          frames.set(url, body);
        }
      });
    }).catch(() => undefined).finally(planned);
    // The signed-in user's profile, which the app awaits before it shows the page.
    get('/api/v1/me');
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
 * Resolves when the inline script has asked for the batches it will ask for (they are then in `takeEarlyFrames`'
 * map), or has given up; null when it asks for none. Taken once.
 * @param {any} [win]
 * @returns {Promise<void> | null}
 */
export function takeEarlyBatchesPlanned(win = globalThis) {
  const planned = win[EARLY_BATCHES_PLANNED_KEY];
  delete win[EARLY_BATCHES_PLANNED_KEY];
  return planned instanceof Promise ? planned : null;
}

/**
 * Tells the inline script that the page no longer waits for its batches (`takeEarlyBatchesPlanned` took too long):
 * it asks for none after this.
 * @param {any} [win]
 */
export function abandonEarlyBatches(win = globalThis) {
  win[EARLY_BATCHES_ABANDONED_KEY] = true;
}

/**
 * The inline script's batches (by the loader's batch URL: their bodies), taken once (later calls get an empty map;
 * batches the script asks for later still land in the map taken).
 * @param {any} [win]
 * @returns {Map<string, Promise<ArrayBuffer>>}
 */
export function takeEarlyFrames(win = globalThis) {
  const frames = win[EARLY_FRAMES_KEY];
  delete win[EARLY_FRAMES_KEY];
  return frames instanceof Map ? frames : new Map();
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
