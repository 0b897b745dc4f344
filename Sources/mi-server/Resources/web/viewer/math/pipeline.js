// @ts-check
/**
 * The grey-scale display pipeline as one value, in ImagingKit `RenderPipeline`'s order (PS3.4 §N.2):
 * stored value → modality (rescale) → VOI (8-bit grey) → presentation (MONOCHROME1 and the user's invert each
 * invert, both cancel) → palette → RGBA. The WebGL fragment shader (`../render.js`) computes the same per pixel;
 * these functions are its reference in tests.
 *
 * Colour (RGB) images skip modality, VOI and palette; only invert applies (as in ImagingKit).
 */

import { modalityValue } from './modality.js';
import { gray8 } from './voi.js';
import { paletteRGBA } from './palette.js';

/**
 * @typedef {object} DisplayPipeline
 * @property {import('./modality.js').Rescale} rescale
 * @property {import('./voi.js').Window} window
 * @property {boolean} monochrome1 the image is MONOCHROME1: minimum values display white
 * @property {boolean} invert the user's invert
 * @property {string} palette a name from `PALETTE_NAMES`
 */

/**
 * Whether the presentation stage inverts grey levels.
 * @param {Pick<DisplayPipeline, 'monochrome1' | 'invert'>} p
 */
export function invertsGray(p) {
  return p.monochrome1 !== p.invert;
}

/**
 * The 8-bit grey level (after VOI and presentation, before the palette) of stored value `stored`.
 * @param {number} stored
 * @param {DisplayPipeline} p
 */
export function grayLevel(stored, p) {
  return grayOfModality(modalityValue(stored, p.rescale), p);
}

/**
 * The 8-bit grey level of a modality value (an interpolated or filtered one, as the renderer has between pixels).
 * @param {number} value
 * @param {Omit<DisplayPipeline, 'rescale'>} p
 */
export function grayOfModality(value, p) {
  const g = gray8(value, p.window);
  return invertsGray(p) ? 255 - g : g;
}

/**
 * The displayed RGBA of stored value `stored`.
 * @param {number} stored
 * @param {DisplayPipeline} p
 * @returns {[number, number, number, number]}
 */
export function displayRGBA(stored, p) {
  const g = grayLevel(stored, p);
  const table = paletteRGBA(p.palette);
  return [table[4 * g], table[4 * g + 1], table[4 * g + 2], 255];
}

/**
 * The displayed RGBA of an RGB pixel: samples deeper than 8 bits keep their top 8 bits, then the user's invert.
 * @param {[number, number, number]} rgb stored samples
 * @param {number} bitsStored
 * @param {boolean} invert
 * @returns {[number, number, number, number]}
 */
export function displayColorRGBA(rgb, bitsStored, invert) {
  const shift = Math.max(bitsStored - 8, 0);
  const c = rgb.map((v) => Math.min(v >> shift, 255));
  return invert ? [255 - c[0], 255 - c[1], 255 - c[2], 255] : [c[0], c[1], c[2], 255];
}
