// @ts-check
/**
 * The frame decode worker (a module worker): fetches frames with the headers it is given (Authorization),
 * decodes MIF1 off the main thread and transfers the pixel buffers back.
 *
 * Messages in:  `{ type: 'fetch', id, url, headers }` (one frame), `{ type: 'fetchBatch', id, url, headers, stream }`
 *               (a batch: `application/vnd.mi-frames`; with `stream`, each frame is decoded and sent as a
 *               `part` as soon as its bytes are in), `{ type: 'abort', id }`.
 * Messages out: `{ type: 'frame', id, frame: { columns, rows, bytesPerSample, samplesPerPixel, signed, buffer },
 *                  fetchMs, decodeMs, bytes }` (buffer transferred), `{ type: 'frames', id, frames: [frame…],
 *                  fetchMs, decodeMs, bytes }` for a batch (buffers transferred; `frames` is empty and `streamed` true
 *                  when they came as `{ type: 'part', id, index, frame }` before), or `{ type: 'error', id, error }`
 *               with `error` from `FrameFetchError.toJSON()`.
 */

import { fetchFrame, fetchFrames, FrameFetchError } from './frame-fetch.js';
// Asked for beside frame-fetch.js (which imports it), not a round trip after it: the worker starts sooner.
import './frame-format.js';

// TypeScript 4.8's lib.webworker leaves `abort()` out of AbortController (a known gap in that release).
/** @type {Map<number, AbortController & { abort(): void }>} */
const inFlight = new Map();

/**
 * A decoded frame as a message part, and its buffer to transfer.
 * @param {import('./frame-format.js').DecodedFrame} frame
 */
function transferable(frame) {
  const { data, ...descriptor } = frame;
  const buffer = /** @type {ArrayBuffer} */ (data.buffer);
  return { message: { ...descriptor, buffer }, buffer };
}

/** @param {MessageEvent<{ type: 'fetch' | 'fetchBatch', id: number, url: string, headers?: Record<string, string>, stream?: boolean } | { type: 'abort', id: number }>} event */
self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === 'abort') {
    inFlight.get(message.id)?.abort();
    return;
  }
  if (message.type !== 'fetch' && message.type !== 'fetchBatch') return;
  const controller = /** @type {AbortController & { abort(): void }} */ (new AbortController());
  inFlight.set(message.id, controller);
  try {
    if (message.type === 'fetchBatch' && message.stream) {
      const id = message.id;
      /** @param {number} index @param {import('./frame-format.js').DecodedFrame} frame */
      const onFrame = (index, frame) => {
        const { message: part, buffer } = transferable(frame);
        self.postMessage({ type: 'part', id, index, frame: part }, [buffer]);
      };
      const { fetchMs, decodeMs, bytes } = await fetchFrames(message.url, { headers: message.headers, signal: controller.signal, onFrame });
      self.postMessage({ type: 'frames', id, frames: [], streamed: true, fetchMs, decodeMs, bytes });
    } else if (message.type === 'fetchBatch') {
      const { frames, fetchMs, decodeMs, bytes } = await fetchFrames(message.url, { headers: message.headers, signal: controller.signal });
      const parts = frames.map(transferable);
      self.postMessage({ type: 'frames', id: message.id, frames: parts.map((p) => p.message), fetchMs, decodeMs, bytes }, parts.map((p) => p.buffer));
    } else {
      const { frame, fetchMs, decodeMs, bytes } = await fetchFrame(message.url, { headers: message.headers, signal: controller.signal });
      const { message: part, buffer } = transferable(frame);
      self.postMessage({ type: 'frame', id: message.id, frame: part, fetchMs, decodeMs, bytes }, [buffer]);
    }
  } catch (e) {
    const error = e instanceof FrameFetchError ? e : new FrameFetchError('network', e instanceof Error ? e.message : String(e), { retryable: true });
    self.postMessage({ type: 'error', id: message.id, error: error.toJSON() });
  } finally {
    inFlight.delete(message.id);
  }
};
