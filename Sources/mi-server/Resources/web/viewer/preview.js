// @ts-check
/**
 * The viewer's first image on a 2D canvas, shown while the WebGL canvas draws its first frame.
 *
 * A WebGL canvas's first frame is slow to reach the screen. The GPU builds the shader's pipeline on the first draw.
 * A software renderer (SwiftShader, or a phone whose GPU the browser does not trust) then reads the frame back for
 * the compositor. That took 60–80 ms on the benchmark's machine, after the frame had arrived. A 2D canvas with the
 * same pixels is on screen one animation frame after it is painted. So the viewer paints its first image here, and
 * the WebGL canvas draws in the next animation frame. The WebGL canvas stays hidden until it holds an image, so
 * that an empty WebGL canvas is never composited.
 *
 * The pixels come from the shader's reference (`math/pipeline.js`): stored value → modality value → VOI → 8-bit
 * grey rounded to nearest → invert → palette. Image pixels are sampled
 * (every `step`-th in each direction when the image is much larger than the screen), and the browser scales the
 * canvas to the view with a CSS transform. Monochrome frames only, without sharpening: colour frames and
 * sharpened views go to WebGL directly.
 *
 * ```js
 * const preview = new Preview(container, glCanvas);
 * if (Preview.supports(frame, params)) preview.show(frame, params, imageToScreen, { step: previewStep(imageToScreen, dpr) });
 * preview.remove();   // when the WebGL canvas shows the image
 * ```
 */

import { grayLevel } from './math/pipeline.js';
import { paletteRGBA } from './math/palette.js';

/**
 * What the preview needs to know besides the frame (`Renderer.draw`'s parameters, less the view).
 * @typedef {object} PreviewParams
 * @property {import('./math/modality.js').Rescale} rescale
 * @property {import('./math/voi.js').Window} window
 * @property {boolean} invert whether grey levels are inverted (MONOCHROME1 xor the user's invert)
 * @property {string} palette
 * @property {number} sharpen
 * @property {'linear' | 'nearest'} interpolation
 */

/**
 * The RGBA pixels of a monochrome frame through modality, VOI, invert and palette: every `step`-th pixel of every
 * `step`-th row, starting at the first, so `ceil(columns / step)` × `ceil(rows / step)` pixels.
 * @param {import('./frame-format.js').DecodedFrame} frame
 * @param {Pick<PreviewParams, 'rescale' | 'window' | 'invert' | 'palette'>} params
 * @param {number} [step]
 * @returns {{ width: number, height: number, data: Uint8ClampedArray }}
 */
export function previewPixels(frame, params, step = 1) {
  const s = Math.max(1, Math.floor(step));
  const width = Math.ceil(frame.columns / s), height = Math.ceil(frame.rows / s);
  const src = frame.data;
  const columns = frame.columns;
  // The grey level of each stored value between the frame's smallest and largest sample: at most 65,536 entries,
  // and for a CT slice a few thousand.
  let lo = Infinity, hi = -Infinity;
  for (let y = 0; y < frame.rows; y += s) {
    const row = y * columns;
    for (let x = 0; x < columns; x += s) {
      const v = src[row + x];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) { lo = 0; hi = 0; }
  const colours = paletteRGBA(params.palette);
  const pipeline = { rescale: params.rescale, window: params.window, monochrome1: false, invert: params.invert, palette: params.palette };
  const lut = new Uint32Array(hi - lo + 1);
  const rgba = new Uint8Array(4);
  const word = new Uint32Array(rgba.buffer);
  for (let v = lo; v <= hi; v++) {
    const level = grayLevel(v, pipeline);
    rgba[0] = colours[4 * level]; rgba[1] = colours[4 * level + 1]; rgba[2] = colours[4 * level + 2]; rgba[3] = 255;
    lut[v - lo] = word[0];
  }
  const data = new Uint8ClampedArray(width * height * 4);
  const out = new Uint32Array(data.buffer);
  let o = 0;
  for (let y = 0; y < frame.rows; y += s) {
    const row = y * columns;
    for (let x = 0; x < columns; x += s) out[o++] = lut[src[row + x] - lo];
  }
  return { width, height, data };
}

/**
 * How many image pixels a preview pixel may stand for: about one per device pixel of the view, so that a large
 * radiograph fitted to a phone is not sampled at full resolution.
 * @param {import('./math/geometry.js').Affine} imageToScreen image pixels → CSS pixels
 * @param {number} devicePixelRatio
 */
export function previewStep(imageToScreen, devicePixelRatio) {
  const scale = Math.hypot(imageToScreen.a, imageToScreen.c) * devicePixelRatio;
  return scale > 0 && Number.isFinite(scale) ? Math.max(1, Math.floor(1 / scale)) : 1;
}

/** The 2D canvas of the viewer's first image. */
export class Preview {
  /**
   * Whether a frame can be previewed with these parameters: a monochrome frame, no sharpening.
   * @param {import('./frame-format.js').DecodedFrame} frame
   * @param {Pick<PreviewParams, 'sharpen'>} params
   */
  static supports(frame, params) {
    return frame.samplesPerPixel === 1 && params.sharpen === 0;
  }

  /**
   * @param {HTMLElement} container the viewer's element
   * @param {HTMLElement} after the element the preview goes after (the WebGL canvas: the overlay stays above)
   */
  constructor(container, after) {
    this.container = container;
    this.after = after;
    /** @type {HTMLCanvasElement | null} */
    this.canvas = null;
  }

  /** Whether a preview is on the page. */
  get shown() { return this.canvas !== null; }

  /**
   * Paints `frame` and places it where the view puts the image.
   * @param {import('./frame-format.js').DecodedFrame} frame
   * @param {PreviewParams} params
   * @param {import('./math/geometry.js').Affine} imageToScreen image pixel coordinates (pixel centres) → CSS pixels
   * @param {{ step?: number }} [options]
   */
  show(frame, params, imageToScreen, options = {}) {
    const step = Math.max(1, Math.floor(options.step ?? 1));
    const { width, height, data } = previewPixels(frame, params, step);
    const canvas = this.canvas ?? this.container.ownerDocument.createElement('canvas');
    canvas.dataset.testid = 'viewer-preview';
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context) return;
    context.putImageData(new ImageData(data, width, height), 0, 0);
    // Canvas pixel (i, j) covers image pixels from (i·step − ½, j·step − ½), pixel centres being whole numbers.
    // `Affine` maps (x, y) to (a·x + b·y + tx, c·x + d·y + ty); CSS's matrix(A, B, C, D, E, F) to (A·x + C·y + E, B·x + D·y + F).
    const m = imageToScreen, k = step;
    const tx = m.tx - 0.5 * (m.a + m.b), ty = m.ty - 0.5 * (m.c + m.d);
    for (const [name, value] of Object.entries({
      position: 'absolute', left: '0', top: '0', 'transform-origin': '0 0', 'pointer-events': 'none',
      transform: `matrix(${m.a * k}, ${m.c * k}, ${m.b * k}, ${m.d * k}, ${tx}, ${ty})`,
      'image-rendering': params.interpolation === 'nearest' ? 'pixelated' : 'auto',
    })) canvas.style.setProperty(name, value);
    if (!this.canvas) {
      this.after.after(canvas);
      this.canvas = canvas;
    }
  }

  /** Takes the preview off the page. */
  remove() {
    this.canvas?.remove();
    this.canvas = null;
  }
}
