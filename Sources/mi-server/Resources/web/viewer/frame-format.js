// @ts-check
/**
 * The MIF1 frame wire format: the body of `GET /api/v1/instances/{uid}/frames/{n}`
 * (`Content-Type: application/vnd.mi-frame`; the HTTP layer's gzip is undone by `fetch`).
 *
 * ```
 * offset size
 * 0      4    magic "MIF1"
 * 4      2    columns (u16 LE)
 * 6      2    rows (u16 LE)
 * 8      1    bytes per sample B (1 or 2; 4 is reserved)
 * 9      1    samples per pixel S (1, or 3 = RGB interleaved)
 * 10     1    flags: bit0 signed (two's complement, sign-extended to B bytes); bit1 predicted;
 *                    bit2 packed (only with bit1)
 * 11     5    reserved (0)
 * 16     ...  payload: N = rows·columns·S values in raster order
 * ```
 *
 * Unpredicted payload: the values, little endian, B bytes each. Predicted payload: residuals
 * `r[i] = v[i] − p[i] mod 2^(8B)` with `p[i] = v[i−S]` inside a row, `v[i − columns·S]` for the first pixel of
 * rows after the first, 0 for the very first pixel (per channel), split into B byte planes (low bytes first).
 * The values are stored values; the modality transform comes from the instance metadata.
 *
 * Packed payload (bit2, asked for with `Accept: application/vnd.mi-frame; packing=1`, or `…mi-frames; packing=1`):
 * the same residuals read as 8B-bit two's complement and zigzag-mapped to unsigned (`z = 2r` for r ≥ 0, `−2r − 1`
 * for r < 0), in blocks of 16 consecutive values in raster order (the last block holds the rest). A block is one
 * byte w (the bit width of its largest z, 0…8B), then its values in w bits each, least significant bit first
 * (value j at bits j·w … (j+1)·w − 1, bit k of byte m being bit 8m + k), padded with zero bits to a whole byte:
 * `1 + ceil(count·w / 8)` bytes. w = 0 means all zeros (a flat region costs one byte per 16 values). The payload
 * ends with the last block. It makes the bytes the browser inflates and hands to the page 3–5 times fewer.
 *
 * ```js
 * const frame = decodeFrame(await response.arrayBuffer());
 * frame.data; // Int16Array of frame.rows * frame.columns values for a signed 16-bit CT slice
 * ```
 */

/** Length of the fixed header in bytes. */
export const HEADER_LENGTH = 16;
/** Flag bit 0: samples are signed. */
export const FLAG_SIGNED = 1;
/** Flag bit 1: the payload is predicted and split into byte planes. */
export const FLAG_PREDICTED = 2;
/** Flag bit 2: the predicted residuals are zigzag-mapped and packed in bit-width blocks. */
export const FLAG_PACKED = 4;
/** Values per packed block. */
export const BLOCK_LENGTH = 16;
/** "MIF1" as bytes. */
export const MAGIC = Object.freeze([0x4d, 0x49, 0x46, 0x31]);

/** @typedef {'truncated' | 'badMagic' | 'invalidHeader' | 'unsupported' | 'trailingBytes' | 'invalidPayload'} FrameFormatErrorCode */

/**
 * The one error of this module. Compare `code`, never the message.
 * - `truncated`: fewer bytes than the header or the payload needs;
 * - `badMagic`: the first four bytes are not "MIF1";
 * - `invalidHeader`: zero dimensions, a sample size or count outside the format, non-zero reserved bytes;
 * - `unsupported`: a value the format reserves (4 bytes per sample, unknown flags);
 * - `trailingBytes`: bytes after the payload;
 * - `invalidPayload`: a packed block wider than the samples (w > 8B).
 */
export class FrameFormatError extends Error {
  /**
   * @param {FrameFormatErrorCode} code
   * @param {string} detail
   */
  constructor(code, detail) {
    super(`${code}: ${detail}`);
    this.name = 'FrameFormatError';
    /** @type {FrameFormatErrorCode} */
    this.code = code;
  }
}

/** @typedef {Uint8Array | Int8Array | Uint16Array | Int16Array} SampleArray */

/**
 * The fields of a MIF1 header.
 * @typedef {object} FrameHeader
 * @property {number} columns
 * @property {number} rows
 * @property {1 | 2} bytesPerSample
 * @property {1 | 3} samplesPerPixel
 * @property {boolean} signed
 * @property {boolean} predicted
 * @property {boolean} packed
 */

/**
 * A decoded frame: stored values in raster order, colour interleaved, in a typed array that owns its whole
 * buffer (byteOffset 0), so that a worker can transfer `data.buffer`.
 * @typedef {object} DecodedFrame
 * @property {number} columns
 * @property {number} rows
 * @property {1 | 2} bytesPerSample
 * @property {1 | 3} samplesPerPixel
 * @property {boolean} signed
 * @property {SampleArray} data Uint8Array/Int8Array for B = 1, Uint16Array/Int16Array for B = 2.
 */

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * @param {ArrayBuffer | ArrayBufferView} input
 * @returns {Uint8Array}
 */
function bytesOf(input) {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  return new Uint8Array(input);
}

/**
 * Reads and validates the 16-byte header.
 * @param {ArrayBuffer | ArrayBufferView} input
 * @returns {FrameHeader}
 * @throws {FrameFormatError}
 */
export function readHeader(input) {
  const b = bytesOf(input);
  if (b.length < HEADER_LENGTH) throw new FrameFormatError('truncated', `${b.length} bytes, the header needs ${HEADER_LENGTH}`);
  if (b[0] !== MAGIC[0] || b[1] !== MAGIC[1] || b[2] !== MAGIC[2] || b[3] !== MAGIC[3]) {
    throw new FrameFormatError('badMagic', 'the frame does not start with "MIF1"');
  }
  const columns = b[4] | (b[5] << 8);
  const rows = b[6] | (b[7] << 8);
  const bytesPerSample = b[8], samplesPerPixel = b[9], flags = b[10];
  if (columns === 0 || rows === 0) throw new FrameFormatError('invalidHeader', `${columns}x${rows} pixels`);
  if (bytesPerSample === 4) throw new FrameFormatError('unsupported', '4 bytes per sample is reserved');
  if (bytesPerSample !== 1 && bytesPerSample !== 2) throw new FrameFormatError('invalidHeader', `${bytesPerSample} bytes per sample`);
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) throw new FrameFormatError('invalidHeader', `${samplesPerPixel} samples per pixel`);
  if (flags & ~(FLAG_SIGNED | FLAG_PREDICTED | FLAG_PACKED)) throw new FrameFormatError('unsupported', `flags 0x${flags.toString(16)}`);
  if ((flags & FLAG_PACKED) && !(flags & FLAG_PREDICTED)) throw new FrameFormatError('invalidHeader', 'packed without prediction');
  for (let i = 11; i < HEADER_LENGTH; i++) {
    if (b[i] !== 0) throw new FrameFormatError('invalidHeader', `reserved byte ${i} is ${b[i]}`);
  }
  return {
    columns, rows, bytesPerSample, samplesPerPixel,
    signed: (flags & FLAG_SIGNED) !== 0,
    predicted: (flags & FLAG_PREDICTED) !== 0,
    packed: (flags & FLAG_PACKED) !== 0,
  };
}

/**
 * Decodes a whole MIF1 frame. A planar payload must be exactly `rows·columns·S·B` bytes; a packed one must end
 * with its last block.
 * @param {ArrayBuffer | ArrayBufferView} input
 * @returns {DecodedFrame}
 * @throws {FrameFormatError}
 */
export function decodeFrame(input) {
  const b = bytesOf(input);
  const h = readHeader(b);
  const n = h.columns * h.rows * h.samplesPerPixel;
  if (h.packed) {
    // Every block takes at least its width byte: refuse a header that claims more values before allocating them.
    if (b.length - HEADER_LENGTH < Math.ceil(n / BLOCK_LENGTH)) {
      throw new FrameFormatError('truncated', `packed payload of ${b.length - HEADER_LENGTH} bytes cannot hold ${n} values`);
    }
    const rowLength = h.columns * h.samplesPerPixel;
    /** @type {SampleArray} */
    let data;
    if (h.bytesPerSample === 1) {
      const out = new Uint8Array(n);
      unpack(b, out, 8);
      unpredictInPlace(out, rowLength, h.samplesPerPixel, 0xff);
      data = h.signed ? new Int8Array(out.buffer) : out;
    } else {
      const out = new Uint16Array(n);
      unpack(b, out, 16);
      unpredictInPlace(out, rowLength, h.samplesPerPixel, 0xffff);
      data = h.signed ? new Int16Array(out.buffer) : out;
    }
    return {
      columns: h.columns, rows: h.rows, bytesPerSample: h.bytesPerSample, samplesPerPixel: h.samplesPerPixel,
      signed: h.signed, data,
    };
  }
  const payloadLength = n * h.bytesPerSample;
  const available = b.length - HEADER_LENGTH;
  if (available < payloadLength) throw new FrameFormatError('truncated', `payload has ${available} bytes, ${payloadLength} expected`);
  if (available > payloadLength) throw new FrameFormatError('trailingBytes', `${available - payloadLength} bytes after the payload`);
  const payload = b.subarray(HEADER_LENGTH, HEADER_LENGTH + payloadLength);
  const rowLength = h.columns * h.samplesPerPixel;
  /** @type {SampleArray} */
  let data;
  if (h.bytesPerSample === 1) {
    const out = h.predicted ? unpredict8(payload, rowLength, h.samplesPerPixel) : payload.slice();
    data = h.signed ? new Int8Array(out.buffer) : out;
  } else {
    const out = h.predicted ? unpredict16(payload, n, rowLength, h.samplesPerPixel) : copy16(payload, n);
    data = h.signed ? new Int16Array(out.buffer) : out;
  }
  return {
    columns: h.columns, rows: h.rows, bytesPerSample: h.bytesPerSample, samplesPerPixel: h.samplesPerPixel,
    signed: h.signed, data,
  };
}

/**
 * Unpacks the packed payload of `b` (after the header) into `out` as residuals (zigzag undone; the typed array's
 * stores wrap them modulo 2^bits). Each block's length is checked before it is read, so the inner loop reads
 * without bounds checks; a 32-bit accumulator holds at most w − 1 + 8 ≤ 23 bits.
 * @param {Uint8Array} b the whole frame
 * @param {Uint8Array | Uint16Array} out n values
 * @param {8 | 16} bits 8B
 * @throws {FrameFormatError}
 */
function unpack(b, out, bits) {
  const n = out.length, end = b.length;
  let at = HEADER_LENGTH;
  for (let start = 0; start < n; start += BLOCK_LENGTH) {
    if (at >= end) throw new FrameFormatError('truncated', `packed payload ends before value ${start} of ${n}`);
    const w = b[at++];
    const stop = Math.min(start + BLOCK_LENGTH, n);
    if (w > bits) throw new FrameFormatError('invalidPayload', `block at value ${start} is ${w} bits wide in a ${bits}-bit frame`);
    if (w === 0) continue;  // the output is already zero
    const length = ((stop - start) * w + 7) >> 3;
    if (end - at < length) throw new FrameFormatError('truncated', `block at value ${start} needs ${length} bytes, ${end - at} left`);
    const mask = (1 << w) - 1;
    if (end - at >= length + 2) {
      // Branch-free: each value lies within 3 bytes from its first (w ≤ 16, offset ≤ 7), all inside `b`.
      let bit = 0;  // within the block, so that it cannot overflow
      for (let i = start; i < stop; i++, bit += w) {
        const p = at + (bit >>> 3);
        const z = ((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) >>> (bit & 7)) & mask;
        out[i] = (z >>> 1) ^ -(z & 1);
      }
    } else {
      // The payload's last bytes: read no further than the block.
      let acc = 0, held = 0, p = at;
      for (let i = start; i < stop; i++) {
        while (held < w) { acc |= b[p++] << held; held += 8; }
        const z = acc & mask;
        acc >>>= w; held -= w;
        out[i] = (z >>> 1) ^ -(z & 1);
      }
    }
    at += length;
  }
  if (at !== end) throw new FrameFormatError('trailingBytes', `${end - at} bytes after the packed payload`);
}

/**
 * Undoes prediction in place: `v[i] = r[i] + p[i]` modulo 2^(8B), raster order, so that `p[i]` is already a value.
 * @param {Uint8Array | Uint16Array} v residuals in, values out
 * @param {number} rowLength columns·S
 * @param {number} s samples per pixel
 * @param {number} mask 2^(8B) − 1
 */
function unpredictInPlace(v, rowLength, s, mask) {
  const n = v.length;
  if (s === 1) {
    // Monochrome: the running value stays in a register.
    let prev = 0;
    for (let i = 0; i < rowLength; i++) { prev = (prev + v[i]) & mask; v[i] = prev; }
    for (let start = rowLength; start < n; start += rowLength) {
      prev = (v[start - rowLength] + v[start]) & mask;
      v[start] = prev;
      const end = start + rowLength;
      for (let i = start + 1; i < end; i++) { prev = (prev + v[i]) & mask; v[i] = prev; }
    }
    return;
  }
  for (let i = s; i < rowLength; i++) v[i] = v[i] + v[i - s];
  for (let start = rowLength; start < n; start += rowLength) {
    for (let i = start; i < start + s; i++) v[i] = v[i] + v[i - rowLength];
    const end = start + rowLength;
    for (let i = start + s; i < end; i++) v[i] = v[i] + v[i - s];
  }
}

/**
 * Little-endian 16-bit values into a new Uint16Array.
 * @param {Uint8Array} payload
 * @param {number} n
 */
function copy16(payload, n) {
  if (littleEndianHost) {
    // One memcpy into a fresh, aligned buffer.
    return new Uint16Array(payload.buffer.slice(payload.byteOffset, payload.byteOffset + 2 * n));
  }
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = payload[2 * i] | (payload[2 * i + 1] << 8);
  return out;
}

/**
 * Undoes prediction for one byte plane. Stores into a Uint8Array wrap modulo 256, which is the format's arithmetic.
 * @param {Uint8Array} r residuals
 * @param {number} rowLength columns·S
 * @param {number} s samples per pixel
 */
function unpredict8(r, rowLength, s) {
  const n = r.length;
  const v = new Uint8Array(n);
  for (let i = 0; i < s; i++) v[i] = r[i];
  for (let i = s; i < rowLength; i++) v[i] = r[i] + v[i - s];
  for (let start = rowLength; start < n; start += rowLength) {
    for (let i = start; i < start + s; i++) v[i] = r[i] + v[i - rowLength];
    const end = start + rowLength;
    for (let i = start + s; i < end; i++) v[i] = r[i] + v[i - s];
  }
  return v;
}

/**
 * Undoes prediction for two byte planes in one pass: residual = low plane | high plane << 8, stored into a
 * Uint16Array so that the sum wraps modulo 2^16.
 * @param {Uint8Array} payload both planes
 * @param {number} n values
 * @param {number} rowLength columns·S
 * @param {number} s samples per pixel
 */
function unpredict16(payload, n, rowLength, s) {
  const lo = payload.subarray(0, n), hi = payload.subarray(n, 2 * n);
  const v = new Uint16Array(n);
  if (s === 1) {
    // Monochrome: the running value stays in a register (about 20% faster than reading v[i − 1] back).
    let prev = 0;
    for (let i = 0; i < rowLength; i++) { prev = (prev + (lo[i] | (hi[i] << 8))) & 0xffff; v[i] = prev; }
    for (let start = rowLength; start < n; start += rowLength) {
      prev = (v[start - rowLength] + (lo[start] | (hi[start] << 8))) & 0xffff;
      v[start] = prev;
      const end = start + rowLength;
      for (let i = start + 1; i < end; i++) { prev = (prev + (lo[i] | (hi[i] << 8))) & 0xffff; v[i] = prev; }
    }
    return v;
  }
  for (let i = 0; i < s; i++) v[i] = lo[i] | (hi[i] << 8);
  for (let i = s; i < rowLength; i++) v[i] = (lo[i] | (hi[i] << 8)) + v[i - s];
  for (let start = rowLength; start < n; start += rowLength) {
    for (let i = start; i < start + s; i++) v[i] = (lo[i] | (hi[i] << 8)) + v[i - rowLength];
    const end = start + rowLength;
    for (let i = start + s; i < end; i++) v[i] = (lo[i] | (hi[i] << 8)) + v[i - s];
  }
  return v;
}

/**
 * Splits a batch body (`application/vnd.mi-frames`, the answer of `GET /api/v1/series/{uid}/frames`): frames one
 * after another, each a u32 LE length and then that many bytes of MIF1. Returns views into `input` (no copies).
 *
 * ```js
 * const frames = splitFrames(await response.arrayBuffer()).map(decodeFrame);
 * ```
 * @param {ArrayBuffer | ArrayBufferView} input
 * @returns {Uint8Array[]}
 * @throws {FrameFormatError} `truncated` when a length or a frame runs past the end
 */
export function splitFrames(input) {
  const b = bytesOf(input);
  /** @type {Uint8Array[]} */
  const out = [];
  let at = 0;
  while (at < b.length) {
    if (b.length - at < 4) throw new FrameFormatError('truncated', `${b.length - at} bytes where a frame length was expected`);
    const length = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
    at += 4;
    if (length > b.length - at) throw new FrameFormatError('truncated', `a frame of ${length} bytes with ${b.length - at} left`);
    out.push(b.subarray(at, at + length));
    at += length;
  }
  return out;
}

/**
 * `splitFrames` for a batch body that arrives in pieces (a response body's stream): `push` each piece as it comes
 * and get the frames it completed; `finish` at the end.
 *
 * ```js
 * const splitter = new FrameSplitter();
 * for await (const piece of body) for (const bytes of splitter.push(piece)) show(decodeFrame(bytes));
 * splitter.finish();
 * ```
 */
export class FrameSplitter {
  constructor() {
    /** Bytes received and not yet returned, `buffer[start..<end]`. */
    this.buffer = new Uint8Array(0);
    this.start = 0;
    this.end = 0;
  }

  /**
   * The frames `piece` completes, each its own copy.
   * @param {ArrayBuffer | ArrayBufferView} piece
   * @returns {Uint8Array[]}
   * @throws {FrameFormatError} never: a bad length shows as `truncated` in `finish`
   */
  push(piece) {
    const bytes = bytesOf(piece);
    if (this.end + bytes.length > this.buffer.length) {
      const held = this.end - this.start;
      if (held + bytes.length <= this.buffer.length) {
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(2 * this.buffer.length, held + bytes.length, 1 << 16));
        next.set(this.buffer.subarray(this.start, this.end), 0);
        this.buffer = next;
      }
      this.start = 0;
      this.end = held;
    }
    this.buffer.set(bytes, this.end);
    this.end += bytes.length;
    /** @type {Uint8Array[]} */
    const out = [];
    const b = this.buffer;
    while (this.end - this.start >= 4) {
      const at = this.start;
      const length = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
      if (this.end - at - 4 < length) break;
      out.push(b.slice(at + 4, at + 4 + length));
      this.start = at + 4 + length;
    }
    return out;
  }

  /**
   * Checks that the body ended after a whole frame.
   * @throws {FrameFormatError} `truncated` when a length or a frame was cut off
   */
  finish() {
    const left = this.end - this.start;
    if (left === 0) return;
    if (left < 4) throw new FrameFormatError('truncated', `${left} bytes where a frame length was expected`);
    const b = this.buffer, at = this.start;
    const length = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
    throw new FrameFormatError('truncated', `a frame of ${length} bytes with ${left - 4} left`);
  }
}

/**
 * The number of bytes a decoded frame holds in memory (what the loader's budget counts).
 * @param {DecodedFrame} frame
 */
export function frameByteLength(frame) {
  return frame.data.byteLength;
}
