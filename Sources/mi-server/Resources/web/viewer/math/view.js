// @ts-check
/**
 * The view transform: where the image sits on the screen. One value, independent of the screen size, so that a
 * consultation partner on a phone and one on a desktop see the same part of the image:
 *
 * - `zoom`: a multiple of the fit scale (1 = the whole image fits, centred, aspect kept);
 * - `center`: the image point shown at the centre of the viewport (null = the image centre);
 * - `rotation`: clockwise quarter turns on screen, in degrees (0, 90, 180, 270);
 * - `flipH`, `flipV`: mirror the screen picture left–right / top–bottom (applied after the rotation, so that
 *   "flip horizontally" always flips what the user sees horizontally).
 *
 * Image points are pixel coordinates with pixel centres at integers (the image covers −0.5…width−0.5), as in
 * ImagingKit; screen points are CSS pixels from the viewport's top-left corner.
 *
 * image → screen = translate(viewport centre) · scale(fit·zoom) · flips · rotation · translate(−center).
 */

import { apply, invert as invertAffine, applyLinear } from './geometry.js';

/**
 * @typedef {object} View
 * @property {number} zoom
 * @property {[number, number] | null} center
 * @property {0 | 90 | 180 | 270} rotation
 * @property {boolean} flipH
 * @property {boolean} flipV
 */

/** @typedef {{ width: number, height: number }} Size */
/** @typedef {import('./geometry.js').Affine} Affine */
/** @typedef {[number, number]} Point */

/** @returns {View} */
export const defaultView = () => ({ zoom: 1, center: null, rotation: 0, flipH: false, flipV: false });

/** Zoom limits, as multiples of the fit scale. */
export const MIN_ZOOM = 0.05;
export const MAX_ZOOM = 64;

/**
 * A view with its fields checked and brought into range (for views that arrive over the network).
 * @param {Partial<View> | null | undefined} v
 * @returns {View}
 */
export function normalizeView(v) {
  const d = defaultView();
  if (!v || typeof v !== 'object') return d;
  const zoom = typeof v.zoom === 'number' && Number.isFinite(v.zoom) ? clampZoom(v.zoom) : d.zoom;
  const c = v.center;
  const center = Array.isArray(c) && c.length === 2 && c.every((x) => typeof x === 'number' && Number.isFinite(x)) ? /** @type {Point} */ ([c[0], c[1]]) : null;
  const r = ((Math.round(Number(v.rotation) / 90) % 4) + 4) % 4;
  return { zoom, center, rotation: /** @type {View['rotation']} */ (Number.isFinite(r) ? r * 90 : 0), flipH: v.flipH === true, flipV: v.flipV === true };
}

/**
 * `current` with the valid fields of `partial` (for states that arrive over the network: a malformed field is
 * ignored, not obeyed and not reset).
 * @param {View} current
 * @param {Partial<Record<keyof View, unknown>>} partial
 * @returns {View}
 */
export function mergeView(current, partial) {
  const v = { ...current };
  const { zoom, center, rotation, flipH, flipV } = partial;
  if (typeof zoom === 'number' && Number.isFinite(zoom) && zoom > 0) v.zoom = clampZoom(zoom);
  if (center === null) v.center = null;
  else if (Array.isArray(center) && center.length === 2 && center.every((x) => typeof x === 'number' && Number.isFinite(x))) v.center = [center[0], center[1]];
  if (rotation === 0 || rotation === 90 || rotation === 180 || rotation === 270) v.rotation = rotation;
  if (typeof flipH === 'boolean') v.flipH = flipH;
  if (typeof flipV === 'boolean') v.flipV = flipV;
  return v;
}

/** @param {number} z */
export const clampZoom = (z) => Math.min(Math.max(z, MIN_ZOOM), MAX_ZOOM);

/**
 * Screen pixels per image pixel at zoom 1: the whole (rotated) image fits the viewport.
 * @param {Size} image
 * @param {Size} viewport
 * @param {number} rotation degrees
 */
export function fitScale(image, viewport, rotation) {
  const quarter = (rotation / 90) % 2 === 1;
  const w = quarter ? image.height : image.width, h = quarter ? image.width : image.height;
  if (w <= 0 || h <= 0 || viewport.width <= 0 || viewport.height <= 0) return 1;
  return Math.min(viewport.width / w, viewport.height / h);
}

/**
 * The image centre in pixel coordinates.
 * @param {Size} image
 * @returns {Point}
 */
export const imageCenter = (image) => [(image.width - 1) / 2, (image.height - 1) / 2];

/**
 * The image → screen map of a view.
 * @param {View} view
 * @param {Size} image
 * @param {Size} viewport
 * @returns {Affine}
 */
export function imageToScreenMatrix(view, image, viewport) {
  const s = fitScale(image, viewport, view.rotation) * view.zoom;
  // Rotation (clockwise on a y-down screen: (x, y) → (−y, x) per quarter turn), then flips, then scale.
  let a = 1, b = 0, c = 0, d = 1;
  for (let k = 0; k < view.rotation / 90; k++) [a, b, c, d] = [-c, -d, a, b];
  if (view.flipH) { a = -a; b = -b; }
  if (view.flipV) { c = -c; d = -d; }
  a *= s; b *= s; c *= s; d *= s;
  const [cx, cy] = view.center ?? imageCenter(image);
  return { a, b, c, d, tx: viewport.width / 2 - (a * cx + b * cy), ty: viewport.height / 2 - (c * cx + d * cy) };
}

/**
 * The screen → image map of a view.
 * @param {View} view
 * @param {Size} image
 * @param {Size} viewport
 * @returns {Affine}
 */
export function screenToImageMatrix(view, image, viewport) {
  return /** @type {Affine} */ (invertAffine(imageToScreenMatrix(view, image, viewport)));
}

/**
 * @param {View} view
 * @param {Size} image
 * @param {Size} viewport
 * @param {Point} p image point
 * @returns {Point}
 */
export const imageToScreen = (view, image, viewport, p) => apply(imageToScreenMatrix(view, image, viewport), p);

/**
 * @param {View} view
 * @param {Size} image
 * @param {Size} viewport
 * @param {Point} q screen point
 * @returns {Point}
 */
export const screenToImage = (view, image, viewport, q) => apply(screenToImageMatrix(view, image, viewport), q);

/**
 * Zoom by `factor` keeping the image point under screen point `q` where it is (pinch, wheel).
 * @param {View} view
 * @param {number} factor
 * @param {Point} q
 * @param {Size} image
 * @param {Size} viewport
 * @returns {View}
 */
export function zoomAt(view, factor, q, image, viewport) {
  const p = screenToImage(view, image, viewport, q);
  const zoomed = { ...view, zoom: clampZoom(view.zoom * factor) };
  // Move the centre so that p maps to q again: centre' = p − L'⁻¹(q − viewport centre).
  const m = /** @type {Affine} */ (invertAffine(imageToScreenMatrix(zoomed, image, viewport)));
  const [dx, dy] = applyLinear(m, [q[0] - viewport.width / 2, q[1] - viewport.height / 2]);
  return { ...zoomed, center: [p[0] - dx, p[1] - dy] };
}

/**
 * Move the picture by a screen displacement (dx, dy).
 * @param {View} view
 * @param {number} dx
 * @param {number} dy
 * @param {Size} image
 * @param {Size} viewport
 * @returns {View}
 */
export function panBy(view, dx, dy, image, viewport) {
  const m = screenToImageMatrix(view, image, viewport);
  const [ix, iy] = applyLinear(m, [dx, dy]);
  const [cx, cy] = view.center ?? imageCenter(image);
  return { ...view, center: [cx - ix, cy - iy] };
}

/**
 * Turn the picture a quarter clockwise (or counter-clockwise with `direction` −1), about the viewport centre.
 * With one flip set, turning the picture clockwise on screen means turning the image the other way.
 * @param {View} view
 * @param {1 | -1} [direction]
 * @returns {View}
 */
export function rotateView(view, direction = 1) {
  const step = view.flipH !== view.flipV ? -direction : direction;
  return { ...view, rotation: /** @type {View['rotation']} */ ((((view.rotation + 90 * step) % 360) + 360) % 360) };
}

/**
 * The screen direction of image axis vectors, for orientation markers: the image-space vectors that point
 * right and down on screen.
 * @param {View} view
 * @returns {{ right: Point, down: Point }}
 */
export function screenAxesInImage(view) {
  const m = /** @type {Affine} */ (invertAffine(imageToScreenMatrix({ ...view, zoom: 1, center: [0, 0] }, { width: 1, height: 1 }, { width: 1, height: 1 })));
  return { right: applyLinear(m, [1, 0]), down: applyLinear(m, [0, 1]) };
}
