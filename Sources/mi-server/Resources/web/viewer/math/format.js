// @ts-check
/**
 * Measurement text: the number, a space, the unit (`-855 HU`, `70.0 mm`, `45.0°`, `312.5 mm²`). Numbers use
 * ASCII digits and "." whatever the locale, as clinical values are copied into reports; "-0" never shows.
 */

/**
 * @param {number} v
 * @param {number} decimals
 */
export function fixed(v, decimals) {
  const s = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/**
 * A modality value with its unit: whole HU (CT values are integers of 1 HU); other units keep up to two
 * decimals (SUV, rescaled MR), integers stay integers; no unit, no trailing space.
 * @param {number} value
 * @param {string} unit
 */
export function formatValue(value, unit) {
  const number = unit === 'HU' || Number.isInteger(value) ? fixed(Math.round(value), 0) : fixed(value, 2);
  return unit ? `${number} ${unit}` : number;
}

/**
 * A length: one decimal, "mm" or "px".
 * @param {{ value: number, unit: string }} m
 */
export function formatLength(m) {
  return `${fixed(m.value, 1)} ${m.unit}`;
}

/**
 * An angle in degrees, one decimal, the degree sign without a space (as SI writes plane angles).
 * @param {number} degrees
 */
export function formatAngle(degrees) {
  return `${fixed(degrees, 1)}°`;
}

/**
 * An area: one decimal, mm² or px².
 * @param {number} area
 * @param {string} unit "mm2" or "px2", as `measurements.js` names them
 */
export function formatArea(area, unit) {
  return `${fixed(area, 1)} ${unit.replace(/2$/, '²')}`;
}

/**
 * The words of a region's label, in the reader's language (the values stay ASCII).
 * @typedef {{ mean: string, sd: string, area: string }} RegionWords
 */

/** @type {RegionWords} */
export const ENGLISH_REGION_WORDS = { mean: 'mean', sd: 'SD', area: 'area' };

/**
 * The lines of a region's label: mean, standard deviation, area.
 * @param {import('./measurements.js').RegionStatistics} s
 * @param {RegionWords} [words]
 * @returns {string[]}
 */
export function formatRegion(s, words = ENGLISH_REGION_WORDS) {
  /** @param {number} v */
  const value = (v) => (s.unit === 'HU' ? `${fixed(v, 1)} HU` : formatValue(v, s.unit));
  return [`${words.mean} ${value(s.mean)}`, `${words.sd} ${value(s.standardDeviation)}`, `${words.area} ${formatArea(s.area, s.areaUnit)}`];
}
