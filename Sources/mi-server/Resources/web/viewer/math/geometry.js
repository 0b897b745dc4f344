// @ts-check
/**
 * 2-D affine maps and patient geometry, as ImagingKit `Geometry/AffineTransform.swift` and
 * `Geometry/PatientGeometry.swift`.
 */

/**
 * `(x, y) → (a·x + b·y + tx, c·x + d·y + ty)`.
 * @typedef {{ a: number, b: number, c: number, d: number, tx: number, ty: number }} Affine
 */

/** @typedef {[number, number]} Point */
/** @typedef {[number, number, number]} Vec3 */

/** @type {Readonly<Affine>} */
export const IDENTITY = Object.freeze({ a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0 });

/**
 * @param {Partial<Affine>} m
 * @returns {Affine}
 */
export const affine = (m) => ({ ...IDENTITY, ...m });

/**
 * @param {Affine} m
 * @param {Point} p
 * @returns {Point}
 */
export function apply(m, p) {
  return [m.a * p[0] + m.b * p[1] + m.tx, m.c * p[0] + m.d * p[1] + m.ty];
}

/**
 * The linear part only (for directions and vectors).
 * @param {Affine} m
 * @param {Point} v
 * @returns {Point}
 */
export function applyLinear(m, v) {
  return [m.a * v[0] + m.b * v[1], m.c * v[0] + m.d * v[1]];
}

/**
 * `o` after `m`.
 * @param {Affine} m
 * @param {Affine} o
 * @returns {Affine}
 */
export function then(m, o) {
  return {
    a: o.a * m.a + o.b * m.c, b: o.a * m.b + o.b * m.d, c: o.c * m.a + o.d * m.c, d: o.c * m.b + o.d * m.d,
    tx: o.a * m.tx + o.b * m.ty + o.tx, ty: o.c * m.tx + o.d * m.ty + o.ty,
  };
}

/**
 * The inverse map; null when singular.
 * @param {Affine} m
 * @returns {Affine | null}
 */
export function invert(m) {
  const det = m.a * m.d - m.b * m.c;
  if (det === 0 || !Number.isFinite(det)) return null;
  return {
    a: m.d / det, b: -m.b / det, c: -m.c / det, d: m.a / det,
    tx: (m.b * m.ty - m.d * m.tx) / det, ty: (m.c * m.tx - m.a * m.ty) / det,
  };
}

/**
 * Pixel centres of a width×height image to those of the image flipped along an axis.
 * @param {'horizontal' | 'vertical'} axis
 * @param {number} width
 * @param {number} height
 */
export function flip(axis, width, height) {
  return axis === 'horizontal' ? affine({ a: -1, tx: width - 1 }) : affine({ d: -1, ty: height - 1 });
}

/**
 * Pixel centres of a width×height image to those of it turned clockwise `quarterTurns` times.
 * @param {number} quarterTurns
 * @param {number} width
 * @param {number} height
 */
export function rotation(quarterTurns, width, height) {
  switch (((quarterTurns % 4) + 4) % 4) {
    case 1: return affine({ a: 0, b: -1, c: 1, d: 0, tx: height - 1, ty: 0 });
    case 2: return affine({ a: -1, d: -1, tx: width - 1, ty: height - 1 });
    case 3: return affine({ a: 0, b: 1, c: -1, d: 0, tx: 0, ty: width - 1 });
    default: return affine({});
  }
}

/**
 * Pixel centres of a width×height image to those of it resized to newWidth×newHeight.
 * @param {number} width
 * @param {number} height
 * @param {number} newWidth
 * @param {number} newHeight
 */
export function resize(width, height, newWidth, newHeight) {
  const sx = newWidth / width, sy = newHeight / height;
  return affine({ a: sx, d: sy, tx: (sx - 1) / 2, ty: (sy - 1) / 2 });
}

/**
 * Where a pixel is in the patient (PS3.3 §C.7.6.2.1.1, LPS, mm).
 * @typedef {object} PatientGeometry
 * @property {Vec3} position centre of the top-left pixel (Image Position (Patient))
 * @property {Vec3} rowDirection direction of increasing column index (first three values of Image Orientation)
 * @property {Vec3} columnDirection direction of increasing row index (last three)
 * @property {import('./measurements.js').PixelSpacing} spacing
 */

/**
 * The geometry of an instance; null without a position and six orientation values.
 * @param {{ imagePositionPatient?: number[] | null, imageOrientationPatient?: number[] | null }} meta
 * @param {import('./measurements.js').PixelSpacing} spacing
 * @returns {PatientGeometry | null}
 */
export function patientGeometryOf(meta, spacing) {
  const p = meta.imagePositionPatient, o = meta.imageOrientationPatient;
  if (!Array.isArray(p) || p.length < 3 || !Array.isArray(o) || o.length < 6) return null;
  return { position: [p[0], p[1], p[2]], rowDirection: [o[0], o[1], o[2]], columnDirection: [o[3], o[4], o[5]], spacing };
}

/**
 * The patient point of pixel point (x, y): `P + x·Δcolumn·row direction + y·Δrow·column direction`.
 * @param {PatientGeometry} g
 * @param {Point} p
 * @returns {Vec3}
 */
export function patientPoint(g, p) {
  const sx = p[0] * g.spacing.column, sy = p[1] * g.spacing.row;
  const { position: o, rowDirection: r, columnDirection: c } = g;
  return [o[0] + r[0] * sx + c[0] * sy, o[1] + r[1] * sx + c[1] * sy, o[2] + r[2] * sx + c[2] * sy];
}

/**
 * The pixel point whose patient point is nearest to `q` (its projection onto the image plane).
 * @param {PatientGeometry} g
 * @param {Vec3} q
 * @returns {Point}
 */
export function pixelPoint(g, q) {
  const v = [q[0] - g.position[0], q[1] - g.position[1], q[2] - g.position[2]];
  const dot = (/** @type {Vec3} */ u) => v[0] * u[0] + v[1] * u[1] + v[2] * u[2];
  return [dot(g.rowDirection) / g.spacing.column, dot(g.columnDirection) / g.spacing.row];
}
