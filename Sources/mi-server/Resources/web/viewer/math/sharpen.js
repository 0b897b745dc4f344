// @ts-check
/**
 * Unsharp masking on modality values, before VOI (as ImagingKit's `Raster.sharpened`, so that windowing sees
 * what the filter made): `v + strength · (v − blur(v))`.
 *
 * The viewer sharpens in its fragment shader with a 3×3 binomial blur (`[1 2 1]ᵀ[1 2 1] / 16`, a Gaussian of
 * σ ≈ 0.85 px, edges clamped) so that one output pixel costs nine texel reads; ImagingKit's `sharpened` uses a
 * σ = 1 Gaussian of radius 3. Both keep flat regions flat and overshoot on both sides of an edge; values differ
 * slightly at edges, which is why server renders with `--sharpen` and the viewer are not compared pixel for pixel.
 */

/**
 * The 3×3 binomial blur of `values` at column `x`, row `y`, channel `c` (edges clamped).
 * @param {ArrayLike<number>} values
 * @param {number} width
 * @param {number} height
 * @param {number} channels
 * @param {number} x
 * @param {number} y
 * @param {number} [c]
 */
export function blur3x3At(values, width, height, channels, x, y, c = 0) {
  let acc = 0;
  for (let dy = -1; dy <= 1; dy++) {
    const yy = Math.min(Math.max(y + dy, 0), height - 1);
    for (let dx = -1; dx <= 1; dx++) {
      const xx = Math.min(Math.max(x + dx, 0), width - 1);
      acc += (dx === 0 ? 2 : 1) * (dy === 0 ? 2 : 1) * values[(yy * width + xx) * channels + c];
    }
  }
  return acc / 16;
}

/**
 * The sharpened value at one pixel.
 * @param {ArrayLike<number>} values
 * @param {number} width
 * @param {number} height
 * @param {number} channels
 * @param {number} x
 * @param {number} y
 * @param {number} strength 0 changes nothing; 1 is a usual sharpening
 * @param {number} [c]
 */
export function sharpenedAt(values, width, height, channels, x, y, strength, c = 0) {
  const v = values[(y * width + x) * channels + c];
  if (strength === 0) return v;
  return v + strength * (v - blur3x3At(values, width, height, channels, x, y, c));
}

/**
 * A whole sharpened raster.
 * @param {ArrayLike<number>} values
 * @param {number} width
 * @param {number} height
 * @param {number} strength
 * @param {number} [channels]
 * @returns {Float64Array}
 */
export function sharpen3x3(values, width, height, strength, channels = 1) {
  const out = new Float64Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = sharpenedAt(values, width, height, channels, x, y, strength, c);
    }
  }
  return out;
}
