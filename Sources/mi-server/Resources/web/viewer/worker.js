// @ts-check
/**
 * The frame decode worker (a module worker): fetches frames with the headers it is given (Authorization),
 * decodes MIF1 off the main thread and transfers the pixel buffers back.
 *
 * Messages in:  `{ type: 'fetch', id, url, headers }`, `{ type: 'abort', id }`.
 * Messages out: `{ type: 'frame', id, frame: { columns, rows, bytesPerSample, samplesPerPixel, signed, buffer },
 *                  fetchMs, decodeMs, bytes }` (buffer transferred), or `{ type: 'error', id, error }` with
 *               `error` from `FrameFetchError.toJSON()`.
 */

import { fetchFrame, FrameFetchError } from './frame-fetch.js';

// TypeScript 4.8's lib.webworker leaves `abort()` out of AbortController (a known gap in that release).
/** @type {Map<number, AbortController & { abort(): void }>} */
const inFlight = new Map();

/** @param {MessageEvent<{ type: 'fetch', id: number, url: string, headers?: Record<string, string> } | { type: 'abort', id: number }>} event */
self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === 'abort') {
    inFlight.get(message.id)?.abort();
    return;
  }
  if (message.type !== 'fetch') return;
  const controller = /** @type {AbortController & { abort(): void }} */ (new AbortController());
  inFlight.set(message.id, controller);
  try {
    const { frame, fetchMs, decodeMs, bytes } = await fetchFrame(message.url, { headers: message.headers, signal: controller.signal });
    const { data, ...descriptor } = frame;
    const buffer = /** @type {ArrayBuffer} */ (data.buffer);
    self.postMessage({ type: 'frame', id: message.id, frame: { ...descriptor, buffer }, fetchMs, decodeMs, bytes }, [buffer]);
  } catch (e) {
    const error = e instanceof FrameFetchError ? e : new FrameFetchError('network', e instanceof Error ? e.message : String(e), { retryable: true });
    self.postMessage({ type: 'error', id: message.id, error: error.toJSON() });
  } finally {
    inFlight.delete(message.id);
  }
};
