// @ts-check
/**
 * A MIF1 encoder (see `../frame-format.js`), for tests and the development harness: the server has its own.
 * Written from the format description, not from the decoder, so that round trips check one against the other.
 *
 * ```js
 * const bytes = encodeFrame({ columns: 2, rows: 1, bytesPerSample: 2, samplesPerPixel: 1, signed: true,
 *                             data: new Int16Array([-1000, 40]) }, { predicted: true });
 * ```
 */

/**
 * @typedef {object} EncodableFrame
 * @property {number} columns
 * @property {number} rows
 * @property {1 | 2} bytesPerSample
 * @property {1 | 3} samplesPerPixel
 * @property {boolean} signed
 * @property {ArrayLike<number>} data rows·columns·samplesPerPixel values in raster order
 */

/**
 * @param {EncodableFrame} frame
 * @param {{ predicted?: boolean, packed?: boolean }} [options] `packed` (predicted only): the packed payload
 * @returns {Uint8Array}
 */
export function encodeFrame(frame, options = {}) {
  if (options.packed) return pack(encodeFrame(frame, { predicted: true }));
  const { columns, rows, bytesPerSample: bps, samplesPerPixel: spp } = frame;
  const predicted = options.predicted ?? true;
  const n = columns * rows * spp;
  if (frame.data.length !== n) throw new RangeError(`${frame.data.length} values for ${columns}x${rows}x${spp}`);
  const out = new Uint8Array(16 + n * bps);
  out.set([0x4d, 0x49, 0x46, 0x31], 0);
  out[4] = columns & 0xff; out[5] = columns >> 8;
  out[6] = rows & 0xff; out[7] = rows >> 8;
  out[8] = bps; out[9] = spp;
  out[10] = (frame.signed ? 1 : 0) | (predicted ? 2 : 0);
  const modulus = bps === 1 ? 0x100 : 0x10000;
  /** @param {number} i */
  const value = (i) => ((Number(frame.data[i]) % modulus) + modulus) % modulus;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      for (let c = 0; c < spp; c++) {
        const i = (y * columns + x) * spp + c;
        let stored = value(i);
        if (predicted) {
          const p = x > 0 ? value(i - spp) : y > 0 ? value(i - columns * spp) : 0;
          stored = (stored - p + modulus) % modulus;
          for (let plane = 0; plane < bps; plane++) out[16 + plane * n + i] = (stored >> (8 * plane)) & 0xff;
        } else {
          for (let k = 0; k < bps; k++) out[16 + i * bps + k] = (stored >> (8 * k)) & 0xff;
        }
      }
    }
  }
  return out;
}

/**
 * The packed payload from a predicted planar encoding: residuals as 8B-bit two's complement, zigzag-mapped, in
 * blocks of 16 (a width byte, then the values in that many bits each, LSB first, padded to a byte).
 * @param {Uint8Array} planar
 * @returns {Uint8Array}
 */
function pack(planar) {
  const bps = planar[8], n = (planar.length - 16) / bps, bits = 8 * bps;
  /** @type {number[]} */
  const out = Array.from(planar.subarray(0, 16));
  out[10] |= 4;
  for (let start = 0; start < n; start += 16) {
    /** @type {number[]} */
    const z = [];
    for (let i = start; i < Math.min(start + 16, n); i++) {
      let r = 0;
      for (let k = 0; k < bps; k++) r += planar[16 + k * n + i] * 2 ** (8 * k);
      const signed = r >= 2 ** (bits - 1) ? r - 2 ** bits : r;
      z.push(signed >= 0 ? 2 * signed : -2 * signed - 1);
    }
    const w = Math.max(0, ...z.map((v) => (v === 0 ? 0 : Math.floor(Math.log2(v)) + 1)));
    out.push(w);
    // Bit by bit: slow and plain, the opposite of the decoder.
    const blockBits = [];
    for (const v of z) for (let k = 0; k < w; k++) blockBits.push(Math.floor(v / 2 ** k) % 2);
    for (let m = 0; m < blockBits.length; m += 8) {
      let byte = 0;
      for (let k = 0; k < 8 && m + k < blockBits.length; k++) byte |= blockBits[m + k] << k;
      out.push(byte);
    }
  }
  return Uint8Array.from(out);
}
