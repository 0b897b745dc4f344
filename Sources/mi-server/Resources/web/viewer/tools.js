// @ts-check
/**
 * Tools: what a one-pointer drag does (window/level, zoom, pan, stack scroll, or drawing a probe, length, angle,
 * ellipse or rectangle), the measurement model, its text (through `math/`) and its drawing on the overlay canvas.
 *
 * Measurements live in image pixel coordinates on one image (instance + frame), so that they survive zoom, pan,
 * rotation, flips and window changes, and travel in the viewer state.
 */

import * as M from './math/measurements.js';
import { formatValue, formatLength, formatAngle, formatArea, formatRegion, ENGLISH_REGION_WORDS } from './math/format.js';

/** @typedef {[number, number]} Point */
/** @typedef {'wwwl' | 'probe' | 'length' | 'angle' | 'ellipse' | 'rectangle' | 'zoom' | 'pan' | 'stack'} ToolName */
/** @typedef {'probe' | 'length' | 'angle' | 'ellipse' | 'rectangle'} MeasurementKind */

/** Every tool `Viewer.setTool` accepts. */
export const TOOL_NAMES = /** @type {readonly ToolName[]} */ (Object.freeze(['wwwl', 'probe', 'length', 'angle', 'ellipse', 'rectangle', 'zoom', 'pan', 'stack']));
/** The tools that draw measurements, with the number of points each has when complete. */
export const MEASUREMENT_POINTS = Object.freeze({ probe: 1, length: 2, angle: 3, ellipse: 2, rectangle: 2 });

/**
 * A measurement: its kind, its points in image pixel coordinates, and the image it was made on.
 * Angle points are [end of the first ray, vertex, end of the second ray]; ellipse and rectangle points are two
 * opposite corners of the bounding box.
 * @typedef {object} Measurement
 * @property {string} id
 * @property {MeasurementKind} kind
 * @property {Point[]} points
 * @property {string} sopInstanceUID
 * @property {number} frame frame number in the instance, from 1
 */

/**
 * What measuring needs to know about the displayed image.
 * @typedef {object} MeasureContext
 * @property {number} width
 * @property {number} height
 * @property {number} samplesPerPixel
 * @property {(x: number, y: number) => number} valueAt modality value of pixel (x, y) (first sample for colour)
 * @property {(x: number, y: number) => number[]} samplesAt stored samples of pixel (x, y)
 * @property {string} unit
 * @property {M.PixelSpacing} spacing
 * @property {import('./math/format.js').RegionWords} [words] the region label's words (English when absent)
 * @property {(caveat: string) => string} [translateCaveat] the caveat in the reader's language
 */

/**
 * A measurement checked and copied (for measurements that arrive in a shared state); null if malformed.
 * @param {any} m
 * @returns {Measurement | null}
 */
export function normalizeMeasurement(m) {
  if (!m || typeof m !== 'object') return null;
  const kind = /** @type {MeasurementKind} */ (m.kind);
  if (!(kind in MEASUREMENT_POINTS)) return null;
  if (!Array.isArray(m.points) || m.points.length < 1 || m.points.length > 3) return null;
  /** @type {Point[]} */
  const points = [];
  for (const p of m.points) {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
    points.push([p[0], p[1]]);
  }
  if (typeof m.sopInstanceUID !== 'string' || !Number.isInteger(m.frame) || m.frame < 1) return null;
  return { id: typeof m.id === 'string' && m.id ? m.id.slice(0, 64) : newId(), kind, points, sopInstanceUID: m.sopInstanceUID, frame: m.frame };
}

let counter = 0;
/** A new measurement id. */
export function newId() {
  counter += 1;
  return `m-${Date.now().toString(36)}-${counter.toString(36)}`;
}

/**
 * The label of a measurement: its lines of text and a caveat (Imager Pixel Spacing), from `math/`.
 * @param {Measurement} m
 * @param {MeasureContext} ctx
 * @returns {{ lines: string[], caveat: string | null }}
 */
export function measurementText(m, ctx) {
  const detector = m.kind === 'probe' ? null : M.spacingCaveat(ctx.spacing);
  const caveat = detector && ctx.translateCaveat ? ctx.translateCaveat(detector) : detector;
  const words = ctx.words ?? ENGLISH_REGION_WORDS;
  const p = m.points;
  switch (m.kind) {
    case 'probe': {
      const px = M.pixelAt(p[0], ctx.width, ctx.height);
      if (!px) return { lines: ['—'], caveat: null };
      if (ctx.samplesPerPixel === 3) {
        const [r, g, b] = ctx.samplesAt(px[0], px[1]);
        return { lines: [`R ${r} G ${g} B ${b}`], caveat: null };
      }
      return { lines: [formatValue(ctx.valueAt(px[0], px[1]), ctx.unit)], caveat: null };
    }
    case 'length':
      return { lines: [formatLength(M.length(p[0], p[1] ?? p[0], ctx.spacing))], caveat };
    case 'angle':
      if (p.length < 3) return { lines: [], caveat: null };
      return { lines: [formatAngle(M.angle(p[1], p[0], p[2], ctx.spacing))], caveat: null };
    case 'ellipse':
    case 'rectangle': {
      const region = M.regionFromCorners(m.kind, p[0], p[1] ?? p[0]);
      if (ctx.samplesPerPixel === 3) {
        const s = M.regionStatistics(region, () => 0, ctx.width, ctx.height, ctx.spacing, '');
        return { lines: s ? [`${words.area} ${formatArea(s.area, s.areaUnit)}`] : ['—'], caveat };
      }
      const s = M.regionStatistics(region, ctx.valueAt, ctx.width, ctx.height, ctx.spacing, ctx.unit);
      return { lines: s ? formatRegion(s, words) : ['—'], caveat };
    }
  }
}

/**
 * The screen points of a measurement's outline and handles.
 * @param {Measurement} m
 * @param {(p: Point) => Point} toScreen
 */
export function screenHandles(m, toScreen) {
  return m.points.map(toScreen);
}

/**
 * Draws measurements on the overlay's 2-D context (in CSS pixels).
 * @param {CanvasRenderingContext2D} ctx
 * @param {Measurement[]} list
 * @param {(p: Point) => Point} toScreen image → screen
 * @param {string | null} selectedId
 */
export function drawMeasurements(ctx, list, toScreen, selectedId) {
  for (const m of list) {
    const selected = m.id === selectedId;
    const color = selected ? '#ffe066' : '#5ce1e6';
    const q = m.points.map(toScreen);
    ctx.save();
    ctx.lineWidth = selected ? 2 : 1.5;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.shadowColor = 'rgba(0, 0, 0, 0.8)';
    ctx.shadowBlur = 2;
    ctx.beginPath();
    switch (m.kind) {
      case 'probe': {
        const [x, y] = q[0];
        ctx.moveTo(x - 7, y); ctx.lineTo(x - 2, y); ctx.moveTo(x + 2, y); ctx.lineTo(x + 7, y);
        ctx.moveTo(x, y - 7); ctx.lineTo(x, y - 2); ctx.moveTo(x, y + 2); ctx.lineTo(x, y + 7);
        break;
      }
      case 'length':
      case 'angle':
        q.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
        break;
      case 'rectangle': {
        // The box in image space, so that it follows rotation and flips.
        const [a, b] = [m.points[0], m.points[1] ?? m.points[0]];
        const corners = /** @type {Point[]} */ ([[a[0], a[1]], [b[0], a[1]], [b[0], b[1]], [a[0], b[1]]]).map(toScreen);
        corners.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
        ctx.closePath();
        break;
      }
      case 'ellipse': {
        const [a, b] = [m.points[0], m.points[1] ?? m.points[0]];
        const c = toScreen([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]);
        // Axis ends in screen space: quarter turns keep the ellipse axis-aligned, possibly swapping its radii.
        const ex = toScreen([b[0], (a[1] + b[1]) / 2]), ey = toScreen([(a[0] + b[0]) / 2, b[1]]);
        const rx = Math.hypot(ex[0] - c[0], ex[1] - c[1]), ry = Math.hypot(ey[0] - c[0], ey[1] - c[1]);
        const rotation = Math.atan2(ex[1] - c[1], ex[0] - c[0]);
        ctx.ellipse(c[0], c[1], rx, ry, rotation, 0, 2 * Math.PI);
        break;
      }
    }
    ctx.stroke();
    if (m.kind !== 'probe') {
      for (const [x, y] of q) { ctx.beginPath(); ctx.arc(x, y, selected ? 4 : 3, 0, 2 * Math.PI); ctx.fill(); }
    }
    ctx.restore();
  }
}

/**
 * The measurement handle nearest to a screen point within `radius` CSS pixels.
 * @param {Measurement[]} list
 * @param {Point} q
 * @param {(p: Point) => Point} toScreen
 * @param {number} radius
 * @returns {{ measurement: Measurement, handle: number } | null}
 */
export function hitHandle(list, q, toScreen, radius) {
  let best = null, bestD = radius;
  for (const m of list) {
    m.points.forEach((p, handle) => {
      const s = toScreen(p);
      const d = Math.hypot(s[0] - q[0], s[1] - q[1]);
      if (d <= bestD) { best = { measurement: m, handle }; bestD = d; }
    });
  }
  return best;
}

/**
 * Where a measurement's label goes on screen: right of and level with the top of its points, kept inside the
 * viewport.
 * @param {Measurement} m
 * @param {(p: Point) => Point} toScreen
 * @param {{ width: number, height: number }} viewport
 * @param {{ width: number, height: number }} labelSize
 * @returns {Point}
 */
export function labelPosition(m, toScreen, viewport, labelSize) {
  const q = m.points.map(toScreen);
  const x = Math.max(...q.map((p) => p[0])) + 10, y = Math.min(...q.map((p) => p[1])) - 4;
  return [Math.min(Math.max(x, 2), viewport.width - labelSize.width - 2), Math.min(Math.max(y, 2), viewport.height - labelSize.height - 2)];
}

/**
 * What tools may ask of the viewer.
 * @typedef {object} ToolHost
 * @property {(q: Point) => Point} screenToImage
 * @property {(p: Point) => Point} imageToScreen
 * @property {() => import('./math/voi.js').Window | null} getWindow
 * @property {(w: import('./math/voi.js').Window) => void} setWindow
 * @property {(widthAtStart: number) => number} windowStep modality units per CSS pixel of drag
 * @property {(dx: number, dy: number) => void} panBy
 * @property {(factor: number, q: Point) => void} zoomAt
 * @property {(slices: number) => void} scrollBy
 * @property {() => { sopInstanceUID: string, frame: number } | null} currentImage
 * @property {() => Measurement[]} visibleMeasurements
 * @property {(m: Measurement) => void} putMeasurement adds or replaces by id
 * @property {(id: string) => void} removeMeasurement
 * @property {(id: string | null) => void} select
 */

/**
 * A drag handler for a tool: `start` on pointer down, `move` as it moves, `end` on release, `cancel` when the
 * gesture turns into something else (a second finger).
 * @typedef {object} ToolHandler
 * @property {(q: Point) => void} start
 * @property {(q: Point) => void} move
 * @property {(q: Point) => void} end
 * @property {() => void} cancel
 */

/** Pixels of drag per slice for the stack tool. */
const STACK_PIXELS = 12;
/** A drawn measurement shorter than this (CSS px) is a stray tap and is dropped. */
const MIN_DRAG = 3;
/** Handles can be grabbed within this distance (CSS px): a fingertip on a phone. */
export const HANDLE_RADIUS = 14;

/**
 * @param {ToolName} name
 * @param {ToolHost} host
 * @returns {ToolHandler}
 */
export function createTool(name, host) {
  switch (name) {
    case 'wwwl': {
      /** @type {{ q: Point, center: number, width: number, step: number } | null} */
      let s = null;
      return {
        start(q) { const w = host.getWindow(); s = w ? { q, center: w.center, width: w.width, step: host.windowStep(w.width) } : null; },
        move(q) {
          if (!s) return;
          // Horizontal changes the width (right: wider), vertical the centre (down: higher, darker).
          const w = host.getWindow();
          host.setWindow({ ...w, center: s.center + (q[1] - s.q[1]) * s.step, width: Math.max(1, s.width + (q[0] - s.q[0]) * s.step) });
        },
        end() { s = null; },
        cancel() { s = null; },
      };
    }
    case 'pan': {
      /** @type {Point | null} */
      let last = null;
      return {
        start(q) { last = q; },
        move(q) { if (last) { host.panBy(q[0] - last[0], q[1] - last[1]); last = q; } },
        end() { last = null; },
        cancel() { last = null; },
      };
    }
    case 'zoom': {
      /** @type {{ anchor: Point, y: number } | null} */
      let s = null;
      return {
        start(q) { s = { anchor: q, y: q[1] }; },
        // Up zooms in, down out; about the point where the drag started.
        move(q) { if (s) { host.zoomAt(Math.exp((s.y - q[1]) / 150), s.anchor); s.y = q[1]; } },
        end() { s = null; },
        cancel() { s = null; },
      };
    }
    case 'stack': {
      let y = 0, active = false;
      return {
        start(q) { y = q[1]; active = true; },
        move(q) {
          if (!active) return;
          const slices = Math.trunc((q[1] - y) / STACK_PIXELS);
          if (slices !== 0) { host.scrollBy(slices); y += slices * STACK_PIXELS; }
        },
        end() { active = false; },
        cancel() { active = false; },
      };
    }
    default:
      return measurementTool(name, host);
  }
}

/**
 * Drawing tools: a drag draws a probe, line or box; angles take a drag for the first ray (end → vertex) and a
 * second press for the other ray's end. Pressing on an existing handle moves it instead.
 * @param {MeasurementKind} kind
 * @param {ToolHost} host
 * @returns {ToolHandler}
 */
function measurementTool(kind, host) {
  /** @type {{ m: Measurement, handle: number, startQ: Point, created: boolean } | null} */
  let drag = null;
  /** @type {Measurement | null} an angle waiting for its third point */
  let pendingAngle = null;
  const finishPending = () => {
    if (pendingAngle && pendingAngle.points.length < 3) host.removeMeasurement(pendingAngle.id);
    pendingAngle = null;
  };
  return {
    start(q) {
      const image = host.currentImage();
      if (!image) return;
      const p = host.screenToImage(q);
      if (pendingAngle && pendingAngle.sopInstanceUID === image.sopInstanceUID && pendingAngle.frame === image.frame) {
        pendingAngle.points = [...pendingAngle.points.slice(0, 2), p];
        drag = { m: pendingAngle, handle: 2, startQ: q, created: false };
        pendingAngle = null;
        host.putMeasurement(drag.m);
        return;
      }
      finishPending();
      const hit = hitHandle(host.visibleMeasurements(), q, host.imageToScreen, HANDLE_RADIUS);
      if (hit) {
        drag = { m: hit.measurement, handle: hit.handle, startQ: q, created: false };
        host.select(hit.measurement.id);
        return;
      }
      /** @type {Measurement} */
      const m = { id: newId(), kind, points: kind === 'probe' ? [p] : [p, p], ...image };
      drag = { m, handle: kind === 'probe' ? 0 : 1, startQ: q, created: true };
      host.putMeasurement(m);
      host.select(m.id);
    },
    move(q) {
      if (!drag) return;
      const points = drag.m.points.slice();
      points[drag.handle] = host.screenToImage(q);
      drag.m = { ...drag.m, points };
      host.putMeasurement(drag.m);
    },
    end(q) {
      if (!drag) return;
      const { m, startQ, created } = drag;
      drag = null;
      const moved = Math.hypot(q[0] - startQ[0], q[1] - startQ[1]);
      if (created && kind !== 'probe' && moved < MIN_DRAG) { host.removeMeasurement(m.id); return; }
      if (created && kind === 'angle') pendingAngle = m;
    },
    cancel() {
      if (drag?.created) host.removeMeasurement(drag.m.id);
      drag = null;
      finishPending();
    },
  };
}
