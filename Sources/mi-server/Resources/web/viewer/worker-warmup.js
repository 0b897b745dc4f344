// @ts-check
/**
 * Decode workers started before the page that uses them has loaded. A module worker's start (its script and its
 * imports, then their evaluation) takes a round trip or more, so the study page's workers are started by the page's
 * inline start-up script on a deep link (`app/early-reads.js`, before any module has arrived; they are taken over
 * from `EARLY_WORKERS_KEY`), else by `app/main.js` (through `doctor/study-reads.js`) while the page's own modules
 * load, and the page's `WorkerPool` adopts them. No imports, so that the app shell carries it cheaply.
 */

/** The decode worker's script: the one `WorkerPool` starts by default. */
export const DECODE_WORKER_URL = new URL('./worker.js', import.meta.url).href;
/** Warm workers not adopted within this long are stopped. */
export const WARM_TTL_MS = 30_000;

/**
 * How many decode workers a page should run: one per core but one, at least two (one decodes while the other takes
 * the next answer off the network; the main thread is mostly idle while a series loads), at most three.
 * @param {number} [cores]
 */
export function decodeWorkerCount(cores = globalThis.navigator?.hardwareConcurrency || 2) {
  return Math.min(Math.max(cores - 1, 2), 3);
}

/** Where the study page's inline start-up script (app/early-reads.js) leaves the workers it started. */
export const EARLY_WORKERS_KEY = '__miEarlyWorkers';

/** @type {{ workers: Worker[], failed: Set<Worker>, at: number } | null} */
let warm = null;

/**
 * Takes over the workers the inline start-up script started (once), when nothing is warm yet: they were started
 * before any module arrived. Workers of another script are stopped.
 * @param {any} [win]
 */
function adoptEarlyWorkers(win = globalThis) {
  const early = win[EARLY_WORKERS_KEY];
  if (!early) return;
  delete win[EARLY_WORKERS_KEY];
  if (!Array.isArray(early.workers) || !(early.failed instanceof Set) || typeof early.at !== 'number') return;
  if (warm || early.url !== DECODE_WORKER_URL) {
    for (const w of early.workers) w.terminate();
    return;
  }
  const entry = { workers: early.workers, failed: early.failed, at: early.at };
  warm = entry;
  setTimeout(() => { if (warm === entry) takeWarmWorkers(''); }, WARM_TTL_MS + 1000);
}

/**
 * Starts `count` decode workers for a pool that is about to be made; does nothing when some are already waiting or
 * the environment has no workers.
 * @param {number} [count]
 * @param {() => number} [now]
 */
export function warmDecodeWorkers(count = decodeWorkerCount(), now = Date.now) {
  adoptEarlyWorkers();
  if (warm || typeof Worker === 'undefined') return;
  /** @type {Set<Worker>} */
  const failed = new Set();
  /** @type {Worker[]} */
  const workers = [];
  try {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(DECODE_WORKER_URL, { type: 'module', name: `mi-frame-decoder-${i}` });
      // Until a pool adopts it nobody else listens: remember that it failed to load.
      worker.addEventListener('error', () => failed.add(worker));
      workers.push(worker);
    }
  } catch {
    for (const w of workers) w.terminate();
    return;
  }
  const entry = { workers, failed, at: now() };
  warm = entry;
  // Not adopted in time (the page showed no viewer, or went away): stopped.
  setTimeout(() => { if (warm === entry) takeWarmWorkers(''); }, WARM_TTL_MS + 1000);
}

/**
 * The warm workers for a pool of `url`'s workers, each once: none when there are none, they are older than
 * `WARM_TTL_MS`, or `url` is another script (those are stopped). A worker that failed to load is stopped and left out.
 * @param {string | URL} url
 * @param {() => number} [now]
 * @returns {Worker[]}
 */
export function takeWarmWorkers(url, now = Date.now) {
  adoptEarlyWorkers();
  const w = warm;
  warm = null;
  if (!w) return [];
  const usable = String(url) === DECODE_WORKER_URL && now() - w.at <= WARM_TTL_MS;
  const kept = usable ? w.workers.filter((x) => !w.failed.has(x)) : [];
  for (const x of w.workers) if (!kept.includes(x)) x.terminate();
  return kept;
}
