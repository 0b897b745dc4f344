// @ts-check
/**
 * Patient-direction letters at the middle of each image edge, from Image Orientation (Patient) (PS3.3
 * §C.7.6.2.1.1: x to the patient's Left, y Posterior, z Head), as ImagingKit `Overlay/OrientationMarkers.swift`;
 * plus the markers of a rotated and flipped view.
 */

import { screenAxesInImage } from './view.js';

/** @typedef {[number, number, number]} Vec3 */
/** @typedef {{ left: string, right: string, top: string, bottom: string }} Markers */

/** Components smaller than this share of the vector (≈ 14.5° of obliquity) are not named. */
export const OBLIQUITY_THRESHOLD = 0.25;

/**
 * Up to three letters, the strongest component first: for each axis whose component is at least the
 * threshold of the vector's length, L/R, P/A or H/F by its sign.
 * @param {Vec3} v
 */
export function orientationLabel(v) {
  const len = Math.hypot(v[0], v[1], v[2]);
  if (!(len > 0)) return '';
  /** @type {Array<[number, string]>} */
  const letters = [
    [v[0] / len, v[0] >= 0 ? 'L' : 'R'],
    [v[1] / len, v[1] >= 0 ? 'P' : 'A'],
    [v[2] / len, v[2] >= 0 ? 'H' : 'F'],
  ];
  return letters.filter(([c]) => Math.abs(c) >= OBLIQUITY_THRESHOLD)
    .sort((p, q) => Math.abs(q[0]) - Math.abs(p[0]))
    .map(([, l]) => l).join('');
}

/** @param {Vec3} v @returns {Vec3} */
const neg = (v) => [-v[0], -v[1], -v[2]];

/**
 * Markers of the unrotated image for row direction `row` (increasing column) and column direction `column`.
 * @param {Vec3} row
 * @param {Vec3} column
 * @returns {Markers}
 */
export function orientationMarkers(row, column) {
  return { right: orientationLabel(row), left: orientationLabel(neg(row)), bottom: orientationLabel(column), top: orientationLabel(neg(column)) };
}

/**
 * Markers as the view shows the image: the patient direction of the screen's right and down.
 * Null without six Image Orientation (Patient) values.
 * @param {number[] | null | undefined} iop Image Orientation (Patient)
 * @param {import('./view.js').View} view
 * @returns {Markers | null}
 */
export function viewOrientationMarkers(iop, view) {
  if (!Array.isArray(iop) || iop.length < 6 || !iop.every(Number.isFinite)) return null;
  const row = /** @type {Vec3} */ (iop.slice(0, 3)), col = /** @type {Vec3} */ (iop.slice(3, 6));
  const { right, down } = screenAxesInImage(view);
  /** @param {[number, number]} d @returns {Vec3} */
  const patient = (d) => [row[0] * d[0] + col[0] * d[1], row[1] * d[0] + col[1] * d[1], row[2] * d[0] + col[2] * d[1]];
  return orientationMarkers(patient(right), patient(down));
}
