// @ts-check
/**
 * The main thread's side of the decode workers: a small pool of module workers (`worker.js`), each taking any
 * number of concurrent fetches; a request goes to the worker with the fewest outstanding. Exposes the loader's
 * fetch function shape.
 *
 * ```js
 * const pool = new WorkerPool({ workers: 2 });
 * const frame = await pool.fetch('/api/v1/instances/1.2.3/frames/1', { headers: { Authorization: 'Bearer …' }, signal });
 * ```
 */

import { FrameFetchError, fetchFrame, fetchFrames } from './frame-fetch.js';
import { DECODE_WORKER_URL, takeWarmWorkers } from './worker-warmup.js';

/** @typedef {import('./frame-format.js').DecodedFrame} DecodedFrame */

/**
 * @typedef {object} Pending
 * @property {(f: any) => void} resolve a frame, or the frames of a batch
 * @property {(e: Error) => void} reject
 * @property {number} worker
 * @property {DecodedFrame[]} parts a streamed batch's frames so far
 * @property {((index: number, frame: DecodedFrame) => void) | undefined} onFrame
 */

/** @type {Record<string, (b: ArrayBuffer) => import('./frame-format.js').SampleArray>} */
const arrayTypes = {
  '1u': (b) => new Uint8Array(b), '1s': (b) => new Int8Array(b), '2u': (b) => new Uint16Array(b), '2s': (b) => new Int16Array(b),
};

export class WorkerPool {
  /**
   * @param {{ workerURL?: URL | string, workers?: number }} [options]
   */
  constructor(options = {}) {
    const url = options.workerURL ?? DECODE_WORKER_URL;
    const count = Math.max(1, options.workers ?? 2);
    // Workers app/main.js started while this page loaded (worker-warmup.js), then new ones for the rest.
    const adopted = takeWarmWorkers(url);
    for (const extra of adopted.splice(count)) extra.terminate();
    /** @type {Worker[]} */
    this.workers = [];
    /** @type {number[]} */
    this.outstanding = [];
    /** @type {Map<number, Pending>} */
    this.pending = new Map();
    this.nextId = 1;
    for (let i = 0; i < count; i++) {
      const worker = adopted[i] ?? new Worker(url, { type: 'module', name: `mi-frame-decoder-${i}` });
      worker.onmessage = (e) => this.#receive(e.data);
      worker.onerror = (e) => this.#failWorker(i, e.message || 'worker error');
      this.workers.push(worker);
      this.outstanding.push(0);
    }
  }

  /**
   * Fetches and decodes one frame in a worker.
   * @param {string} url absolute or relative to the page
   * @param {{ headers?: Record<string, string>, signal?: AbortSignal }} [options]
   * @returns {Promise<DecodedFrame>}
   */
  fetch(url, options = {}) {
    return this.#post('fetch', url, options);
  }

  /**
   * Fetches and decodes a batch of frames (`application/vnd.mi-frames`) in a worker, in the order the URL asks.
   * With `onFrame`, the worker decodes each frame as soon as its bytes are in and sends it on at once.
   * @param {string} url absolute or relative to the page
   * @param {{ headers?: Record<string, string>, signal?: AbortSignal, onFrame?: (index: number, frame: DecodedFrame) => void }} [options]
   * @returns {Promise<DecodedFrame[]>}
   */
  fetchBatch(url, options = {}) {
    return this.#post('fetchBatch', url, options);
  }

  /**
   * @param {'fetch' | 'fetchBatch'} type
   * @param {string} url
   * @param {{ headers?: Record<string, string>, signal?: AbortSignal, onFrame?: (index: number, frame: DecodedFrame) => void }} options
   * @returns {Promise<any>}
   */
  #post(type, url, options) {
    const { headers = {}, signal, onFrame } = options;
    if (signal?.aborted) return Promise.reject(new FrameFetchError('aborted', url));
    const id = this.nextId++;
    let w = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.outstanding[i] < this.outstanding[w]) w = i;
    const absolute = new URL(url, location.href).href;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w, parts: [], onFrame });
      this.outstanding[w] += 1;
      signal?.addEventListener('abort', () => {
        if (!this.pending.has(id)) return;
        this.workers[w].postMessage({ type: 'abort', id });
        this.#settle(id)?.reject(new FrameFetchError('aborted', url));
      }, { once: true });
      this.workers[w].postMessage({ type, id, url: absolute, headers, stream: type === 'fetchBatch' && onFrame !== undefined });
    });
  }

  /** Stops the workers; outstanding fetches fail with `aborted`. */
  terminate() {
    for (const w of this.workers) w.terminate();
    for (const id of [...this.pending.keys()]) this.#settle(id)?.reject(new FrameFetchError('aborted', 'worker pool terminated'));
  }

  /** @param {number} id */
  #settle(id) {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    this.outstanding[p.worker] -= 1;
    return p;
  }

  /** @param {any} message */
  #receive(message) {
    if (message.type === 'part') {
      const p = this.pending.get(message.id);
      if (!p) return;  // aborted meanwhile
      const frame = fromMessage(message.frame);
      p.parts[message.index] = frame;
      p.onFrame?.(message.index, frame);
      return;
    }
    const p = this.#settle(message.id);
    if (!p) return;  // aborted meanwhile
    if (message.type === 'frame') {
      p.resolve(fromMessage(message.frame));
    } else if (message.type === 'frames') {
      p.resolve(message.streamed ? p.parts : message.frames.map(fromMessage));
    } else {
      p.reject(FrameFetchError.fromJSON(message.error));
    }
  }

  /**
   * A worker failed to load or crashed: its requests fail (retryably).
   * @param {number} w
   * @param {string} why
   */
  #failWorker(w, why) {
    for (const [id, p] of [...this.pending]) {
      if (p.worker === w) this.#settle(id)?.reject(new FrameFetchError('network', `decode worker: ${why}`, { retryable: true }));
    }
  }
}

/**
 * A frame back from the worker's message (its buffer transferred).
 * @param {any} part
 * @returns {DecodedFrame}
 */
function fromMessage(part) {
  const { buffer, ...d } = part;
  return { ...d, data: arrayTypes[`${d.bytesPerSample}${d.signed ? 's' : 'u'}`](buffer) };
}

/**
 * The same shape on the main thread (no worker): for environments without module workers, and for an answer the
 * page already has (`fetchImpl`).
 * @param {string} url
 * @param {{ headers?: Record<string, string>, signal?: AbortSignal, fetchImpl?: typeof fetch }} [options]
 * @returns {Promise<DecodedFrame>}
 */
export async function fetchOnMainThread(url, options = {}) {
  return (await fetchFrame(url, options)).frame;
}

/**
 * A batch on the main thread (no worker).
 * @param {string} url
 * @param {{ headers?: Record<string, string>, signal?: AbortSignal }} [options]
 * @returns {Promise<DecodedFrame[]>}
 */
export async function fetchBatchOnMainThread(url, options = {}) {
  return (await fetchFrames(url, options)).frames;
}
