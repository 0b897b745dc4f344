// @ts-check
/**
 * The Modality LUT stage (PS3.3 §C.11.1): stored values to modality values (HU for CT), as ImagingKit
 * `Pipeline/ModalityLUT.swift` reads it. The metadata carries Rescale Slope/Intercept only (a Modality LUT
 * Sequence is not part of the contract).
 */

/**
 * `value = slope · stored + intercept`.
 * @typedef {object} Rescale
 * @property {number} slope
 * @property {number} intercept
 */

/** @type {Readonly<Rescale>} */
export const IDENTITY_RESCALE = Object.freeze({ slope: 1, intercept: 0 });

/**
 * The rescale of an instance: slope 1 and intercept 0 when absent; a slope of 0 or a non-finite one (which would
 * flatten the image) reads as 1, a non-finite intercept as 0.
 * @param {{ rescaleSlope?: number | null, rescaleIntercept?: number | null }} meta
 * @returns {Rescale}
 */
export function rescaleOf(meta) {
  let slope = meta.rescaleSlope ?? 1;
  if (slope === 0 || !Number.isFinite(slope)) slope = 1;
  const intercept = meta.rescaleIntercept ?? 0;
  return { slope, intercept: Number.isFinite(intercept) ? intercept : 0 };
}

/**
 * The modality value of stored value `x`.
 * @param {number} x
 * @param {Rescale} rescale
 */
export function modalityValue(x, rescale) {
  return rescale.slope * x + rescale.intercept;
}

/**
 * The unit a probe reports: "HU" when Rescale Type is HU, or for CT with no Rescale Type (or "US", unspecified);
 * else Rescale Type as given; else "".
 * @param {{ modality?: string | null, rescaleType?: string | null }} meta
 */
export function modalityUnit(meta) {
  const type = meta.rescaleType ?? '';
  if (type.toUpperCase() === 'HU') return 'HU';
  if (meta.modality === 'CT' && (type === '' || type === 'US')) return 'HU';
  return type;
}

/**
 * Modality values of a whole frame of stored values, in 32-bit floats as ImagingKit's `modalityValues` computes
 * them (`Float(stored) · Float(slope) + Float(intercept)`).
 * @param {ArrayLike<number>} stored
 * @param {Rescale} rescale
 */
export function modalityValues(stored, rescale) {
  const out = new Float32Array(stored.length);
  const s = Math.fround(rescale.slope), i = Math.fround(rescale.intercept);
  for (let k = 0; k < stored.length; k++) out[k] = Math.fround(stored[k] * s) + i;
  return out;
}
