// @ts-check
/**
 * The frame loader: which frame to fetch next, how many at once, what to keep.
 *
 * - Priority: frames someone is waiting for (`request`), then the focused series from the slice under the eye
 *   outward (at equal distance, the side the user is scrolling towards first), then the other series in the
 *   order they were added, each outward from its own last focus.
 * - Concurrency: at most `concurrency` fetches at once. When the focus moves, fetches that are no longer among
 *   the 2·concurrency most wanted missing frames are cancelled to make room for the `concurrency` most wanted.
 * - Batches: with `fetchFrames` (several frames per request), the slice under the eye and frames someone waits
 *   for are fetched alone, and the rest in batches of up to `batchSize` frames of one series (one fetch each):
 *   fewer requests, as the request rate, not the bandwidth, bounds a whole series' load. When several fetches
 *   start at once, the most wanted frames are dealt out to them in turn (fetch k gets the k-th, the (n+k)-th, …),
 *   so that fetches sharing the network in parallel bring the frames in about priority order, and they all stay
 *   busy until the series is in: no fetch ends early and leaves the network idle while the next one starts.
 *   `fetchFrames` may hand frames over as they arrive (its `onFrame`). A batch refused for a reason other than
 *   the network is not retried as a batch: its frames are fetched one by one, so that one bad frame fails alone;
 *   so are the frames missing from a batch that ended early (the server stops a batch before a frame it cannot read).
 * - Frames fetched alone never wait: they may take up to `SOLO_SLOTS` fetches beyond `concurrency`, and one that
 *   is still to come in a batch is fetched alone too (the batch's copy is then ignored).
 * - Memory: decoded frames are kept up to `memoryBudget` bytes. A frame is fetched only if it fits, evicting
 *   frames of lower priority (farther from the focus, other series first); evicted frames are fetched again
 *   when they become wanted.
 * - Errors: network errors, 408, 429 and 5xx are retried with exponential backoff and jitter (honouring
 *   Retry-After), up to `maxAttempts`; other errors fail the frame (a later `request` tries again).
 * - Progress: `onProgress(seriesUID, { loaded, cached, failed, total })` when a series' counts change; `loaded`
 *   counts frames fetched at least once and never goes down.
 *
 * ```js
 * const loader = new FrameLoader({ fetchFrame: (ref, signal) => pool.fetch(ref.url, { signal }) });
 * loader.addSeries(uid, refs);
 * loader.setFocus(uid, 40);
 * const frame = loader.get(uid, 40) ?? await loader.request(uid, 40);
 * ```
 */

/** @typedef {import('./frame-format.js').DecodedFrame} DecodedFrame */

/**
 * One frame the loader can fetch.
 * @typedef {object} FrameRef
 * @property {string} key unique across all series (e.g. `${sopInstanceUID}/${frameNumber}`)
 * @property {string} url
 * @property {number} [bytes] expected decoded size, so that the budget is respected before it arrives
 * @property {string} [seriesUID] its series, for a batch request (`framesURL`)
 * @property {string} [frame] its name in a batch request: `{sopInstanceUID}/{frameNumber}`
 */

/** @typedef {(ref: FrameRef, signal: AbortSignal) => Promise<DecodedFrame>} FetchFrameFn */
/**
 * The frames of `refs`, in order; `onFrame`, when the fetch can, gets each as it arrives (before the promise resolves).
 * @typedef {(refs: FrameRef[], signal: AbortSignal, onFrame?: (index: number, frame: DecodedFrame) => void) => Promise<DecodedFrame[]>} FetchFramesFn
 */
/** @typedef {{ loaded: number, cached: number, failed: number, total: number }} SeriesProgress */

/**
 * @typedef {object} LoaderOptions
 * @property {FetchFrameFn} fetchFrame
 * @property {FetchFramesFn} [fetchFrames] several frames of one series in one request (enables batches)
 * @property {number} [batchSize] most frames per `fetchFrames` call (default 8; 1 turns batches off)
 * @property {number} [maxBatchBytes] most decoded bytes per batch, by the refs' `bytes` (default 32 MiB): a series of
 *   large images goes in smaller batches, so that no answer has to be built or held whole at that size
 * @property {number} [concurrency] parallel fetches (default 4; a batch is one fetch)
 * @property {number} [memoryBudget] bytes of decoded frames kept (default 512 MiB)
 * @property {number} [maxAttempts] tries per frame for retryable errors (default 5)
 * @property {number} [retryBaseMs] first backoff (default 250 ms), doubled per attempt
 * @property {number} [retryMaxMs] longest backoff (default 8 s)
 * @property {(seriesUID: string, progress: SeriesProgress) => void} [onProgress]
 * @property {(seriesUID: string, index: number, frame: DecodedFrame) => void} [onFrame]
 * @property {(seriesUID: string, index: number, error: Error) => void} [onError]
 * @property {(ms: number) => Promise<void>} [sleep] for tests
 * @property {() => number} [random] for tests
 */

/**
 * @typedef {object} Entry
 * @property {Series} series
 * @property {number} index
 * @property {FrameRef} ref
 * @property {'idle' | 'loading' | 'loaded' | 'waiting' | 'failed'} state
 * @property {DecodedFrame | null} frame
 * @property {number} attempts
 * @property {AbortController | null} controller
 * @property {Array<{ resolve: (f: DecodedFrame) => void, reject: (e: Error) => void }>} waiters
 * @property {boolean} fetchedOnce
 * @property {Error | null} error
 * @property {Job | null} job the fetch it is part of while loading
 * @property {boolean} solo fetch it alone (its batch was refused)
 */

/**
 * One fetch in flight: one frame, or a batch of one series' frames.
 * @typedef {object} Job
 * @property {AbortController} controller
 * @property {Entry[]} entries
 */

/**
 * @typedef {object} Series
 * @property {string} uid
 * @property {number} order
 * @property {Entry[]} entries
 * @property {number} focus
 * @property {1 | -1} direction
 */

/** Fetches of frames someone waits for (or the slice under the eye) allowed beyond `concurrency`. */
export const SOLO_SLOTS = 2;

const defaultSleep = (/** @type {number} */ ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

export class FrameLoader {
  /** @param {LoaderOptions} options */
  constructor(options) {
    this.options = options;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.batchSize = options.fetchFrames ? Math.max(1, options.batchSize ?? 8) : 1;
    this.maxBatchBytes = Math.max(1, options.maxBatchBytes ?? 32 * 1024 * 1024);
    this.memoryBudget = options.memoryBudget ?? 512 * 1024 * 1024;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 250;
    this.retryMaxMs = options.retryMaxMs ?? 8000;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    /** @type {Map<string, Series>} */
    this.series = new Map();
    /** @type {Series | null} */
    this.focused = null;
    /** @type {Set<Entry>} entries that are loading */
    this.inFlight = new Set();
    /** @type {Set<Job>} fetches in flight (at most `concurrency`) */
    this.jobs = new Set();
    /** @type {Entry[]} entries someone awaits, most recent last */
    this.requested = [];
    this.usedBytes = 0;
    this.seriesCount = 0;
    this.disposed = false;
    this.pumpScheduled = false;
    /** Only frames fetched alone (the slice under the eye, awaited frames) start while set (`holdBackground`). */
    this.backgroundHeld = false;
    /** Fetches started, in order (for tests and diagnostics). */
    /** @type {string[]} */
    this.startedKeys = [];
    /** The frames of each fetch started, in order (for tests and diagnostics). */
    /** @type {string[][]} */
    this.startedBatches = [];
  }

  /**
   * Adds a series (its frames in stack order). Adding a known series replaces it.
   * @param {string} seriesUID
   * @param {FrameRef[]} refs
   */
  addSeries(seriesUID, refs) {
    if (this.series.has(seriesUID)) this.removeSeries(seriesUID);
    /** @type {Series} */
    const s = { uid: seriesUID, order: this.seriesCount++, entries: [], focus: 0, direction: 1 };
    s.entries = refs.map((ref, index) => ({ series: s, index, ref, state: 'idle', frame: null, attempts: 0, controller: null, waiters: [], fetchedOnce: false, error: null, job: null, solo: false }));
    this.series.set(seriesUID, s);
    this.#emitProgress(s);
    this.#pump();
  }

  /**
   * Forgets a series: cancels its fetches, frees its frames, rejects its waiters.
   * @param {string} seriesUID
   */
  removeSeries(seriesUID) {
    const s = this.series.get(seriesUID);
    if (!s) return;
    for (const job of [...this.jobs]) if (job.entries[0]?.series === s) this.jobs.delete(job);
    for (const e of s.entries) {
      e.controller?.abort();
      e.controller = null;
      e.job = null;
      this.inFlight.delete(e);
      if (e.frame) this.usedBytes -= e.frame.data.byteLength;
      e.frame = null;
      for (const w of e.waiters) w.reject(new Error('series removed'));
      e.waiters = [];
      e.state = 'idle';
    }
    this.requested = this.requested.filter((e) => e.series !== s);
    this.series.delete(seriesUID);
    if (this.focused === s) this.focused = null;
    this.#pump();
  }

  /**
   * The slice under the eye: reprioritises, and cancels fetches that are no longer wanted soon.
   * @param {string} seriesUID
   * @param {number} index
   */
  setFocus(seriesUID, index) {
    const s = this.series.get(seriesUID);
    if (!s) return;
    const clamped = Math.min(Math.max(Math.round(index), 0), s.entries.length - 1);
    if (clamped !== s.focus) s.direction = clamped > s.focus ? 1 : -1;
    s.focus = clamped;
    this.focused = s;
    this.#preempt();
    this.#pump();
  }

  /**
   * A frame if it is in memory.
   * @param {string} seriesUID
   * @param {number} index
   * @returns {DecodedFrame | null}
   */
  get(seriesUID, index) {
    return this.series.get(seriesUID)?.entries[index]?.frame ?? null;
  }

  /**
   * A frame, fetched first if needed, ahead of everything else. A failed frame is tried again.
   * @param {string} seriesUID
   * @param {number} index
   * @returns {Promise<DecodedFrame>}
   */
  request(seriesUID, index) {
    const e = this.series.get(seriesUID)?.entries[index];
    if (!e) return Promise.reject(new RangeError(`no frame ${index} in series ${seriesUID}`));
    if (e.frame) return Promise.resolve(e.frame);
    if (e.state === 'failed') { e.state = 'idle'; e.attempts = 0; e.error = null; this.#emitProgress(e.series); }
    return new Promise((resolve, reject) => {
      e.waiters.push({ resolve, reject });
      this.requested = this.requested.filter((r) => r !== e);
      this.requested.push(e);
      this.#preempt();
      this.#pump();
    });
  }

  /**
   * @param {string} seriesUID
   * @returns {SeriesProgress}
   */
  progress(seriesUID) {
    const s = this.series.get(seriesUID);
    if (!s) return { loaded: 0, cached: 0, failed: 0, total: 0 };
    let loaded = 0, cached = 0, failed = 0;
    for (const e of s.entries) {
      if (e.fetchedOnce) loaded++;
      if (e.frame) cached++;
      if (e.state === 'failed') failed++;
    }
    return { loaded, cached, failed, total: s.entries.length };
  }

  /**
   * While `held`, only the slice under the eye and awaited frames are fetched: the rest wait until it is cleared.
   * The viewer holds them until a series' first image is on screen, which they would compete with for the network
   * and the CPU.
   * @param {boolean} held
   */
  holdBackground(held) {
    if (this.backgroundHeld === held) return;
    this.backgroundHeld = held;
    this.#pump();
  }

  /** Cancels everything and drops all frames. */
  dispose() {
    this.disposed = true;
    for (const uid of [...this.series.keys()]) this.removeSeries(uid);
  }

  // ------------------------------------------------------------------ priority

  /**
   * Every entry in priority order: requested (most recent first), the focused series outward, the others.
   * @returns {Generator<Entry>}
   */
  *#prioritized() {
    for (let i = this.requested.length - 1; i >= 0; i--) yield this.requested[i];
    if (this.focused) yield* outward(this.focused);
    const others = [...this.series.values()].filter((s) => s !== this.focused).sort((a, b) => a.order - b.order);
    for (const s of others) yield* outward(s);
  }

  /**
   * A number that orders entries like `#prioritized` (smaller is more wanted), for eviction.
   * @param {Entry} e
   */
  #rank(e) {
    if (e.waiters.length > 0) return -1;
    const s = e.series;
    const d = e.index - s.focus;
    const distance = 2 * Math.abs(d) + (d !== 0 && Math.sign(d) !== s.direction ? 1 : 0);
    return s === this.focused ? distance : (1 + s.order) * 1e7 + distance;
  }

  // ------------------------------------------------------------------ scheduling

  /** Starts fetches in a microtask, so that calls in one task (add a series, set its focus) are seen together. */
  #pump() {
    if (this.pumpScheduled || this.disposed) return;
    this.pumpScheduled = true;
    queueMicrotask(() => { this.pumpScheduled = false; this.#pumpNow(); });
  }

  #pumpNow() {
    if (this.disposed) return;
    this.#detachAlone();
    for (;;) {
      let candidate = null;
      for (const e of this.#prioritized()) if (e.state === 'idle') { candidate = e; break; }
      if (!candidate) return;
      const alone = this.#alone(candidate);
      if (this.jobs.size >= this.concurrency + (alone ? SOLO_SLOTS : 0)) return;
      if ((this.backgroundHeld && !alone) || !this.#makeRoom(candidate)) return;
      this.#reserve(candidate);
      if (alone || this.batchSize === 1) {
        this.#start([candidate]);
        continue;
      }
      // The most wanted frames of this series for all free fetches, dealt out to them in turn.
      const free = Math.max(this.concurrency - this.jobs.size, 1);
      const wanted = [candidate];
      let bytes = candidate.ref.bytes ?? 0;
      for (const e of this.#prioritized()) {
        if (wanted.length >= free * this.batchSize) break;
        if (e.state !== 'idle' || e.series !== candidate.series || this.#alone(e)) continue;
        if (bytes + (e.ref.bytes ?? 0) > free * this.maxBatchBytes || !this.#makeRoom(e)) break;
        this.#reserve(e);
        wanted.push(e);
        bytes += e.ref.bytes ?? 0;
      }
      const count = Math.min(free, wanted.length, Math.max(Math.ceil(wanted.length / this.batchSize), Math.ceil(bytes / this.maxBatchBytes)));
      /** @type {Entry[][]} */
      const batches = Array.from({ length: count }, () => []);
      wanted.forEach((e, i) => batches[i % count].push(e));
      for (const batch of batches) this.#start(batch);
    }
  }

  /**
   * Frames fetched alone that are still to come in a batch go back to idle, so that they are fetched alone now;
   * the batch's copy is ignored when it comes.
   */
  #detachAlone() {
    /** @type {Entry[]} */
    const alone = [...this.requested];
    if (this.focused) alone.push(this.focused.entries[this.focused.focus]);
    let slots = this.concurrency + SOLO_SLOTS - this.jobs.size;
    for (const e of alone) {
      if (slots <= 0) return;
      if (!e || e.state !== 'loading' || !e.job || e.job.entries.length < 2) continue;
      slots -= 1;
      this.inFlight.delete(e);
      e.controller = null;
      e.job = null;
      e.state = 'idle';
    }
  }

  /**
   * Frames fetched alone: the slice under the eye, frames someone waits for, frames whose batch was refused.
   * @param {Entry} e
   */
  #alone(e) {
    return e.solo || e.waiters.length > 0 || this.#isFocus(e);
  }

  /**
   * Counts a frame as loading before its fetch starts, so that the budget sees the rest of its batch.
   * @param {Entry} e
   */
  #reserve(e) {
    e.state = 'loading';
    this.inFlight.add(e);
  }

  /**
   * Cancels in-flight fetches that the moved focus made unimportant, if more wanted frames wait for a slot.
   */
  #preempt() {
    if (this.jobs.size < this.concurrency) return;
    const k = this.concurrency;
    /** @type {Entry[]} */
    const missing = [];
    for (const e of this.#prioritized()) {
      if (e.state === 'idle' || e.state === 'loading') missing.push(e);
      if (missing.length >= 2 * k * this.batchSize) break;
    }
    const protectedSet = new Set(missing);
    const wantedNotStarted = missing.slice(0, k).filter((e) => e.state === 'idle').length;
    // With batches, one fetch alone (the slice under the eye) and one batch serve the most wanted frames.
    const slots = this.batchSize > 1 ? Math.min(wantedNotStarted, 2) : wantedNotStarted;
    const jobRank = (/** @type {Job} */ j) => Math.min(...j.entries.map((e) => this.#rank(e)));
    const victims = [...this.jobs].filter((j) => !j.entries.some((e) => protectedSet.has(e))).sort((a, b) => jobRank(b) - jobRank(a));
    for (const job of victims.slice(0, slots)) {
      job.controller.abort();
      this.jobs.delete(job);
      for (const e of job.entries) {
        if (e.job !== job) continue;
        this.inFlight.delete(e);
        e.controller = null;
        e.job = null;
        e.state = 'idle';
      }
    }
  }

  /**
   * Whether `candidate` fits the budget, evicting less wanted frames if that makes it fit.
   * @param {Entry} candidate
   */
  #makeRoom(candidate) {
    const loaded = this.#loadedEntries();
    // Without a size hint, a frame is assumed to be as large as the average one held.
    const average = loaded.length > 0 ? this.usedBytes / loaded.length : 0;
    const need = candidate.ref.bytes ?? average;
    let inFlightBytes = 0;
    for (const e of this.inFlight) inFlightBytes += e.ref.bytes ?? average;
    let excess = this.usedBytes + inFlightBytes + need - this.memoryBudget;
    if (excess <= 0) return true;
    const rank = this.#rank(candidate);
    const evictable = loaded.filter((e) => this.#rank(e) > rank && !this.#isFocus(e)).sort((a, b) => this.#rank(b) - this.#rank(a));
    /** @type {Entry[]} */
    const chosen = [];
    for (const e of evictable) {
      if (excess <= 0) break;
      chosen.push(e);
      excess -= /** @type {DecodedFrame} */ (e.frame).data.byteLength;
    }
    if (excess > 0) return false;
    for (const e of chosen) this.#evict(e);
    return true;
  }

  /** @param {Entry} e */
  #isFocus(e) {
    return e.series === this.focused && e.index === e.series.focus;
  }

  #loadedEntries() {
    /** @type {Entry[]} */
    const out = [];
    for (const s of this.series.values()) for (const e of s.entries) if (e.frame) out.push(e);
    return out;
  }

  /** @param {Entry} e */
  #evict(e) {
    if (!e.frame) return;
    this.usedBytes -= e.frame.data.byteLength;
    e.frame = null;
    e.state = 'idle';
    this.#emitProgress(e.series);
  }

  /**
   * One fetch for `entries` (reserved by `#reserve`): one frame through `fetchFrame`, several through `fetchFrames`.
   * @param {Entry[]} entries
   */
  #start(entries) {
    const controller = new AbortController();
    /** @type {Job} */
    const job = { controller, entries };
    this.jobs.add(job);
    for (const e of entries) {
      e.controller = controller;
      e.job = job;
      this.startedKeys.push(e.ref.key);
    }
    this.startedBatches.push(entries.map((e) => e.ref.key));
    const fetchFrames = this.options.fetchFrames;
    const refs = entries.map((e) => e.ref);
    const fetched = entries.length === 1 || !fetchFrames
      ? this.options.fetchFrame(refs[0], controller.signal).then((frame) => [frame])
      : fetchFrames(refs, controller.signal, (index, frame) => {
        const e = entries[index];
        if (e && frame) this.#arrived(e, controller, frame);
      });
    fetched.then(
      (frames) => {
        this.jobs.delete(job);
        if (frames.length > entries.length) {
          const error = new Error(`${frames.length} frames for a batch of ${entries.length}`);
          for (const e of entries) this.#failed(e, controller, error);
          return;
        }
        frames.forEach((frame, i) => this.#arrived(entries[i], controller, frame));
        // A batch the server ended early (a frame it could not read): the rest are asked for one by one, so that
        // the bad frame fails alone with its own error.
        for (const e of entries.slice(frames.length)) {
          if (e.controller !== controller || this.disposed) continue;
          this.inFlight.delete(e);
          e.controller = null;
          e.job = null;
          e.state = 'idle';
          e.solo = true;
        }
        this.#pump();
      },
      (error) => {
        this.jobs.delete(job);
        const batchRefused = entries.length > 1 && error?.code !== 'aborted' && !error?.retryable;
        for (const e of entries) {
          if (batchRefused && e.controller === controller && !this.disposed) {
            // One refused frame must not fail its neighbours: each is tried again alone.
            this.inFlight.delete(e);
            e.controller = null;
            e.job = null;
            e.state = 'idle';
            e.solo = true;
          } else {
            this.#failed(e, controller, error);
          }
        }
        this.#pump();
      },
    );
  }

  /**
   * @param {Entry} e
   * @param {AbortController} controller
   * @param {DecodedFrame} frame
   */
  #arrived(e, controller, frame) {
    if (e.controller !== controller || this.disposed) return;  // cancelled or replaced meanwhile
    this.inFlight.delete(e);
    e.controller = null;
    e.job = null;
    e.state = 'loaded';
    e.frame = frame;
    e.fetchedOnce = true;
    e.attempts = 0;
    e.error = null;
    this.usedBytes += frame.data.byteLength;
    const waiters = e.waiters;
    e.waiters = [];
    this.requested = this.requested.filter((r) => r !== e);
    // The size estimate may have been low: keep the budget, dropping the least wanted frames (this one too,
    // if it is the least wanted: its waiters still get it).
    if (this.usedBytes > this.memoryBudget) {
      const byRank = this.#loadedEntries().filter((x) => !this.#isFocus(x)).sort((a, b) => this.#rank(b) - this.#rank(a));
      for (const x of byRank) { if (this.usedBytes <= this.memoryBudget) break; this.#evict(x); }
    }
    for (const w of waiters) w.resolve(frame);
    this.options.onFrame?.(e.series.uid, e.index, frame);
    this.#emitProgress(e.series);
    this.#pump();
  }

  /**
   * @param {Entry} e
   * @param {AbortController} controller
   * @param {any} error
   */
  #failed(e, controller, error) {
    if (e.controller !== controller || this.disposed) return;
    this.inFlight.delete(e);
    e.controller = null;
    e.job = null;
    if (error?.code === 'aborted') { e.state = 'idle'; this.#pump(); return; }
    e.attempts += 1;
    if (error?.retryable && e.attempts < this.maxAttempts) {
      e.state = 'waiting';
      const backoff = Math.min(this.retryBaseMs * 2 ** (e.attempts - 1), this.retryMaxMs) * (0.5 + this.random() / 2);
      this.sleep(Math.max(backoff, error.retryAfterMs ?? 0)).then(() => {
        if (e.state !== 'waiting' || this.disposed) return;
        e.state = 'idle';
        this.#pump();
      });
    } else {
      e.state = 'failed';
      e.error = error instanceof Error ? error : new Error(String(error));
      const waiters = e.waiters;
      e.waiters = [];
      this.requested = this.requested.filter((r) => r !== e);
      for (const w of waiters) w.reject(e.error);
      this.options.onError?.(e.series.uid, e.index, e.error);
      this.#emitProgress(e.series);
    }
    this.#pump();
  }

  /** @param {Series} s */
  #emitProgress(s) {
    this.options.onProgress?.(s.uid, this.progress(s.uid));
  }
}

/**
 * A series' entries from its focus outward, the scrolling direction first at equal distance.
 * @param {Series} s
 * @returns {Generator<Entry>}
 */
function* outward(s) {
  const n = s.entries.length;
  if (n === 0) return;
  yield s.entries[s.focus];
  for (let d = 1; d < n; d++) {
    const ahead = s.focus + d * s.direction, behind = s.focus - d * s.direction;
    if (ahead >= 0 && ahead < n) yield s.entries[ahead];
    if (behind >= 0 && behind < n) yield s.entries[behind];
    if ((ahead < 0 || ahead >= n) && (behind < 0 || behind >= n)) return;
  }
}
