// @ts-check
/**
 * Measurements on modality values, as ImagingKit `Measurements/Measurements.swift` and `PixelSpacing.swift`.
 * Points are pixel coordinates: x is the column, y the row, the centre of the top-left pixel is (0, 0).
 */

/** @typedef {[number, number]} Point */

/**
 * The physical size of a pixel and where it came from.
 * - `pixelSpacing`: Pixel Spacing (0028,0030), calibrated in the patient;
 * - `imagerPixelSpacing`: Imager Pixel Spacing (0018,1164), at the detector: lengths in the patient are magnified
 *   by the geometry (PS3.3 §10.7.1.3), so results carry a caveat;
 * - `pixels`: none given, lengths are in pixels.
 * @typedef {object} PixelSpacing
 * @property {number} row distance between the centres of adjacent rows (first value), mm
 * @property {number} column distance between the centres of adjacent columns (second value), mm
 * @property {'pixelSpacing' | 'imagerPixelSpacing' | 'pixels'} source
 */

/** @type {Readonly<PixelSpacing>} */
export const PIXELS = Object.freeze({ row: 1, column: 1, source: 'pixels' });

/**
 * Pixel Spacing, else Imager Pixel Spacing, else pixels.
 * @param {{ pixelSpacing?: number[] | null, imagerPixelSpacing?: number[] | null }} meta
 * @returns {PixelSpacing}
 */
export function pixelSpacingOf(meta) {
  /** @type {Array<[number[] | null | undefined, 'pixelSpacing' | 'imagerPixelSpacing']>} */
  const candidates = [[meta.pixelSpacing, 'pixelSpacing'], [meta.imagerPixelSpacing, 'imagerPixelSpacing']];
  for (const [v, source] of candidates) {
    if (Array.isArray(v) && v.length >= 2 && v[0] > 0 && v[1] > 0 && Number.isFinite(v[0]) && Number.isFinite(v[1])) {
      return { row: v[0], column: v[1], source };
    }
  }
  return { ...PIXELS };
}

/** "mm" or "px". */
export const lengthUnit = (/** @type {PixelSpacing} */ s) => (s.source === 'pixels' ? 'px' : 'mm');
/** "mm2" or "px2" (ImagingKit's spelling; `format.js` shows mm²). */
export const areaUnit = (/** @type {PixelSpacing} */ s) => (s.source === 'pixels' ? 'px2' : 'mm2');
/** A warning to show with measurements made with Imager Pixel Spacing, else null. */
export const spacingCaveat = (/** @type {PixelSpacing} */ s) => (s.source === 'imagerPixelSpacing'
  ? 'measured at the detector (Imager Pixel Spacing): not corrected for magnification' : null);

/**
 * Distance between two points: `√((Δx·column)² + (Δy·row)²)`, in mm with a spacing, else in pixels.
 * @param {Point} a
 * @param {Point} b
 * @param {PixelSpacing} spacing
 * @returns {{ value: number, unit: string }}
 */
export function length(a, b, spacing) {
  const dx = (b[0] - a[0]) * spacing.column, dy = (b[1] - a[1]) * spacing.row;
  return { value: Math.sqrt(dx * dx + dy * dy), unit: lengthUnit(spacing) };
}

/**
 * The angle at `vertex` between the rays to `a` and `b`, in degrees (0…180), in physical space so that
 * anisotropic spacing does not skew it.
 * @param {Point} vertex
 * @param {Point} a
 * @param {Point} b
 * @param {PixelSpacing} spacing
 */
export function angle(vertex, a, b, spacing) {
  const ux = (a[0] - vertex[0]) * spacing.column, uy = (a[1] - vertex[1]) * spacing.row;
  const vx = (b[0] - vertex[0]) * spacing.column, vy = (b[1] - vertex[1]) * spacing.row;
  return (Math.abs(Math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)) * 180) / Math.PI;
}

/**
 * A region of interest:
 * - rectangle: columns `x…x+width−1`, rows `y…y+height−1`;
 * - ellipse: pixels whose centres satisfy `(x−cx)²/rx² + (y−cy)²/ry² ≤ 1`;
 * - polygon: pixels whose centres lie inside (even-odd rule).
 * @typedef {{ kind: 'rectangle', x: number, y: number, width: number, height: number }
 *         | { kind: 'ellipse', cx: number, cy: number, rx: number, ry: number }
 *         | { kind: 'polygon', points: Point[] }} Region
 */

/**
 * Whether the centre of pixel (x, y) is in the region.
 * @param {Region} r
 * @param {number} x
 * @param {number} y
 */
export function regionContains(r, x, y) {
  switch (r.kind) {
    case 'rectangle':
      return x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
    case 'ellipse': {
      if (!(r.rx > 0 && r.ry > 0)) return false;
      const dx = (x - r.cx) / r.rx, dy = (y - r.cy) / r.ry;
      return dx * dx + dy * dy <= 1;
    }
    case 'polygon': {
      const p = r.points;
      if (p.length < 3) return false;
      let inside = false;
      for (let i = 0, j = p.length - 1; i < p.length; j = i++) {
        const a = p[i], b = p[j];
        if ((a[1] > y) !== (b[1] > y) && x < ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
      }
      return inside;
    }
  }
}

/**
 * The pixels to visit: the region's bounding box clipped to a width×height image, as half-open ranges.
 * @param {Region} r
 * @param {number} width
 * @param {number} height
 * @returns {{ x0: number, x1: number, y0: number, y1: number }}
 */
export function regionBounds(r, width, height) {
  let x0, x1, y0, y1;
  switch (r.kind) {
    case 'rectangle': [x0, x1, y0, y1] = [r.x, r.x + r.width - 1, r.y, r.y + r.height - 1]; break;
    case 'ellipse': [x0, x1, y0, y1] = [r.cx - r.rx, r.cx + r.rx, r.cy - r.ry, r.cy + r.ry]; break;
    case 'polygon': {
      const xs = r.points.map((p) => p[0]), ys = r.points.map((p) => p[1]);
      [x0, x1, y0, y1] = xs.length ? [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)] : [0, -1, 0, -1];
    }
  }
  const xs = Math.max(Math.floor(x0), 0), xe = Math.min(Math.ceil(x1), width - 1);
  const ys = Math.max(Math.floor(y0), 0), ye = Math.min(Math.ceil(y1), height - 1);
  return xs <= xe && ys <= ye ? { x0: xs, x1: xe + 1, y0: ys, y1: ye + 1 } : { x0: 0, x1: 0, y0: 0, y1: 0 };
}

/**
 * Statistics of the modality values in a region.
 * @typedef {object} RegionStatistics
 * @property {number} pixels
 * @property {number} mean
 * @property {number} standardDeviation population standard deviation
 * @property {number} min
 * @property {number} max
 * @property {number} area pixel count × pixel area
 * @property {string} areaUnit "mm2" or "px2"
 * @property {string} unit the unit of the values ("HU", …)
 */

/**
 * Statistics of the pixels of `region` inside a width×height image; null when no pixel centre lies in it.
 * The deviation takes a second pass (exact for constant regions, stable around −1000 HU), as ImagingKit does.
 * @param {Region} region
 * @param {(x: number, y: number) => number} valueAt modality value of pixel (x, y)
 * @param {number} width
 * @param {number} height
 * @param {PixelSpacing} spacing
 * @param {string} unit
 * @returns {RegionStatistics | null}
 */
export function regionStatistics(region, valueAt, width, height, spacing, unit) {
  const { x0, x1, y0, y1 } = regionBounds(region, width, height);
  let n = 0, sum = 0, lo = Infinity, hi = -Infinity;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (!regionContains(region, x, y)) continue;
      const v = valueAt(x, y);
      n += 1; sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (n === 0) return null;
  const mean = sum / n;
  let dev = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (regionContains(region, x, y)) { const d = valueAt(x, y) - mean; dev += d * d; }
    }
  }
  return {
    pixels: n, mean, standardDeviation: Math.sqrt(dev / n), min: lo, max: hi,
    area: n * spacing.row * spacing.column, areaUnit: areaUnit(spacing), unit,
  };
}

/**
 * The pixel a continuous point falls in (pixel centres are at integers), or null outside a width×height image.
 * @param {Point} p
 * @param {number} width
 * @param {number} height
 * @returns {[number, number] | null}
 */
export function pixelAt(p, width, height) {
  const x = Math.floor(p[0] + 0.5), y = Math.floor(p[1] + 0.5);
  return x >= 0 && y >= 0 && x < width && y < height ? [x, y] : null;
}

/**
 * The region two opposite corners of a drag span: the ellipse inscribed in their box, or the pixels whose
 * centres lie in the box.
 * @param {'ellipse' | 'rectangle'} kind
 * @param {Point} a
 * @param {Point} b
 * @returns {Region}
 */
export function regionFromCorners(kind, a, b) {
  if (kind === 'ellipse') {
    return { kind, cx: (a[0] + b[0]) / 2, cy: (a[1] + b[1]) / 2, rx: Math.abs(b[0] - a[0]) / 2, ry: Math.abs(b[1] - a[1]) / 2 };
  }
  const x = Math.ceil(Math.min(a[0], b[0])), y = Math.ceil(Math.min(a[1], b[1]));
  const xe = Math.floor(Math.max(a[0], b[0])), ye = Math.floor(Math.max(a[1], b[1]));
  return { kind, x, y, width: Math.max(xe - x + 1, 0), height: Math.max(ye - y + 1, 0) };
}
