// @ts-check
/**
 * The harness page: a synthetic CT series (`phantom.js`) encoded as MIF1 (`mif1-encoder.js`), served to the
 * viewer's decode workers from blob: URLs, and a `window.harness` object that browser tests drive:
 * the viewer, where the image is on screen, and the pixels `math/` predicts for any screen point.
 *
 * Query parameters: `slices` (default 24), `fetch=main` (decode on the main thread instead of workers),
 * `broken=N` (slice N's frame URL answers 404).
 */

import { Viewer, PALETTE_NAMES } from '../viewer.js';
import { encodeFrame } from './mif1-encoder.js';
import { phantomSeries, phantomSlice, SIZE } from './phantom.js';
import { grayOfModality, displayRGBA, displayColorRGBA } from '../math/pipeline.js';
import { Renderer } from '../render.js';
import { paletteRGBA } from '../math/palette.js';
import { rescaleOf, modalityValues } from '../math/modality.js';
import { sharpenedAt } from '../math/sharpen.js';
import { fetchOnMainThread } from '../worker-client.js';

const params = new URLSearchParams(location.search);
const count = Math.max(1, Math.min(200, Number(params.get('slices') ?? 24)));
const input = phantomSeries(count);

/** @type {Map<string, string>} SOP Instance UID → blob: URL of its MIF1 frame */
const urls = new Map();
/** @type {Int16Array[]} */
const stored = [];
let encodedBytes = 0;
input.instances.forEach((instance, i) => {
  const data = phantomSlice(i);
  stored.push(data);
  // Odd slices packed, even ones planar: both payloads go through the decode workers to the exact values checked.
  const bytes = encodeFrame({ columns: SIZE, rows: SIZE, bytesPerSample: 2, samplesPerPixel: 1, signed: true, data }, { predicted: true, packed: i % 2 === 1 });
  encodedBytes += bytes.length;
  urls.set(instance.sopInstanceUID, URL.createObjectURL(new Blob([bytes], { type: 'application/vnd.mi-frame' })));
});

const container = /** @type {HTMLElement} */ (document.getElementById('view'));
const broken = params.has('broken') ? input.instances[Number(params.get('broken'))]?.sopInstanceUID : undefined;
const viewer = new Viewer(container, {
  frameURL: (uid) => (uid === broken ? 'no-such-frame.mif' : urls.get(uid) ?? ''),
  fetchFrame: params.get('fetch') === 'main' ? (ref, signal) => fetchOnMainThread(ref.url, { signal }) : undefined,
});

// ---------------------------------------------------------------- toolbar
const toolSelect = /** @type {HTMLSelectElement} */ (document.getElementById('tool'));
toolSelect.addEventListener('change', () => viewer.setTool(/** @type {any} */ (toolSelect.value)));
const paletteSelect = /** @type {HTMLSelectElement} */ (document.getElementById('palette'));
for (const name of PALETTE_NAMES) paletteSelect.add(new Option(name, name));
paletteSelect.addEventListener('change', () => viewer.setPalette(paletteSelect.value));
const presetSelect = /** @type {HTMLSelectElement} */ (document.getElementById('preset'));
presetSelect.addEventListener('change', () => viewer.applyPreset(presetSelect.value));
/** @type {Record<string, () => void>} */
const actions = {
  flipH: () => viewer.flipH(), flipV: () => viewer.flipV(), rotate: () => viewer.rotate(), invert: () => viewer.invert(),
  sharpen: () => viewer.setSharpen(viewer.getState().sharpen > 0 ? 0 : 1), reset: () => viewer.reset(),
  cine: () => viewer.cine(viewer.cineFps > 0 ? 0 : 15),
};
for (const button of document.querySelectorAll('#toolbar button')) {
  const action = /** @type {HTMLElement} */ (button).dataset.action ?? '';
  button.addEventListener('click', () => actions[action]?.());
}
const progress = /** @type {HTMLElement} */ (document.getElementById('progress'));
viewer.addEventListener('progress', (e) => {
  const d = /** @type {CustomEvent} */ (e).detail;
  progress.textContent = `${d.loaded}/${d.total}`;
});

// ---------------------------------------------------------------- test API
/** @type {Map<number, Float32Array>} */
const modalityCache = new Map();
/** @param {number} slice */
function modality(slice) {
  let m = modalityCache.get(slice);
  if (!m) { m = modalityValues(stored[slice], rescaleOf(input.instances[slice])); modalityCache.set(slice, m); }
  return m;
}

/**
 * The RGBA `math/` predicts at CSS point (x, y) of the viewer: the centre of the device pixel there, mapped to
 * the image, sampled as the renderer samples (nearest, or bilinear over modality values, after the sharpen
 * filter), windowed, inverted and coloured.
 * @param {number} x
 * @param {number} y
 * @returns {number[]}
 */
function expectedAt(x, y) {
  const s = viewer.getState();
  const canvas = viewer.canvas;
  const sx = canvas.width / viewer.viewport.width, sy = canvas.height / viewer.viewport.height;
  const px = Math.floor(x * sx), py = Math.floor(y * sy);
  const [ix, iy] = viewer.screenToImage([(px + 0.5) / sx, (py + 0.5) / sy]);
  if (ix < -0.5 || iy < -0.5 || ix >= SIZE - 0.5 || iy >= SIZE - 0.5) return [0, 0, 0, 255];
  const values = modality(s.frame);
  const clamp = (/** @type {number} */ v) => Math.min(Math.max(v, 0), SIZE - 1);
  const at = (/** @type {number} */ cx, /** @type {number} */ cy) => sharpenedAt(values, SIZE, SIZE, 1, clamp(cx), clamp(cy), s.sharpen);
  let v;
  if (s.interpolation === 'nearest') {
    v = at(Math.floor(ix + 0.5), Math.floor(iy + 0.5));
  } else {
    const x0 = Math.floor(ix), y0 = Math.floor(iy), fx = ix - x0, fy = iy - y0;
    const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx, bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
    v = top * (1 - fy) + bottom * fy;
  }
  const window = viewer.effectiveWindow() ?? { center: 0, width: 1 };
  const g = grayOfModality(v, { window, monochrome1: false, invert: s.invert, palette: s.palette });
  const t = paletteRGBA(s.palette);
  return [t[4 * g], t[4 * g + 1], t[4 * g + 2], 255];
}

/**
 * The RGBA on the canvas at CSS points of the viewer: one draw, then one 1-pixel read-back per point.
 * @param {Array<[number, number]>} points
 */
function actualAt(points) {
  viewer.renderNow();
  const gl = viewer.renderer.gl, canvas = viewer.canvas;
  const sx = canvas.width / viewer.viewport.width, sy = canvas.height / viewer.viewport.height;
  return points.map(([x, y]) => {
    const pixel = new Uint8Array(4);
    gl.readPixels(Math.floor(x * sx), canvas.height - 1 - Math.floor(y * sy), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    return Array.from(pixel);
  });
}

/**
 * Resolves when slice `index` is on the GPU and drawn.
 * @param {number} index
 */
async function whenShown(index) {
  for (;;) {
    const item = viewer.stack[index];
    if (item && viewer.shownKey === item.key && viewer.getState().frame === index) { viewer.renderNow(); return; }
    await new Promise((r) => requestAnimationFrame(r));
  }
}

/**
 * Mean milliseconds per frame of a window/level drag: change the window, draw, wait for the GPU (a 1-pixel
 * read-back), `n` times.
 * @param {number} n
 */
function measureWindowDrag(n) {
  const gl = viewer.renderer.gl;
  const pixel = new Uint8Array(4);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    viewer.setWindow(40 + (i % 50), 400 + 4 * (i % 100));
    viewer.renderNow();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
  }
  return (performance.now() - t0) / n;
}

/**
 * Mean milliseconds to show the next slice (upload + draw + GPU sync), all slices already loaded.
 * @param {number} n
 */
async function measureScroll(n) {
  const gl = viewer.renderer.gl;
  const pixel = new Uint8Array(4);
  for (let i = 0; i < count; i++) await viewer.loader.request(/** @type {string} */ (viewer.getState().seriesUID), i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    viewer.setFrame(i % count);
    viewer.renderNow();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
  }
  return (performance.now() - t0) / n;
}

/**
 * Every texture kind the renderer has (R16I, R16UI, R8I, R8UI, RGB8 from 8 and 16 bits) on a small canvas,
 * pixel for pixel against `math/pipeline.js`: the largest difference per kind.
 * @returns {Record<string, number>}
 */
function checkTextureKinds() {
  const w = 64, h = 4, n = w * h;
  const canvas = document.createElement('canvas');
  const r = new Renderer(canvas);
  r.resize(w, h, 1);
  /** @type {Record<string, number>} */
  const out = {};
  /** @type {Array<[string, import('../frame-format.js').DecodedFrame, number, import('../math/voi.js').Window, boolean]>} */
  const cases = [
    ['R16I', { columns: w, rows: h, bytesPerSample: 2, samplesPerPixel: 1, signed: true, data: Int16Array.from({ length: n }, (_, i) => i * 97 - 12000) }, 16, { center: 0, width: 20000 }, false],
    ['R16UI', { columns: w, rows: h, bytesPerSample: 2, samplesPerPixel: 1, signed: false, data: Uint16Array.from({ length: n }, (_, i) => i * 16) }, 12, { center: 2048, width: 4096, function: 'SIGMOID' }, true],
    ['R8I', { columns: w, rows: h, bytesPerSample: 1, samplesPerPixel: 1, signed: true, data: Int8Array.from({ length: n }, (_, i) => i - 128) }, 8, { center: 0, width: 256, function: 'LINEAR_EXACT' }, false],
    ['R8UI', { columns: w, rows: h, bytesPerSample: 1, samplesPerPixel: 1, signed: false, data: Uint8Array.from({ length: n }, (_, i) => i) }, 8, { center: 100, width: 50 }, false],
    ['RGB8', { columns: w, rows: h, bytesPerSample: 1, samplesPerPixel: 3, signed: false, data: Uint8Array.from({ length: 3 * n }, (_, i) => (i * 37) & 255) }, 8, { center: 0, width: 1 }, true],
    ['RGB16', { columns: w, rows: h, bytesPerSample: 2, samplesPerPixel: 3, signed: false, data: Uint16Array.from({ length: 3 * n }, (_, i) => (i * 331) & 4095) }, 12, { center: 0, width: 1 }, false],
  ];
  for (const [name, frame, bitsStored, window, invert] of cases) {
    r.setFrame(frame, { bitsStored });
    const rescale = { slope: 1, intercept: 0 };
    r.draw({ screenToImage: { a: 1, b: 0, c: 0, d: 1, tx: -0.5, ty: -0.5 }, rescale, window, invert, palette: 'jet', sharpen: 0, interpolation: 'nearest' });
    const { data } = r.readPixels();
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const expected = frame.samplesPerPixel === 3
        ? displayColorRGBA([frame.data[3 * i], frame.data[3 * i + 1], frame.data[3 * i + 2]], bitsStored, invert)
        : displayRGBA(frame.data[i], { rescale, window, monochrome1: false, invert, palette: 'jet' });
      for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(data[4 * i + c] - expected[c]));
    }
    out[name] = worst;
  }
  r.dispose();
  return out;
}

const harness = {
  viewer, input, encodedBytes, stored, SIZE,
  expectedAt, actualAt, whenShown, measureWindowDrag, measureScroll, checkTextureKinds,
  /** The viewer's top-left corner in page CSS pixels, for pointer events. */
  origin: () => { const r = container.getBoundingClientRect(); return [r.left, r.top]; },
  /** @param {[number, number]} p */
  imageToScreen: (p) => viewer.imageToScreen(p),
  /** @param {[number, number]} q */
  screenToImage: (q) => viewer.screenToImage(q),
  errors: /** @type {string[]} */ ([]),
  ready: /** @type {Promise<void>} */ (Promise.resolve()),
};
window.addEventListener('error', (e) => harness.errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => harness.errors.push(String(e.reason)));
/** @type {any} */ (window).harness = harness;

harness.ready = (async () => {
  await viewer.openSeries(input);
  for (const p of viewer.presets()) presetSelect.add(new Option(p.label, p.name));
  await whenShown(0);
  document.body.dataset.ready = 'true';
})();
