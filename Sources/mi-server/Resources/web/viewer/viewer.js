// @ts-check
/**
 * The viewer: one element showing one series, composed of the loader (frames), the renderer (pixels), the
 * overlay (text), tools and input. Everything the user can change is one serialisable state value
 * (`getState()` / `setState()`), so that a consultation can mirror it and a share can open at a given view.
 *
 * ```js
 * const viewer = new Viewer(document.querySelector('#view'), { getAuthorization: () => `Bearer ${token}` });
 * await viewer.openSeries({ study, series, instances });   // instances: GET /api/v1/series/{uid}/instances
 * viewer.setTool('length');
 * viewer.addEventListener('statechange', () => socket.send(JSON.stringify(viewer.getState())));
 * ```
 *
 * Events: `statechange` (at most once per animation frame), `progress` (detail: { seriesUID, loaded, cached,
 * failed, total }), `frameerror` (detail: { index, error }), `firstimage` (detail: { seriesUID }: an opened series'
 * first image has reached the screen, with the `mi-viewer:first-image` mark).
 *
 * The viewer's very first image is painted on a 2D canvas (`preview.js`, the same math as the shader), and the
 * WebGL canvas, hidden until then, takes over in the next animation frame: a WebGL canvas's first frame is slow to
 * reach the screen on a software renderer.
 *
 * For measurements (Scripts/bench-viewer-load.sh): `performance.mark('mi-viewer:first-image')` when an opened
 * series' first image, drawn from its own pixels (original values: always diagnostic quality), has reached the
 * screen (the animation frame after the one that drew it: the browser has then committed that frame),
 * `performance.mark('mi-viewer:series-loaded')` when every frame of a series has been fetched and decoded (both
 * with `detail: { seriesUID }`), and the WebGL canvas' `data-frames-drawn` counts the frames it drew.
 */

import { FrameLoader } from './loader.js';
import { WorkerPool, fetchBatchOnMainThread, fetchOnMainThread } from './worker-client.js';
import { framesURL } from './frame-fetch.js';
import { Renderer } from './render.js';
import { Preview, previewStep } from './preview.js';
import { Overlay, cornerItems } from './overlay.js';
import { attachInput } from './input.js';
import { TOOL_NAMES, createTool, drawMeasurements, measurementText, labelPosition, normalizeMeasurement } from './tools.js';
import { rescaleOf, modalityUnit, modalityValue, modalityValues } from './math/modality.js';
import { windowsOf, autoWindow } from './math/voi.js';
import { paletteName } from './math/palette.js';
import { pixelSpacingOf } from './math/measurements.js';
import { presetsFor } from './math/presets.js';
import * as V from './math/view.js';
import { apply } from './math/geometry.js';
import { seriesStack } from './stack.js';
import { viewOrientationMarkers } from './math/orientation.js';

/**
 * One item of `GET /api/v1/series/{uid}/instances`.
 * @typedef {object} InstanceMeta
 * @property {string} sopInstanceUID
 * @property {number} [instanceNumber]
 * @property {number} [numberOfFrames]
 * @property {number} rows
 * @property {number} columns
 * @property {number} [bitsAllocated]
 * @property {number} [bitsStored]
 * @property {number} [pixelRepresentation]
 * @property {number} [samplesPerPixel]
 * @property {string} [photometricInterpretation]
 * @property {number | null} [rescaleSlope]
 * @property {number | null} [rescaleIntercept]
 * @property {string | null} [rescaleType]
 * @property {Array<{ center: number, width: number, explanation?: string | null, function?: string | null }> | null} [windows]
 * @property {number[] | null} [pixelSpacing]
 * @property {number[] | null} [imagerPixelSpacing]
 * @property {number | null} [sliceThickness]
 * @property {number | null} [sliceLocation]
 * @property {number[] | null} [imagePositionPatient]
 * @property {number[] | null} [imageOrientationPatient]
 * @property {string} [modality]
 * @property {boolean} [lossy]
 * @property {string} [transferSyntaxUID]
 * @property {number | null} [kvp]
 * @property {number | null} [exposureMAs]
 * @property {number | null} [repetitionTime] ms
 * @property {number | null} [echoTime] ms
 * @property {Array<FrameMeta> | null} [frames] an enhanced multi-frame image's per-frame values (see stack.js)
 */

/**
 * What an enhanced multi-frame image's functional groups give one frame; replaces the instance-level values.
 * @typedef {object} FrameMeta
 * @property {number} rescaleSlope
 * @property {number} rescaleIntercept
 * @property {string} [rescaleType]
 * @property {Array<{ center: number, width: number, explanation?: string | null }>} windows
 * @property {number[] | null} [pixelSpacing]
 * @property {number | null} [sliceThickness]
 * @property {number[] | null} [imagePositionPatient]
 * @property {number[] | null} [imageOrientationPatient]
 * @property {number | null} [kvp]
 * @property {number | null} [exposureMAs]
 * @property {number | null} [repetitionTime]
 * @property {number | null} [echoTime]
 */

/**
 * @typedef {object} SeriesInput
 * @property {import('./overlay.js').StudyInfo} study
 * @property {import('./overlay.js').SeriesInfo} series
 * @property {InstanceMeta[]} instances
 */

/**
 * The whole viewer state: plain JSON.
 * @typedef {object} ViewerState
 * @property {1} version
 * @property {string | null} seriesUID
 * @property {number} frame position in the stack, from 0
 * @property {string | null} sopInstanceUID the instance shown (wins over `frame` when both are given and known)
 * @property {number} frameNumber the frame of that instance, from 1
 * @property {import('./math/voi.js').Window | null} window null: each image's own default
 * @property {number} zoom multiple of the fit scale
 * @property {[number, number] | null} center image point at the viewport centre (pan); null: centred
 * @property {0 | 90 | 180 | 270} rotation clockwise, on screen
 * @property {boolean} flipH
 * @property {boolean} flipV
 * @property {boolean} invert
 * @property {string} palette
 * @property {number} sharpen 0…3
 * @property {'linear' | 'nearest'} interpolation
 * @property {import('./tools.js').Measurement[]} measurements
 */

/**
 * @typedef {object} ViewerOptions
 * @property {(ref: import('./loader.js').FrameRef, signal: AbortSignal) => Promise<import('./frame-format.js').DecodedFrame>} [fetchFrame]
 *   how frames are fetched; default: the decode workers with `getAuthorization`
 * @property {() => string | null | undefined} [getAuthorization] the Authorization header value, asked per request
 * @property {import('./loader.js').FetchFramesFn} [fetchFrames]
 *   how batches of frames are fetched (`framesURL(refs)`), handing each frame to `onFrame` as it arrives where it
 *   can; default: the decode workers, unless `fetchFrame` or `frameURL` is given (then frames come one by one)
 * @property {number} [batchSize] most frames per batch (default 8)
 * @property {(sopInstanceUID: string, frameNumber: number) => string} [frameURL] default `/api/v1/instances/{uid}/frames/{n}`
 * @property {(seriesUID: string) => Promise<SeriesInput>} [resolveSeries] for `setState` with another series
 * @property {number} [concurrency]
 * @property {number} [memoryBudget] bytes
 * @property {number} [workers]
 * @property {(key: string, fallback: string, params?: Record<string, number | string>) => string} [translate]
 *   the app's i18n: `overlay.window` (params width, center), `overlay.zoom` (percent), `overlay.instance` (index,
 *   count), `overlay.series` (number), `overlay.sliceThickness` (mm), `overlay.sliceLocation` (location),
 *   `overlay.kvp` and `overlay.mAs` (value), `overlay.tr` and `overlay.te` (ms), `overlay.lossy`, `viewer.loading`, `viewer.loadFailed`, `viewer.unsupported`; return `fallback` for keys it does not know
 */

/** @typedef {import('./stack.js').StackItem} StackItem */

const MAX_SHARPEN = 3;
/** Longest wait for a series' first image before the rest of the series is fetched anyway. */
const BACKGROUND_HOLD_MS = 2000;
/**
 * Drags that redraw the whole image on every move. While one runs, the canvas is drawn with at most one device pixel
 * per image pixel shown (but at least this fraction of the full resolution), and at full resolution again when it
 * ends: software WebGL (SwiftShader, common on office PCs without a usable GPU) spends its time per device pixel,
 * and an image magnified to fit a desktop canvas has fewer pixels than the canvas.
 */
const INTERACTIVE_TOOLS = ['wwwl', 'pan', 'zoom'];
const INTERACTIVE_MIN_SCALE = 0.5;
/** What the renderer can show; the server converts YBR_FULL and YBR_FULL_422 to RGB. */
const SUPPORTED_PHOTOMETRIC = ['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'YBR_FULL_422'];

/** @returns {ViewerState} */
function initialState() {
  return {
    version: 1, seriesUID: null, frame: 0, sopInstanceUID: null, frameNumber: 1, window: null,
    ...V.defaultView(), invert: false, palette: 'gray', sharpen: 0, interpolation: 'linear', measurements: [],
  };
}

export class Viewer extends EventTarget {
  /**
   * @param {HTMLElement} container
   * @param {ViewerOptions} [options]
   */
  constructor(container, options = {}) {
    super();
    this.container = container;
    this.options = options;
    const doc = container.ownerDocument;
    if (getComputedStyle(container).position === 'static') container.style.setProperty('position', 'relative');
    container.style.setProperty('overflow', 'hidden');
    container.style.setProperty('background', '#000');
    container.style.setProperty('outline', 'none');
    this.canvas = doc.createElement('canvas');
    this.canvas.dataset.testid = 'viewer-canvas';
    this.canvas.setAttribute('role', 'img');
    for (const [k, v] of Object.entries({ position: 'absolute', left: '0', top: '0', width: '100%', height: '100%', display: 'block' })) this.canvas.style.setProperty(k, v);
    // Hidden until it holds an image (`Preview`): an empty WebGL canvas is not composited.
    this.canvas.style.setProperty('visibility', 'hidden');
    container.appendChild(this.canvas);
    this.renderer = new Renderer(this.canvas, { onRestored: () => this.#invalidate() });
    /** The first image, on a 2D canvas while the WebGL canvas draws its first frame (`preview.js`). */
    this.preview = new Preview(container, this.canvas);
    this.overlay = new Overlay(container, { translate: options.translate });

    /** @type {WorkerPool | null} */
    this.pool = null;
    const fetchFrame = options.fetchFrame ?? this.#defaultFetch(options.workers);
    const fetchFrames = options.fetchFrames ?? (options.fetchFrame || options.frameURL ? undefined : this.#defaultFetchBatch());
    this.loader = new FrameLoader({
      fetchFrame, fetchFrames, batchSize: options.batchSize, concurrency: options.concurrency ?? 4,
      memoryBudget: options.memoryBudget ?? (matchMedia('(pointer: coarse)').matches ? 256 : 768) * 1024 * 1024,
      onFrame: (uid, index) => { if (uid === this.state.seriesUID && index === this.state.frame) this.#invalidate(); },
      onProgress: (seriesUID, p) => {
        if (p.total > 0 && p.loaded >= p.total && !this.loadedMarked.has(seriesUID)) {
          this.loadedMarked.add(seriesUID);
          performance.mark('mi-viewer:series-loaded', { detail: { seriesUID } });
        }
        this.dispatchEvent(new CustomEvent('progress', { detail: { seriesUID, ...p } }));
      },
      onError: (uid, index, error) => {
        if (uid !== this.state.seriesUID) return;
        if (index === this.state.frame) {
          this.loader.holdBackground(false);
          this.#invalidate();
        }
        this.dispatchEvent(new CustomEvent('frameerror', { detail: { index, error } }));
      },
    });

    /** @type {ReturnType<typeof setTimeout> | undefined} ends `loader.holdBackground` if no first image comes */
    this.releaseTimer = undefined;
    this.state = initialState();
    /** @type {Set<string>} series whose `mi-viewer:series-loaded` mark is set */
    this.loadedMarked = new Set();
    /** whether the open series' `mi-viewer:first-image` mark is set */
    this.firstImageMarked = false;
    /** whether the WebGL canvas has shown an image (until then it is hidden, and the first image is a `Preview`) */
    this.glShown = false;
    this.framesDrawn = 0;
    /** @type {string | null} why the renderer refused the frame (`setFrame`) or the drawing (`draw`), for the status */
    this.renderError = null;
    /** @type {SeriesInput | null} */
    this.input = null;
    /** @type {StackItem[]} */
    this.stack = [];
    /** @type {string | null} key of the frame on the GPU */
    this.shownKey = null;
    /** @type {Map<string, import('./math/voi.js').Window>} auto windows of frames without one */
    this.autoWindows = new Map();
    /** @type {import('./tools.js').ToolName} */
    this.toolName = 'wwwl';
    /** @type {string | null} */
    this.selectedId = null;
    this.viewport = { width: 1, height: 1 };
    this.dpr = 1;
    /** whether a drag in `INTERACTIVE_TOOLS` runs (the canvas is drawn at reduced resolution) */
    this.interactive = false;
    this.frameRequested = false;
    this.stateDirty = false;
    this.wheelAccumulator = 0;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.cineTimer = null;
    this.cineFps = 0;

    const host = this.#toolHost();
    this.host = host;
    this.tool = createTool(this.toolName, host);
    /** @type {import('./tools.js').ToolHandler | null} the handler of the drag in progress */
    this.activeDrag = null;
    this.detachInput = attachInput(container, {
      dragStart: (e) => {
        // Middle button pans, right button zooms, whatever the tool.
        this.activeDrag = e.button === 1 ? createTool('pan', host) : e.button === 2 ? createTool('zoom', host) : this.tool;
        this.#setInteractive(e.button === 1 || e.button === 2 || INTERACTIVE_TOOLS.includes(this.toolName));
        this.activeDrag.start([e.x, e.y]);
      },
      dragMove: (e) => this.activeDrag?.move([e.x, e.y]),
      dragEnd: (e) => { this.activeDrag?.end([e.x, e.y]); this.activeDrag = null; this.#setInteractive(false); },
      dragCancel: () => { this.activeDrag?.cancel(); this.activeDrag = null; this.#setInteractive(false); },
      pinch: (e) => {
        this.#setView(V.panBy(V.zoomAt(this.#view(), e.scale, [e.x, e.y], this.#imageSize(), this.viewport), e.dx, e.dy, this.#imageSize(), this.viewport));
      },
      wheel: (e) => this.#wheel(e),
      doubleTap: () => { if (!['probe', 'length', 'angle', 'ellipse', 'rectangle'].includes(this.toolName)) this.#setView({ ...this.#view(), zoom: 1, center: null }); },
      key: (e) => this.#key(e),
    });

    this.resizeObserver = new ResizeObserver(() => this.#resize());
    this.resizeObserver.observe(container);
    this.#resize();
  }

  // ------------------------------------------------------------------ opening

  /**
   * Shows a series: its instances in Instance Number order, multi-frame instances expanded, from the first frame
   * (or the state's frame when it names this series).
   * @param {SeriesInput} input
   * @param {{ frame?: number }} [options]
   */
  async openSeries(input, options = {}) {
    const stack = seriesStack(input.instances);
    const frameURL = this.options.frameURL ?? ((uid, n) => `/api/v1/instances/${encodeURIComponent(uid)}/frames/${n}`);
    const uid = input.series.seriesInstanceUID;
    if (this.state.seriesUID && this.state.seriesUID !== uid) this.loader.removeSeries(this.state.seriesUID);
    this.input = input;
    this.stack = stack;
    this.shownKey = null;
    this.firstImageMarked = false;
    this.autoWindows.clear();
    this.renderer.frame = null;
    const first = stack[0]?.instance;
    const firstColor = first ? first.samplesPerPixel === 3 || first.photometricInterpretation === 'RGB' : false;
    // The first frame's program is built while that frame is on the network (Renderer.warmUp). Not for the viewer's
    // first image when it is a preview: compiling waits for the GPU process, and the preview does not need WebGL;
    // the program is then built when WebGL draws, after the preview is on screen.
    if (first && (this.glShown || firstColor)) {
      this.renderer.warmUp(firstColor ? 'color' : first.pixelRepresentation === 1 ? 'int' : 'uint', { linear: this.state.interpolation === 'linear' });
    }
    // The rest of the series waits until its first image is on screen (or did not come in time).
    this.loader.holdBackground(true);
    clearTimeout(this.releaseTimer);
    this.releaseTimer = setTimeout(() => this.loader.holdBackground(false), BACKGROUND_HOLD_MS);
    this.loader.addSeries(uid, stack.map((s) => ({
      key: s.key, url: frameURL(s.instance.sopInstanceUID, s.frameNumber), seriesUID: uid, frame: `${s.instance.sopInstanceUID}/${s.frameNumber}`,
      bytes: s.instance.rows * s.instance.columns * (s.instance.samplesPerPixel ?? 1) * ((s.instance.bitsAllocated ?? 16) > 8 ? 2 : 1),
    })));
    const same = this.state.seriesUID === uid;
    // Measurements belong to their image (SOP Instance UID and frame): they stay when another series is shown, so
    // that a reader who compares series finds them again on return.
    this.state = { ...this.state, seriesUID: uid };
    this.#goTo(Math.min(Math.max(options.frame ?? (same ? this.state.frame : 0), 0), Math.max(stack.length - 1, 0)));
    if (!same) this.state = { ...this.state, ...V.defaultView(), window: null };
    this.#changed();
  }

  // ------------------------------------------------------------------ state

  /** @returns {ViewerState} a copy, safe to serialise and to keep */
  getState() {
    return JSON.parse(JSON.stringify(this.state));
  }

  /**
   * Applies a state (whole or partial; fields that are missing stay as they are). Values are checked: a state
   * that arrives over the network cannot put the viewer in an invalid state. Opens another series through
   * `resolveSeries` when the state names one.
   * @param {Partial<ViewerState>} s
   */
  async setState(s) {
    if (!s || typeof s !== 'object') return;
    if (typeof s.seriesUID === 'string' && s.seriesUID !== this.state.seriesUID) {
      if (!this.options.resolveSeries) throw new Error(`series ${s.seriesUID} is not open and no resolveSeries was given`);
      await this.openSeries(await this.options.resolveSeries(s.seriesUID));
    }
    const next = { ...this.state };
    if ('window' in s) {
      const w = s.window;
      if (w === null) next.window = null;
      else if (w && typeof w === 'object' && Number.isFinite(w.center) && Number.isFinite(w.width) && w.width > 0) {
        next.window = { center: w.center, width: w.width };
        if (w.function === 'LINEAR_EXACT' || w.function === 'SIGMOID') next.window.function = w.function;
        if (typeof w.explanation === 'string' && w.explanation) next.window.explanation = w.explanation;
      }
    }
    Object.assign(next, V.mergeView(this.#view(), s));
    if (typeof s.invert === 'boolean') next.invert = s.invert;
    if (typeof s.palette === 'string') next.palette = paletteName(s.palette) ?? next.palette;
    if (typeof s.sharpen === 'number' && Number.isFinite(s.sharpen)) next.sharpen = Math.min(Math.max(s.sharpen, 0), MAX_SHARPEN);
    if (s.interpolation === 'linear' || s.interpolation === 'nearest') next.interpolation = s.interpolation;
    if (Array.isArray(s.measurements)) {
      /** @type {import('./tools.js').Measurement[]} */
      const list = [];
      for (const m of s.measurements.slice(0, 500)) { const n = normalizeMeasurement(m); if (n) list.push(n); }
      next.measurements = list;
    }
    this.state = next;
    let index = typeof s.frame === 'number' && Number.isInteger(s.frame) ? s.frame : this.state.frame;
    if (typeof s.sopInstanceUID === 'string') {
      const n = typeof s.frameNumber === 'number' ? s.frameNumber : 1;
      const found = this.stack.findIndex((x) => x.instance.sopInstanceUID === s.sopInstanceUID && x.frameNumber === n);
      if (found >= 0) index = found;
    }
    this.#goTo(index);
    this.#changed();
  }

  // ------------------------------------------------------------------ actions

  /** @param {import('./tools.js').ToolName} name */
  setTool(name) {
    if (!TOOL_NAMES.includes(name)) throw new RangeError(`unknown tool ${name}`);
    this.tool.cancel();
    this.toolName = name;
    this.tool = createTool(name, this.host);
  }

  flipH() { this.#setView({ ...this.#view(), flipH: !this.state.flipH }); }
  flipV() { this.#setView({ ...this.#view(), flipV: !this.state.flipV }); }
  /**
   * Quarter turn clockwise on screen (−1: counter-clockwise).
   * @param {1 | -1} [direction]
   */
  rotate(direction = 1) { this.#setView(V.rotateView(this.#view(), direction)); }
  invert() { this.state = { ...this.state, invert: !this.state.invert }; this.#changed(); }

  /** @param {string} name one of `PALETTE_NAMES` */
  setPalette(name) {
    const canonical = paletteName(name);
    if (!canonical) throw new RangeError(`unknown palette ${name}`);
    this.state = { ...this.state, palette: canonical };
    this.#changed();
  }

  /**
   * Unsharp-mask strength, 0 (off) to 3.
   * @param {number} strength
   */
  setSharpen(strength) {
    this.state = { ...this.state, sharpen: Math.min(Math.max(Number(strength) || 0, 0), MAX_SHARPEN) };
    this.#changed();
  }

  /** @param {'linear' | 'nearest'} mode */
  setInterpolation(mode) {
    /** @type {ViewerState['interpolation']} */
    const interpolation = mode === 'nearest' ? 'nearest' : 'linear';
    this.state = { ...this.state, interpolation };
    this.#changed();
  }

  /** @param {number} center @param {number} width */
  setWindow(center, width) {
    if (!Number.isFinite(center) || !Number.isFinite(width)) return;
    this.state = { ...this.state, window: { center, width: Math.max(width, 1) } };
    this.#changed();
  }

  /** The whole image in the canvas, centred (zoom 1); rotation, flips and window stay. */
  fit() { this.#setView({ ...this.#view(), zoom: 1, center: null }); }

  /** One image pixel per CSS pixel ("1:1"), about the point at the centre of the view. */
  actualSize() {
    const s = V.fitScale(this.#imageSize(), this.viewport, this.state.rotation);
    if (s > 0 && Number.isFinite(s)) this.#setView({ ...this.#view(), zoom: 1 / s });
  }

  /**
   * The display as the series first opened: fit, centred, no rotation or flip, the image's own window, no
   * invert, grey, no sharpening. Measurements stay.
   */
  reset() {
    this.state = { ...this.state, ...V.defaultView(), window: null, invert: false, palette: 'gray', sharpen: 0 };
    this.#changed();
  }

  /**
   * Plays the stack at `fps` frames per second, looping; 0 stops. A frame not yet loaded holds the cine until it
   * arrives, so playback never shows a stale image under a new number.
   * @param {number} fps
   */
  cine(fps) {
    if (this.cineTimer !== null) clearInterval(this.cineTimer);
    this.cineTimer = null;
    this.cineFps = Math.min(Math.max(Number(fps) || 0, 0), 60);
    if (this.cineFps === 0) return;
    this.cineTimer = setInterval(() => {
      if (this.stack.length < 2 || !this.state.seriesUID) return;
      const next = (this.state.frame + 1) % this.stack.length;
      if (this.loader.get(this.state.seriesUID, next)) this.#goTo(next), this.#changed();
    }, 1000 / this.cineFps);
  }

  /**
   * A window preset by name (see `presets()`): `default`, `dicom-N`, `auto`, or a modality preset such as `lung`.
   * @param {string} name
   */
  applyPreset(name) {
    const preset = this.presets().find((p) => p.name === name);
    if (!preset) throw new RangeError(`unknown preset ${name}`);
    if (name === 'default') { this.state = { ...this.state, window: null }; this.#changed(); return; }
    const w = preset.window ?? this.#autoWindow();
    if (w) { this.state = { ...this.state, window: { ...w } }; this.#changed(); }
  }

  /** The presets the current image offers. */
  presets() {
    const item = this.#current();
    return presetsFor(item?.instance.modality ?? this.input?.series.modality, item ? windowsOf(item.instance) : []);
  }

  /** @param {number} index position in the stack */
  setFrame(index) { this.#goTo(index); this.#changed(); }
  /** @param {number} delta slices */
  scrollBy(delta) { this.setFrame(this.state.frame + delta); }

  /** @param {string} id */
  removeMeasurement(id) {
    this.state = { ...this.state, measurements: this.state.measurements.filter((m) => m.id !== id) };
    if (this.selectedId === id) this.selectedId = null;
    this.#changed();
  }

  clearMeasurements() { this.state = { ...this.state, measurements: [] }; this.selectedId = null; this.#changed(); }

  /** The window in effect (the state's, else the image's own, else the auto window), or null before a frame. */
  effectiveWindow() {
    return this.state.window ?? this.#defaultWindow();
  }

  /**
   * Screen (CSS px of the viewer) → image pixel coordinates, and back.
   * @param {[number, number]} q
   */
  screenToImage(q) { return V.screenToImage(this.#view(), this.#imageSize(), this.viewport, q); }
  /** @param {[number, number]} p */
  imageToScreen(p) { return V.imageToScreen(this.#view(), this.#imageSize(), this.viewport, p); }

  /** Draws now instead of at the next animation frame (tests, screenshots). */
  renderNow() {
    this.frameRequested = false;
    this.#render();
  }

  /** The canvas pixels, RGBA top row first. */
  readPixels() {
    this.renderNow();
    return this.renderer.readPixels();
  }

  /** Stops everything and removes the viewer's elements. */
  destroy() {
    this.cine(0);
    clearTimeout(this.releaseTimer);
    this.detachInput();
    this.resizeObserver.disconnect();
    this.loader.dispose();
    this.pool?.terminate();
    this.renderer.dispose();
    this.overlay.dispose();
    this.preview.remove();
    this.canvas.remove();
  }

  // ------------------------------------------------------------------ internals

  #authorization() {
    const a = this.options.getAuthorization?.();
    /** @type {Record<string, string>} */
    const h = {};
    if (a) h.Authorization = a;
    return h;
  }

  /** Batches through the decode workers of `#defaultFetch` (which runs first), or on the main thread. */
  #defaultFetchBatch() {
    const pool = this.pool;
    /** @type {import('./loader.js').FetchFramesFn} */
    return (refs, signal, onFrame) => (pool
      ? pool.fetchBatch(framesURL(refs), { headers: this.#authorization(), signal, onFrame })
      : fetchBatchOnMainThread(framesURL(refs), { headers: this.#authorization(), signal }));
  }

  /** @param {number | undefined} workers */
  #defaultFetch(workers) {
    const auth = () => this.#authorization();
    try {
      this.pool = new WorkerPool({ workers: workers ?? 2 });
      const pool = this.pool;
      return (/** @type {import('./loader.js').FrameRef} */ ref, /** @type {AbortSignal} */ signal) => pool.fetch(ref.url, { headers: auth(), signal });
    } catch {
      return (/** @type {import('./loader.js').FrameRef} */ ref, /** @type {AbortSignal} */ signal) => fetchOnMainThread(ref.url, { headers: auth(), signal });
    }
  }

  /** @returns {V.View} */
  #view() {
    const s = this.state;
    return { zoom: s.zoom, center: s.center, rotation: s.rotation, flipH: s.flipH, flipV: s.flipV };
  }

  /** @param {V.View} v */
  #setView(v) {
    this.state = { ...this.state, ...V.normalizeView(v) };
    this.#changed();
  }

  #current() { return this.stack[this.state.frame] ?? null; }

  #imageSize() {
    const item = this.#current();
    return item ? { width: item.instance.columns, height: item.instance.rows } : { width: 1, height: 1 };
  }

  /** @param {number} index */
  #goTo(index) {
    if (this.stack.length === 0 || !this.state.seriesUID) return;
    const i = Math.min(Math.max(Math.round(index), 0), this.stack.length - 1);
    const item = this.stack[i], uid = this.state.seriesUID;
    this.state = { ...this.state, frame: i, sopInstanceUID: item.instance.sopInstanceUID, frameNumber: item.frameNumber };
    this.loader.setFocus(uid, i);
    if (!this.loader.get(uid, i)) this.loader.request(uid, i).catch(() => undefined);
  }

  #changed() {
    this.stateDirty = true;
    this.#invalidate();
  }

  #invalidate() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => { if (this.frameRequested) { this.frameRequested = false; this.#render({ preview: true }); } });
  }

  #resize() {
    const r = this.container.getBoundingClientRect();
    this.viewport = { width: Math.max(1, r.width), height: Math.max(1, r.height) };
    this.dpr = window.devicePixelRatio || 1;
    this.#applyResolution();
  }

  /** @param {boolean} on */
  #setInteractive(on) {
    if (on === this.interactive) return;
    this.interactive = on;
    this.#applyResolution();
  }

  /** The canvas' backing store: device pixels, or fewer while an interactive drag runs (`INTERACTIVE_TOOLS`). */
  #applyResolution() {
    let ratio = this.dpr;
    if (this.interactive && this.#current()) {
      const devicePerImagePixel = V.fitScale(this.#imageSize(), this.viewport, this.state.rotation) * this.state.zoom * this.dpr;
      if (devicePerImagePixel > 0 && Number.isFinite(devicePerImagePixel)) ratio *= Math.min(1, Math.max(INTERACTIVE_MIN_SCALE, 1 / devicePerImagePixel));
    }
    this.renderer.resize(this.viewport.width, this.viewport.height, ratio);
    this.#invalidate();
  }

  /** The image's own window: its first data window, else the auto window of the frame. */
  #defaultWindow() {
    const item = this.#current();
    if (!item) return null;
    return windowsOf(item.instance)[0] ?? this.#autoWindow();
  }

  #autoWindow() {
    const item = this.#current();
    if (!item || !this.state.seriesUID) return null;
    const cached = this.autoWindows.get(item.key);
    if (cached) return cached;
    const frame = this.loader.get(this.state.seriesUID, this.state.frame);
    if (!frame || frame.samplesPerPixel !== 1) return null;
    const w = autoWindow(modalityValues(frame.data, rescaleOf(item.instance)));
    this.autoWindows.set(item.key, w);
    return w;
  }

  /** @returns {import('./tools.js').MeasureContext | null} */
  #measureContext() {
    const item = this.#current();
    const frame = item && this.state.seriesUID ? this.loader.get(this.state.seriesUID, this.state.frame) : null;
    if (!item || !frame) return null;
    const rescale = rescaleOf(item.instance), s = frame.samplesPerPixel, w = frame.columns, data = frame.data;
    return {
      width: w, height: frame.rows, samplesPerPixel: s,
      valueAt: (x, y) => modalityValue(data[(y * w + x) * s], rescale),
      samplesAt: (x, y) => Array.from(data.subarray((y * w + x) * s, (y * w + x + 1) * s)),
      unit: modalityUnit({ modality: item.instance.modality ?? this.input?.series.modality, rescaleType: item.instance.rescaleType }),
      spacing: pixelSpacingOf(item.instance),
      words: { mean: this.#t('measure.mean', 'mean'), sd: this.#t('measure.sd', 'SD'), area: this.#t('measure.area', 'area') },
      translateCaveat: (caveat) => this.#t('measure.detectorCaveat', caveat),
    };
  }

  /** @returns {import('./tools.js').Measurement[]} */
  #visibleMeasurements() {
    const item = this.#current();
    if (!item) return [];
    return this.state.measurements.filter((m) => m.sopInstanceUID === item.instance.sopInstanceUID && m.frame === item.frameNumber);
  }

  /** @returns {import('./tools.js').ToolHost} */
  #toolHost() {
    return {
      screenToImage: (q) => this.screenToImage(q),
      imageToScreen: (p) => this.imageToScreen(p),
      getWindow: () => this.effectiveWindow(),
      setWindow: (w) => { this.state = { ...this.state, window: { center: w.center, width: Math.max(1, w.width), ...(w.function && w.function !== 'LINEAR' ? { function: w.function } : {}) } }; this.#changed(); },
      windowStep: (width) => {
        // Fine in narrow windows, never stuck in wide ones: a 256th of the width, at least a 4096th of the range
        // the stored values can span.
        const item = this.#current();
        const bits = item?.instance.bitsStored ?? 12;
        const range = 2 ** bits * Math.abs(item ? rescaleOf(item.instance).slope : 1);
        return Math.max(width / 256, range / 4096, 1e-6);
      },
      panBy: (dx, dy) => this.#setView(V.panBy(this.#view(), dx, dy, this.#imageSize(), this.viewport)),
      zoomAt: (factor, q) => this.#setView(V.zoomAt(this.#view(), factor, q, this.#imageSize(), this.viewport)),
      scrollBy: (n) => this.scrollBy(n),
      currentImage: () => { const i = this.#current(); return i ? { sopInstanceUID: i.instance.sopInstanceUID, frame: i.frameNumber } : null; },
      visibleMeasurements: () => this.#visibleMeasurements(),
      putMeasurement: (m) => {
        const list = this.state.measurements;
        const i = list.findIndex((x) => x.id === m.id);
        this.state = { ...this.state, measurements: i >= 0 ? [...list.slice(0, i), m, ...list.slice(i + 1)] : [...list, m] };
        this.#changed();
      },
      removeMeasurement: (id) => this.removeMeasurement(id),
      select: (id) => { this.selectedId = id; this.#invalidate(); },
    };
  }

  /** @param {{ deltaX: number, deltaY: number, x: number, y: number, pinch: boolean }} e */
  #wheel(e) {
    if (e.pinch) {
      this.#setView(V.zoomAt(this.#view(), Math.exp(-e.deltaY / 100), [e.x, e.y], this.#imageSize(), this.viewport));
      return;
    }
    // A mouse notch (about 100 px in Chrome, 120 in Windows browsers) is one slice; trackpad deltas accumulate.
    if (Math.abs(e.deltaY) >= 50) { this.wheelAccumulator = 0; this.scrollBy(Math.sign(e.deltaY)); return; }
    this.wheelAccumulator += e.deltaY;
    const slices = Math.trunc(this.wheelAccumulator / 30);
    if (slices !== 0) { this.wheelAccumulator -= slices * 30; this.scrollBy(slices); }
  }

  /** @param {KeyboardEvent} e */
  #key(e) {
    /** @type {Record<string, () => void>} */
    const actions = {
      ArrowUp: () => this.scrollBy(-1), ArrowDown: () => this.scrollBy(1), PageUp: () => this.scrollBy(-10), PageDown: () => this.scrollBy(10),
      Home: () => this.setFrame(0), End: () => this.setFrame(this.stack.length - 1),
      Escape: () => { this.tool.cancel(); this.selectedId = null; this.#invalidate(); },
      Delete: () => { if (this.selectedId) this.removeMeasurement(this.selectedId); },
      Backspace: () => { if (this.selectedId) this.removeMeasurement(this.selectedId); },
    };
    const action = actions[e.key];
    if (action) { e.preventDefault(); action(); }
  }

  /**
   * `renderer.draw`, whose first call makes the WebGL context and uploads a frame given before it: what that refuses
   * (no WebGL2, a frame larger than the GPU takes) goes to the status line (`renderError`), and a preview on screen
   * stays.
   * @param {import('./render.js').RenderParams} params
   * @returns {boolean} whether it drew
   */
  #draw(params) {
    try {
      this.renderer.draw(params);
      return true;
    } catch (e) {
      this.renderError = e instanceof Error ? e.message : String(e);
      return false;
    }
  }

  /**
   * Draws the current state: the image (WebGL, or the first image's `Preview` when `options.preview` allows it and
   * the WebGL canvas has not shown an image yet), then the overlay.
   * @param {{ preview?: boolean }} [options]
   */
  #render(options = {}) {
    const item = this.#current();
    const uid = this.state.seriesUID;
    // PALETTE COLOR needs its lookup tables, which the metadata does not carry (yet): showing the indices as grey
    // would look like an image and mean nothing.
    const supported = !item || SUPPORTED_PHOTOMETRIC.includes(item.instance.photometricInterpretation ?? 'MONOCHROME2');
    const frame = item && uid && supported ? this.loader.get(uid, this.state.frame) : null;
    // While a slice loads the previous one stays (no flicker when scrolling, the status says "Loading…"); a slice
    // that cannot be shown must not leave another one under its number.
    if ((!supported || (!frame && this.#entryFailed())) && this.shownKey !== null) { this.renderer.frame = null; this.shownKey = null; }
    if (frame && item && this.shownKey !== item.key) {
      try {
        this.renderer.setFrame(frame, { bitsStored: item.instance.bitsStored });
        this.shownKey = item.key;
        this.renderError = null;
      } catch (e) {
        this.renderError = e instanceof Error ? e.message : String(e);
      }
    }
    const imageSize = this.#imageSize();
    const view = this.#view();
    const window = this.effectiveWindow() ?? { center: 0, width: 1 };
    const color = item?.instance.samplesPerPixel === 3 || item?.instance.photometricInterpretation === 'RGB';
    const monochrome1 = item?.instance.photometricInterpretation === 'MONOCHROME1';
    const showing = this.shownKey !== null && this.renderer.frame !== null;
    // The GPU may still hold the previous slice while this one loads: draw it with its own size.
    const drawnSize = showing && this.renderer.frame ? { width: this.renderer.frame.columns, height: this.renderer.frame.rows } : imageSize;
    const toScreen = V.imageToScreenMatrix(view, imageSize, this.viewport);
    const current = frame && item && this.shownKey === item.key;
    /** @type {import('./render.js').RenderParams} */
    const params = {
      screenToImage: V.screenToImageMatrix(view, drawnSize, this.viewport),
      rescale: item ? rescaleOf(item.instance) : { slope: 1, intercept: 0 },
      window, invert: color ? this.state.invert : monochrome1 !== this.state.invert, palette: color ? 'gray' : this.state.palette,
      // During an interactive drag the backing store is at about the image's resolution (`#applyResolution`), so
      // nearest sampling looks the same and costs a quarter of the texel reads; the drag's end draws it exactly.
      sharpen: this.state.sharpen, interpolation: this.interactive ? 'nearest' : this.state.interpolation,
    };
    const previewing = Boolean(options.preview && current && frame && !this.glShown && !this.preview.shown && !color && Preview.supports(frame, params));
    if (previewing && frame) {
      // The first image: on screen in the next animation frame, with the WebGL canvas drawn in that frame.
      this.preview.show(frame, params, toScreen, { step: previewStep(toScreen, this.dpr) });
    } else if (this.#draw(params)) {
      this.canvas.dataset.framesDrawn = String(++this.framesDrawn);
      if (showing && !this.glShown) {
        // The WebGL canvas and the preview swap in one compositor frame: no blank frame between them.
        this.glShown = true;
        this.canvas.style.removeProperty('visibility');
      }
      this.preview.remove();
    }

    // Overlay: measurements of this image, labels, corners, markers, status.
    /** @param {[number, number]} p */
    const project = (p) => apply(toScreen, p);
    if (current && !this.firstImageMarked) {
      this.firstImageMarked = true;
      // Drawn is not yet shown: the frame must still be committed (on a software renderer the first commit of a
      // WebGL canvas waits for its pipeline to be built). The next animation frame comes after that commit.
      requestAnimationFrame(() => {
        performance.mark('mi-viewer:first-image', { detail: { seriesUID: uid } });
        clearTimeout(this.releaseTimer);
        this.loader.holdBackground(false);
        this.dispatchEvent(new CustomEvent('firstimage', { detail: { seriesUID: uid } }));
      });
    }
    const visible = current ? this.#visibleMeasurements() : [];
    // A blank overlay stays untouched: clearing it every frame makes the compositor upload a canvas-sized texture per
    // frame, which a software renderer (SwiftShader) pays for on every window/level drag step.
    if (visible.length > 0 || !this.overlay.blank) {
      drawMeasurements(this.overlay.context2d(this.viewport.width, this.viewport.height, this.dpr), visible, project, this.selectedId);
      this.overlay.blank = visible.length === 0;
    }
    const mctx = current ? this.#measureContext() : null;
    this.overlay.setLabels(mctx ? visible.map((m) => {
      const { lines, caveat } = measurementText(m, mctx);
      const [x, y] = labelPosition(m, project, this.viewport, { width: 90, height: 16 * Math.max(lines.length, 1) });
      return { id: m.id, lines, x, y, selected: m.id === this.selectedId, caveat };
    }).filter((l) => l.lines.length > 0) : []);
    const scale = item ? V.fitScale(imageSize, this.viewport, view.rotation) * view.zoom : null;
    this.overlay.setCorners(cornerItems({
      study: this.input?.study ?? {}, series: this.input?.series ?? { seriesInstanceUID: '' }, instance: item?.instance ?? null,
      index: this.state.frame, count: this.stack.length, window: item && !color ? this.effectiveWindow() : null, scale,
    }));
    this.overlay.setMarkers(item ? viewOrientationMarkers(item.instance.imageOrientationPatient, view) : null);
    const failed = item && uid ? this.loader.progress(uid).failed > 0 && !frame && this.#entryFailed() : false;
    this.overlay.setStatus(!item ? ''
      : !supported ? this.#t('viewer.unsupported', `${item.instance.photometricInterpretation} images cannot be shown yet`)
        : failed ? this.#t('viewer.loadFailed', 'Image could not be loaded')
          : this.renderError ? this.renderError
            : current ? '' : this.#t('viewer.loading', 'Loading…'));
    this.canvas.setAttribute('aria-label', item ? `${this.input?.series.seriesDescription ?? ''} ${this.state.frame + 1}/${this.stack.length}`.trim() : '');
    if (this.stateDirty) {
      this.stateDirty = false;
      this.dispatchEvent(new Event('statechange'));
    }
    // After the preview, the WebGL canvas draws in the next animation frame (after the mark above).
    if (previewing) this.#invalidate();
  }

  #entryFailed() {
    const uid = this.state.seriesUID;
    if (!uid) return false;
    const s = this.loader.series.get(uid);
    return s?.entries[this.state.frame]?.state === 'failed';
  }

  /** @param {string} key @param {string} fallback */
  #t(key, fallback) { return this.options.translate?.(key, fallback) ?? fallback; }
}

export { TOOL_NAMES } from './tools.js';
export { PALETTE_NAMES } from './math/palette.js';
