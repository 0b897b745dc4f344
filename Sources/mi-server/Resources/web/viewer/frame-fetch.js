// @ts-check
/**
 * One frame from the network: `fetch`, check the status, decode MIF1. Runs in the decode worker (`worker.js`),
 * and on the main thread where workers are not available (and in Node tests).
 */

import { decodeFrame, FrameFormatError, FrameSplitter, splitFrames } from './frame-format.js';

/**
 * What a frame fetch accepts: MIF1 with the packed payload (`frame-format.js`), a few times fewer bytes for the
 * browser to inflate and copy to the page than the planar one. The server packs only when asked so; `Vary: Accept`.
 */
export const FRAME_ACCEPT = 'application/vnd.mi-frame; packing=1';
/** The same for a batch (`application/vnd.mi-frames`). */
export const FRAMES_ACCEPT = 'application/vnd.mi-frames; packing=1';

/** @typedef {'http' | 'network' | 'aborted' | 'decode'} FrameFetchErrorCode */

/**
 * The one error of a frame fetch. Compare `code`, never the message.
 * - `http`: the server answered with a non-2xx status (`status`); 408, 429 and 5xx are worth retrying;
 * - `network`: no answer (offline, reset, DNS), worth retrying;
 * - `aborted`: the caller cancelled;
 * - `decode`: the body is not a valid MIF1 frame (`formatCode` says why); retrying will not help.
 */
export class FrameFetchError extends Error {
  /**
   * @param {FrameFetchErrorCode} code
   * @param {string} detail
   * @param {{ status?: number, retryable?: boolean, retryAfterMs?: number, formatCode?: string }} [info]
   */
  constructor(code, detail, info = {}) {
    super(`${code}: ${detail}`);
    this.name = 'FrameFetchError';
    /** @type {FrameFetchErrorCode} */
    this.code = code;
    this.status = info.status ?? 0;
    this.retryable = info.retryable ?? false;
    this.retryAfterMs = info.retryAfterMs ?? 0;
    this.formatCode = info.formatCode ?? '';
  }

  /** A plain object that survives `postMessage`. */
  toJSON() {
    return { code: this.code, message: this.message, status: this.status, retryable: this.retryable, retryAfterMs: this.retryAfterMs, formatCode: this.formatCode };
  }

  /**
   * The error back from `toJSON()`.
   * @param {{ code: FrameFetchErrorCode, message: string, status?: number, retryable?: boolean, retryAfterMs?: number, formatCode?: string }} o
   */
  static fromJSON(o) {
    const e = new FrameFetchError(o.code, '', o);
    e.message = o.message;
    return e;
  }
}

/**
 * Statuses worth retrying: request timeout, too many requests, server errors.
 * @param {number} status
 */
export const retryableStatus = (status) => status === 408 || status === 429 || status >= 500;

/**
 * Retry-After (seconds or an HTTP date) in milliseconds, 0 when absent or unreadable.
 * @param {string | null} value
 * @param {number} [now]
 */
export function retryAfterMs(value, now = Date.now()) {
  if (!value) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : 0;
}

/**
 * Fetches and decodes one frame.
 * @param {string} url
 * @param {{ headers?: Record<string, string>, signal?: AbortSignal, fetchImpl?: typeof fetch }} [options]
 * @returns {Promise<{ frame: import('./frame-format.js').DecodedFrame, fetchMs: number, decodeMs: number, bytes: number }>}
 * @throws {FrameFetchError}
 */
export async function fetchFrame(url, options = {}) {
  const t0 = performance.now();
  const body = await fetchBody(url, FRAME_ACCEPT, options);
  const t1 = performance.now();
  try {
    const frame = decodeFrame(body);
    return { frame, fetchMs: t1 - t0, decodeMs: performance.now() - t1, bytes: body.byteLength };
  } catch (e) {
    if (e instanceof FrameFormatError) throw new FrameFetchError('decode', `${e.message} (${url})`, { formatCode: e.code });
    throw e;
  }
}

/**
 * Fetches and decodes a batch of frames (`application/vnd.mi-frames`: `GET /api/v1/series/{uid}/frames?frames=…`),
 * in the order asked. With `onFrame`, each frame is decoded as soon as its bytes have arrived and handed over at
 * once (the body is read as a stream, so decoding overlaps the transfer); the result then holds the same frames.
 * @param {string} url
 * @param {{ headers?: Record<string, string>, signal?: AbortSignal, fetchImpl?: typeof fetch,
 *   onFrame?: (index: number, frame: import('./frame-format.js').DecodedFrame) => void }} [options]
 * @returns {Promise<{ frames: import('./frame-format.js').DecodedFrame[], fetchMs: number, decodeMs: number, bytes: number }>}
 * @throws {FrameFetchError}
 */
export async function fetchFrames(url, options = {}) {
  const t0 = performance.now();
  if (options.onFrame) return streamFrames(url, options.onFrame, options, t0);
  const body = await fetchBody(url, FRAMES_ACCEPT, options);
  const t1 = performance.now();
  try {
    const frames = splitFrames(body).map((b) => decodeFrame(b));
    return { frames, fetchMs: t1 - t0, decodeMs: performance.now() - t1, bytes: body.byteLength };
  } catch (e) {
    if (e instanceof FrameFormatError) throw new FrameFetchError('decode', `${e.message} (${url})`, { formatCode: e.code });
    throw e;
  }
}

/**
 * `fetchFrames` with `onFrame`: the body read piece by piece, each frame decoded when complete.
 * @param {string} url
 * @param {(index: number, frame: import('./frame-format.js').DecodedFrame) => void} onFrame
 * @param {{ headers?: Record<string, string>, signal?: AbortSignal, fetchImpl?: typeof fetch }} options
 * @param {number} t0
 * @returns {Promise<{ frames: import('./frame-format.js').DecodedFrame[], fetchMs: number, decodeMs: number, bytes: number }>}
 */
async function streamFrames(url, onFrame, options, t0) {
  const response = await fetchResponse(url, FRAMES_ACCEPT, options);
  const reader = response.body?.getReader();
  /** @type {import('./frame-format.js').DecodedFrame[]} */
  const frames = [];
  const splitter = new FrameSplitter();
  let decodeMs = 0, bytes = 0;
  /** @param {Uint8Array} piece */
  const take = (piece) => {
    bytes += piece.byteLength;
    for (const b of splitter.push(piece)) {
      const t = performance.now();
      const frame = decodeFrame(b);
      decodeMs += performance.now() - t;
      frames.push(frame);
      onFrame(frames.length - 1, frame);
    }
  };
  try {
    if (!reader) {
      take(new Uint8Array(await readBody(response, url, options.signal)));
    } else {
      for (;;) {
        /** @type {ReadableStreamReadResult<Uint8Array>} */
        let chunk;
        try { chunk = await reader.read(); } catch (e) { throw networkError(e, url, options.signal); }
        if (chunk.done) break;
        take(chunk.value);
      }
    }
    splitter.finish();
  } catch (e) {
    reader?.cancel().catch(() => undefined);
    if (e instanceof FrameFormatError) throw new FrameFetchError('decode', `${e.message} (${url})`, { formatCode: e.code });
    throw e;
  }
  return { frames, fetchMs: performance.now() - t0 - decodeMs, decodeMs, bytes };
}

/**
 * The batch URL of `refs` (frames of one series, each with `seriesUID` and `frame`):
 * `/api/v1/series/{uid}/frames?frames={sop}/{n},…`.
 * @param {Array<{ seriesUID?: string, frame?: string }>} refs
 */
export function framesURL(refs) {
  const series = refs[0]?.seriesUID ?? '';
  return `/api/v1/series/${encodeURIComponent(series)}/frames?frames=${refs.map((r) => encodeURIComponent(r.frame ?? '')).join(',')}`;
}

/**
 * A 2xx body, or the `FrameFetchError` that says why not.
 * @param {string} url
 * @param {string} accept
 * @param {{ headers?: Record<string, string>, signal?: AbortSignal, fetchImpl?: typeof fetch }} options
 * @returns {Promise<ArrayBuffer>}
 */
async function fetchBody(url, accept, options) {
  return readBody(await fetchResponse(url, accept, options), url, options.signal);
}

/**
 * A 2xx response (its body unread), or the `FrameFetchError` that says why not.
 * @param {string} url
 * @param {string} accept
 * @param {{ headers?: Record<string, string>, signal?: AbortSignal, fetchImpl?: typeof fetch }} options
 * @returns {Promise<Response>}
 */
async function fetchResponse(url, accept, options) {
  const { headers = {}, signal, fetchImpl = fetch } = options;
  try {
    const response = await fetchImpl(url, { headers: { Accept: accept, ...headers }, signal, credentials: 'same-origin' });
    if (!response.ok) {
      // Drain the body so that the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      throw new FrameFetchError('http', `${response.status} for ${url}`, {
        status: response.status, retryable: retryableStatus(response.status), retryAfterMs: retryAfterMs(response.headers.get('Retry-After')),
      });
    }
    return response;
  } catch (e) {
    throw networkError(e, url, signal);
  }
}

/**
 * @param {Response} response
 * @param {string} url
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<ArrayBuffer>}
 */
async function readBody(response, url, signal) {
  try {
    return await response.arrayBuffer();
  } catch (e) {
    throw networkError(e, url, signal);
  }
}

/**
 * What a failed `fetch` or body read means: `aborted` when the caller cancelled, else a retryable `network` error
 * (a `FrameFetchError` is passed through).
 * @param {unknown} e
 * @param {string} url
 * @param {AbortSignal | undefined} signal
 */
function networkError(e, url, signal) {
  if (e instanceof FrameFetchError) return e;
  if (signal?.aborted || (e instanceof Error && e.name === 'AbortError')) return new FrameFetchError('aborted', url);
  return new FrameFetchError('network', `${e instanceof Error ? e.message : String(e)} (${url})`, { retryable: true });
}
