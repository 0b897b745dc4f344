// @ts-check
/**
 * The VOI stage (PS3.3 §C.11.2): modality values to display levels. Mirrors ImagingKit `Pipeline/VOI.swift`
 * (`Window.output`, `Window.gray8`, `AutoWindow`) formula for formula, so that the browser and the server
 * render the same grey levels.
 */

/** @typedef {'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID'} VOIFunction */

/**
 * A window: Window Center (0028,1050) and Width (0028,1051), its VOI LUT Function (0028,1056, LINEAR when
 * absent) and its explanation (0028,1055).
 * @typedef {object} Window
 * @property {number} center
 * @property {number} width
 * @property {VOIFunction} [function]
 * @property {string} [explanation]
 */

/** Swift's `Double.leastNormalMagnitude`, which ImagingKit uses for a non-positive width. */
const LEAST_NORMAL = 2.2250738585072014e-308;

/**
 * The output for modality value `x` in `yMin…yMax`, with the formulas of the standard:
 * - LINEAR (§C.11.2.1.2.1), width read as at least 1:
 *   `x ≤ c − 0.5 − (w−1)/2 → yMin`; `x > c − 0.5 + (w−1)/2 → yMax`; else `((x − (c − 0.5)) / (w−1) + 0.5)·(yMax − yMin) + yMin`;
 * - LINEAR_EXACT (§C.11.2.1.3.2): `x ≤ c − w/2 → yMin`; `x > c + w/2 → yMax`; else `((x − c)/w + 0.5)·(yMax − yMin) + yMin`;
 * - SIGMOID (§C.11.2.1.3.1): `(yMax − yMin) / (1 + exp(−4(x − c)/w)) + yMin`.
 * @param {number} x
 * @param {Window} window
 * @param {number} [yMin]
 * @param {number} [yMax]
 */
export function voiOutput(x, window, yMin = 0, yMax = 1) {
  const c = window.center;
  switch (window.function ?? 'LINEAR') {
    case 'LINEAR_EXACT': {
      const w = window.width > 0 ? window.width : LEAST_NORMAL;
      if (x <= c - w / 2) return yMin;
      if (x > c + w / 2) return yMax;
      return ((x - c) / w + 0.5) * (yMax - yMin) + yMin;
    }
    case 'SIGMOID': {
      const w = window.width > 0 ? window.width : LEAST_NORMAL;
      return (yMax - yMin) / (1 + Math.exp((-4 * (x - c)) / w)) + yMin;
    }
    default: {
      const w = Math.max(window.width, 1);
      if (x <= c - 0.5 - (w - 1) / 2) return yMin;
      if (x > c - 0.5 + (w - 1) / 2) return yMax;
      if (w === 1) return yMax;
      return ((x - (c - 0.5)) / (w - 1) + 0.5) * (yMax - yMin) + yMin;
    }
  }
}

/**
 * The 8-bit grey level of modality value `x`: `voiOutput(x, window, 0, 255)` rounded to nearest
 * (ImagingKit `Window.gray8`; the output is never negative, so `Math.round` and Swift's `rounded()` agree).
 * @param {number} x
 * @param {Window} window
 */
export function gray8(x, window) {
  return Math.round(voiOutput(x, window, 0, 255));
}

/**
 * The windows an instance offers, in order, skipping non-positive widths (as ImagingKit's
 * `VOITransform.available(in:)` does).
 * @param {{ windows?: Array<{ center: number, width: number, explanation?: string | null, function?: string | null }> | null }} meta
 * @returns {Window[]}
 */
export function windowsOf(meta) {
  /** @type {Window[]} */
  const out = [];
  for (const w of meta.windows ?? []) {
    if (!(w.width > 0) || !Number.isFinite(w.center)) continue;
    const fn = typeof w.function === 'string' ? w.function.toUpperCase() : 'LINEAR';
    /** @type {Window} */
    const window = { center: w.center, width: w.width };
    if (fn === 'LINEAR_EXACT' || fn === 'SIGMOID') window.function = fn;
    if (w.explanation) window.explanation = w.explanation;
    out.push(window);
  }
  return out;
}

/**
 * "C 40 W 400 (BRAIN)", as ImagingKit's `VOITransform.explanation`.
 * @param {Window} w
 */
export function windowExplanation(w) {
  const fn = w.function && w.function !== 'LINEAR' ? ` ${w.function}` : '';
  return `C ${w.center} W ${w.width}${w.explanation ? ` (${w.explanation})` : ''}${fn}`;
}

/**
 * The window used when an image has none: a linear window over the 0.5th to 99.5th percentile of the modality
 * values (4096-bin histogram over their range), the min–max window when those coincide. ImagingKit's
 * `AutoWindow.window(for:)` step for step, including its Float (32-bit) arithmetic.
 * @param {ArrayLike<number>} values modality values
 * @returns {Window}
 */
export function autoWindow(values) {
  const f = Math.fround;
  const n = values.length;
  if (n === 0) return { center: 0, width: 1, explanation: 'AUTO' };
  let lo = f(values[0]), hi = lo;
  for (let i = 0; i < n; i++) {
    const v = f(values[i]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi <= lo) return { center: lo, width: 1, explanation: 'AUTO' };
  const bins = 4096;
  const counts = new Int32Array(bins);
  const scale = f(f(bins - 1) / f(hi - lo));
  for (let i = 0; i < n; i++) counts[Math.trunc(f(f(f(values[i]) - lo) * scale))] += 1;
  const cut = Math.trunc(n / 200);
  let acc = 0, low = 0, high = bins - 1;
  for (let i = 0; i < bins; i++) { acc += counts[i]; if (acc > cut) { low = i; break; } }
  acc = 0;
  for (let i = bins - 1; i >= 0; i--) { acc += counts[i]; if (acc > cut) { high = i; break; } }
  let a = lo + low / scale, b = lo + (high + 1) / scale;
  if (b <= a) { a = lo; b = hi; }
  return { center: (a + b) / 2, width: Math.max(b - a, 1), explanation: 'AUTO' };
}
