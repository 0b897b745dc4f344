// @ts-check
/**
 * The WebGL2 renderer: one frame as an integer texture (R16I, R16UI, R8UI, R8I; RGB8 for colour), and a fragment
 * shader that does, per screen pixel, what `math/` does per image pixel:
 *
 *   screen pixel → image point (the view transform as a matrix) → stored value(s) (nearest, or bilinear over
 *   modality values) → modality (rescale) → optional unsharp mask on modality values (3×3 binomial, `math/sharpen.js`)
 *   → VOI (LINEAR / LINEAR_EXACT / SIGMOID, `math/voi.js`) → 8-bit grey rounded to nearest → invert
 *   (MONOCHROME1 xor the user's) → palette (a 256×1 RGBA8 texture, `math/palette.js`).
 *
 * Colour images skip modality, VOI and palette (as ImagingKit does); only invert and sharpen apply.
 * Integer textures are never filtered by the GPU, so bilinear magnification reads four texels and interpolates
 * modality values in the shader: exact, and with the VOI applied after interpolation (no grey-level blur at
 * window edges). Uses WebGL2 as Safari 16 has it: no extensions.
 *
 * ```js
 * const r = new Renderer(canvas);
 * r.resize(390, 844, devicePixelRatio);
 * r.setFrame(frame, { bitsStored: 12 });
 * r.draw({ screenToImage, rescale, window, invert: false, palette: 'gray', sharpen: 0, interpolation: 'linear' });
 * ```
 */

import { paletteRGBA } from './math/palette.js';
import { apply, invert, then } from './math/geometry.js';

/** @typedef {'webgl2Unavailable' | 'shaderCompile' | 'textureTooLarge' | 'unsupportedFrame' | 'contextLost'} RendererErrorCode */

/** The one error of the renderer; compare `code`. */
export class RendererError extends Error {
  /**
   * @param {RendererErrorCode} code
   * @param {string} detail
   */
  constructor(code, detail) {
    super(`${code}: ${detail}`);
    this.name = 'RendererError';
    /** @type {RendererErrorCode} */
    this.code = code;
  }
}

/**
 * What a draw needs besides the frame.
 * @typedef {object} RenderParams
 * @property {import('./math/geometry.js').Affine} screenToImage CSS pixels of the canvas → image pixel coordinates
 * @property {import('./math/modality.js').Rescale} rescale
 * @property {import('./math/voi.js').Window} window
 * @property {boolean} invert whether grey levels are inverted (MONOCHROME1 xor the user's invert; the user's for colour)
 * @property {string} palette
 * @property {number} sharpen unsharp-mask strength, 0 = off
 * @property {'linear' | 'nearest'} interpolation
 */

/** @typedef {'int' | 'uint' | 'color'} Kind */

const VERTEX = `#version 300 es
void main() {
  // One triangle that covers the viewport: (−1,−1), (3,−1), (−1,3).
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}`;

/**
 * The fragment shader of one variant. Sampling, sharpening, the VOI function and the grey palette are compile-time
 * choices, not uniform branches: software renderers (SwiftShader) and some mobile GPUs run both sides of a branch.
 * The grey palette maps level g to (g, g, g), so its variant writes the level without the palette texture's fetch.
 * @param {Kind} kind
 * @param {{ linear: boolean, sharpen: boolean, voi: number, gray: boolean }} v
 */
function fragmentSource(kind, v) {
  const sampler = kind === 'int' ? 'isampler2D' : kind === 'uint' ? 'usampler2D' : 'sampler2D';
  const color = kind === 'color';
  return `#version 300 es
precision highp float;
precision highp int;
precision highp ${sampler};
#define VALUE ${color ? 'vec3' : 'float'}
#define LINEAR ${v.linear ? 1 : 0}
#define SHARPEN ${v.sharpen ? 1 : 0}
#define VOI_FUNCTION ${v.voi}
uniform highp ${sampler} uImage;
uniform highp sampler2D uPalette;
uniform mat3 uDeviceToImage;
uniform ivec2 uSize;
uniform vec2 uRescale;   // slope, intercept
uniform vec3 uWindow;    // centre, width, function (0 LINEAR, 1 LINEAR_EXACT, 2 SIGMOID)
uniform bool uInvert;
uniform float uSharpen;
uniform vec4 uBackground;
out vec4 outColor;

VALUE texel(ivec2 p) {
  p = clamp(p, ivec2(0), uSize - 1);
  ${color ? 'return texelFetch(uImage, p, 0).rgb * 255.0;' : 'return float(texelFetch(uImage, p, 0).r) * uRescale.x + uRescale.y;'}
}

// Unsharp mask with a 3×3 binomial blur, edges clamped (math/sharpen.js).
VALUE sharpened(ivec2 p) {
  VALUE v = texel(p);
#if SHARPEN == 0
  return v;
#else
  VALUE b = 4.0 * v
    + 2.0 * (texel(p + ivec2(1, 0)) + texel(p + ivec2(-1, 0)) + texel(p + ivec2(0, 1)) + texel(p + ivec2(0, -1)))
    + texel(p + ivec2(1, 1)) + texel(p + ivec2(-1, 1)) + texel(p + ivec2(1, -1)) + texel(p + ivec2(-1, -1));
  return v + uSharpen * (v - b / 16.0);
#endif
}

// PS3.3 C.11.2.1.2.1 LINEAR, C.11.2.1.3.2 LINEAR_EXACT, C.11.2.1.3.1 SIGMOID, output 0…1 (math/voi.js).
// The linear ramps are clamped rather than branched at the window's edges (the same values: the ramp is 0 at the
// lower edge and 1 at the upper one): a software renderer runs a branch that differs between neighbouring pixels
// on both sides.
float voi(float x) {
  float c = uWindow.x, w = uWindow.y;
#if VOI_FUNCTION == 1
  return clamp((x - c) / max(w, 1e-30) + 0.5, 0.0, 1.0);
#elif VOI_FUNCTION == 2
  return 1.0 / (1.0 + exp(-4.0 * (x - c) / max(w, 1e-30)));
#else
  if (w <= 1.0) return x > c - 0.5 ? 1.0 : 0.0;
  return clamp((x - (c - 0.5)) / (w - 1.0) + 0.5, 0.0, 1.0);
#endif
}

void main() {
  vec2 p = (uDeviceToImage * vec3(gl_FragCoord.xy, 1.0)).xy;
  if (p.x < -0.5 || p.y < -0.5 || p.x >= float(uSize.x) - 0.5 || p.y >= float(uSize.y) - 0.5) {
    outColor = uBackground;
    return;
  }
#if LINEAR
  vec2 f0 = floor(p);
  ivec2 i = ivec2(f0);
  vec2 f = p - f0;
  VALUE v = mix(mix(sharpened(i), sharpened(i + ivec2(1, 0)), f.x), mix(sharpened(i + ivec2(0, 1)), sharpened(i + ivec2(1, 1)), f.x), f.y);
#else
  VALUE v = sharpened(ivec2(floor(p + 0.5)));
#endif
${color ? `  vec3 rgb = clamp(floor(v + 0.5), 0.0, 255.0);
  if (uInvert) rgb = 255.0 - rgb;
  outColor = vec4(rgb / 255.0, 1.0);` : `  float g = clamp(floor(voi(v) * 255.0 + 0.5), 0.0, 255.0);
  if (uInvert) g = 255.0 - g;
  ${v.gray ? 'outColor = vec4(vec3(g / 255.0), 1.0);' : 'outColor = vec4(texelFetch(uPalette, ivec2(int(g), 0), 0).rgb, 1.0);'}`}
}`;
}

const FUNCTION_CODE = { LINEAR: 0, LINEAR_EXACT: 1, SIGMOID: 2 };

/**
 * The device pixels (origin bottom-left, as `gl.scissor` counts) that can show part of a `columns`×`rows` image,
 * given the map from device pixels to image coordinates: the bounding box of the image's edges (pixel centres
 * ± 0.5) with a pixel to spare, within the `width`×`height` canvas. Null when the map cannot be inverted.
 * @param {import('./math/geometry.js').Affine} deviceToImage
 * @param {number} columns @param {number} rows @param {number} width @param {number} height
 * @returns {{ x: number, y: number, width: number, height: number } | null}
 */
export function deviceBox(deviceToImage, columns, rows, width, height) {
  const toDevice = invert(deviceToImage);
  if (!toDevice) return null;
  const xs = [], ys = [];
  for (const [ix, iy] of [[-0.5, -0.5], [columns - 0.5, -0.5], [-0.5, rows - 0.5], [columns - 0.5, rows - 0.5]]) {
    const [x, y] = apply(toDevice, [ix, iy]);
    xs.push(x); ys.push(y);
  }
  if (![...xs, ...ys].every(Number.isFinite)) return null;
  const x0 = Math.max(0, Math.floor(Math.min(...xs)) - 1), x1 = Math.min(width, Math.ceil(Math.max(...xs)) + 1);
  const y0 = Math.max(0, Math.floor(Math.min(...ys)) - 1), y1 = Math.min(height, Math.ceil(Math.max(...ys)) + 1);
  return { x: Math.min(x0, width), y: Math.min(y0, height), width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/**
 * The name of a compiled program: its kind and variant.
 * @param {Kind} kind
 * @param {{ linear: boolean, sharpen: boolean, voi: number, gray: boolean }} v
 */
const programKey = (kind, v) => `${kind}:${v.linear ? 1 : 0}${v.sharpen ? 1 : 0}${v.voi}${v.gray ? 1 : 0}`;

/**
 * @typedef {object} Program
 * @property {WebGLProgram} program
 * @property {Record<string, WebGLUniformLocation | null>} u
 */

/**
 * The kind of texture a frame needs.
 * @param {import('./frame-format.js').DecodedFrame} frame
 * @returns {Kind}
 */
function kindOf(frame) {
  if (frame.samplesPerPixel === 3) return 'color';
  if (frame.data instanceof Int16Array || frame.data instanceof Int8Array) return 'int';
  if (frame.data instanceof Uint16Array || frame.data instanceof Uint8Array) return 'uint';
  throw new RendererError('unsupportedFrame', 'unknown sample array');
}

export class Renderer {
  /** @type {WebGL2RenderingContext | null} made at the first use of `gl` */
  #gl = null;
  /** @type {import('./frame-format.js').DecodedFrame | null} the frame the image texture holds */
  #uploaded = null;

  /**
   * The WebGL2 context is made when first needed (the first draw), not here: making it costs the main thread tens
   * of milliseconds on a software renderer, which the viewer's first image (a 2D preview) does not need. So a frame
   * given to `setFrame` before then is uploaded by that draw, which also throws what the upload throws.
   * @param {HTMLCanvasElement} canvas
   * @param {{ background?: [number, number, number], onRestored?: () => void }} [options]
   */
  constructor(canvas, options = {}) {
    this.canvas = canvas;
    this.background = options.background ?? [0, 0, 0];
    this.onRestored = options.onRestored;
    /** @type {import('./frame-format.js').DecodedFrame | null} */
    this.frame = null;
    this.bitsStored = 8;
    /** @type {RenderParams | null} */
    this.lastParams = null;
    this.cssWidth = canvas.clientWidth || canvas.width;
    this.cssHeight = canvas.clientHeight || canvas.height;
    this.lost = false;
    canvas.addEventListener('webglcontextlost', this.#onLost);
    canvas.addEventListener('webglcontextrestored', this.#onRestored);
    /** @type {Map<string, Program>} programs by variant, compiled when first needed */
    this.programs = new Map();
    /** @type {WebGLVertexArrayObject | null} */
    this.vao = null;
    /** @type {WebGLTexture | null} */
    this.imageTexture = null;
    /** @type {WebGLTexture | null} */
    this.paletteTexture = null;
    /** @type {string | null} */
    this.paletteName = null;
    /** @type {Kind | null} */
    this.kind = null;
    this.maxTextureSize = 4096;
  }

  /**
   * The WebGL2 context, made at its first use.
   * @returns {WebGL2RenderingContext}
   * @throws {RendererError} `webgl2Unavailable`
   */
  get gl() {
    if (!this.#gl) {
      const gl = this.canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false, premultipliedAlpha: false, preserveDrawingBuffer: false, powerPreference: 'high-performance' });
      if (!gl) throw new RendererError('webgl2Unavailable', 'this browser cannot create a WebGL2 context');
      this.#gl = gl;
      this.#init();
    }
    return this.#gl;
  }

  /** Creates the GPU objects (again after a lost context is restored). */
  #init() {
    const gl = this.gl;
    this.#uploaded = null;
    this.programs = new Map();
    this.vao = gl.createVertexArray();
    this.imageTexture = gl.createTexture();
    this.paletteTexture = gl.createTexture();
    this.paletteName = null;
    this.maxTextureSize = /** @type {number} */ (gl.getParameter(gl.MAX_TEXTURE_SIZE));
  }

  /** @type {(e: Event) => void} */
  #onLost = (e) => { e.preventDefault(); this.lost = true; };

  #onRestored = () => {
    this.lost = false;
    this.#init();
    if (this.frame) this.setFrame(this.frame, { bitsStored: this.bitsStored });
    this.onRestored?.();
  };

  /**
   * @param {Kind} kind
   * @param {{ linear: boolean, sharpen: boolean, voi: number, gray: boolean }} variant
   * @returns {Program}
   */
  #program(kind, variant) {
    const key = programKey(kind, variant);
    const existing = this.programs.get(key);
    if (existing) return existing;
    const gl = this.gl;
    /** @param {number} type @param {string} source */
    const compile = (type, source) => {
      const s = /** @type {WebGLShader} */ (gl.createShader(type));
      gl.shaderSource(s, source);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS) && !gl.isContextLost()) throw new RendererError('shaderCompile', gl.getShaderInfoLog(s) ?? '');
      return s;
    };
    const program = /** @type {WebGLProgram} */ (gl.createProgram());
    gl.attachShader(program, compile(gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(program, compile(gl.FRAGMENT_SHADER, fragmentSource(kind, variant)));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS) && !gl.isContextLost()) throw new RendererError('shaderCompile', gl.getProgramInfoLog(program) ?? '');
    /** @type {Record<string, WebGLUniformLocation | null>} */
    const u = {};
    for (const name of ['uImage', 'uPalette', 'uDeviceToImage', 'uSize', 'uRescale', 'uWindow', 'uInvert', 'uSharpen', 'uBackground']) {
      u[name] = gl.getUniformLocation(program, name);
    }
    const p = { program, u };
    this.programs.set(key, p);
    return p;
  }

  /**
   * Sets the drawing-buffer size for a canvas of cssWidth×cssHeight CSS pixels.
   * @param {number} cssWidth
   * @param {number} cssHeight
   * @param {number} [devicePixelRatio]
   */
  resize(cssWidth, cssHeight, devicePixelRatio = 1) {
    this.cssWidth = cssWidth;
    this.cssHeight = cssHeight;
    const w = Math.max(1, Math.round(cssWidth * devicePixelRatio)), h = Math.max(1, Math.round(cssHeight * devicePixelRatio));
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
  }

  /**
   * Uploads a frame. Monochrome: one integer channel of the stored values. RGB: 8 bits per channel (deeper
   * samples keep their top 8 bits).
   * @param {import('./frame-format.js').DecodedFrame} frame
   * @param {{ bitsStored?: number }} [info]
   */
  setFrame(frame, info = {}) {
    const kind = kindOf(frame);
    // With a context, the size is checked (and the frame uploaded) now; without one, by the first draw.
    if (this.#gl) this.#checkSize(frame);
    this.frame = frame;
    this.kind = kind;
    this.bitsStored = info.bitsStored ?? 8 * frame.bytesPerSample;
    if (this.#gl) this.#upload(frame);
  }

  /** @param {import('./frame-format.js').DecodedFrame} frame */
  #checkSize(frame) {
    if (frame.columns > this.maxTextureSize || frame.rows > this.maxTextureSize) {
      throw new RendererError('textureTooLarge', `${frame.columns}x${frame.rows} exceeds this GPU's ${this.maxTextureSize}`);
    }
  }

  /**
   * Puts `frame` (this renderer's frame) into the image texture.
   * @param {import('./frame-format.js').DecodedFrame} frame
   */
  #upload(frame) {
    const gl = this.gl;
    this.#uploaded = frame;
    gl.bindTexture(gl.TEXTURE_2D, this.imageTexture);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    const { columns: w, rows: h, data } = frame;
    if (frame.samplesPerPixel === 3) {
      let rgb = /** @type {Uint8Array} */ (data);
      if (frame.bytesPerSample === 2) {
        const shift = Math.max(this.bitsStored - 8, 0);
        rgb = new Uint8Array(data.length);
        for (let i = 0; i < data.length; i++) rgb[i] = Math.min((data[i] & 0xffff) >> shift, 255);
      }
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGB8, w, h, 0, gl.RGB, gl.UNSIGNED_BYTE, rgb);
    } else if (data instanceof Int16Array) {
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.R16I, w, h, 0, gl.RED_INTEGER, gl.SHORT, data);
    } else if (data instanceof Uint16Array) {
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.R16UI, w, h, 0, gl.RED_INTEGER, gl.UNSIGNED_SHORT, data);
    } else if (data instanceof Int8Array) {
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8I, w, h, 0, gl.RED_INTEGER, gl.BYTE, data);
    } else {
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8UI, w, h, 0, gl.RED_INTEGER, gl.UNSIGNED_BYTE, data);
    }
  }

  /** @param {string} name */
  #setPalette(name) {
    if (this.paletteName === name) return;
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.paletteTexture);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 256, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, paletteRGBA(name));
    this.paletteName = name;
  }

  /**
   * Draws the current frame (or the background when there is none).
   * @param {RenderParams} params
   */
  draw(params) {
    this.lastParams = params;
    const gl = this.gl;
    if (this.lost || gl.isContextLost()) return;
    if (this.frame && this.#uploaded !== this.frame) {
      // A frame given before the context was made: checked and uploaded now (one too large is dropped).
      const frame = this.frame;
      try { this.#checkSize(frame); } catch (e) { this.frame = null; this.kind = null; throw e; }
      this.#upload(frame);
    }
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    const [br, bg, bb] = this.background;
    if (!this.frame || !this.kind) {
      gl.clearColor(br / 255, bg / 255, bb / 255, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
      return;
    }
    const voi = this.kind === 'color' ? 0 : FUNCTION_CODE[params.window.function ?? 'LINEAR'] ?? 0;
    const gray = this.kind !== 'color' && params.palette === 'gray';
    const { program, u } = this.#program(this.kind, { linear: params.interpolation === 'linear', sharpen: params.sharpen !== 0, voi, gray });
    gl.useProgram(program);
    this.#setPalette(params.palette);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.imageTexture);
    gl.uniform1i(u.uImage, 0);
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, this.paletteTexture);
    gl.uniform1i(u.uPalette, 1);
    gl.activeTexture(gl.TEXTURE0);
    // gl_FragCoord (device pixels, origin bottom-left) → CSS pixels (origin top-left) → image.
    const sx = this.cssWidth / this.canvas.width, sy = this.cssHeight / this.canvas.height;
    const m = then({ a: sx, b: 0, c: 0, d: -sy, tx: 0, ty: this.cssHeight }, params.screenToImage);
    gl.uniformMatrix3fv(u.uDeviceToImage, false, [m.a, m.c, 0, m.b, m.d, 0, m.tx, m.ty, 1]);
    // The shader runs only where the image is: the rest of the canvas (the letterbox) is cleared to the background,
    // which costs a software renderer (SwiftShader) far less than running the shader there to find it outside.
    const box = deviceBox(m, this.frame.columns, this.frame.rows, this.canvas.width, this.canvas.height);
    if (!box || box.x > 0 || box.y > 0 || box.width < this.canvas.width || box.height < this.canvas.height) {
      gl.clearColor(br / 255, bg / 255, bb / 255, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
    }
    if (box && (box.width === 0 || box.height === 0)) return;
    if (box) {
      gl.enable(gl.SCISSOR_TEST);
      gl.scissor(box.x, box.y, box.width, box.height);
    }
    gl.uniform2i(u.uSize, this.frame.columns, this.frame.rows);
    gl.uniform2f(u.uRescale, params.rescale.slope, params.rescale.intercept);
    gl.uniform3f(u.uWindow, params.window.center, params.window.width, voi);
    gl.uniform1i(u.uInvert, params.invert ? 1 : 0);
    gl.uniform1f(u.uSharpen, params.sharpen);
    gl.uniform4f(u.uBackground, br / 255, bg / 255, bb / 255, 1);
    gl.bindVertexArray(this.vao);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    gl.disable(gl.SCISSOR_TEST);
  }

  /**
   * Prepares the drawing of a `kind` image while there is none yet: compiles the program the first frame will use
   * and draws once with it, a 1×1 image in the top-left device pixel, windowed to black (the viewer's background). A software renderer (SwiftShader) builds its pipeline on a program's first draw, and that set-up
   * then happens while the first frame is still on the network, not after it has arrived.
   * @param {Kind} kind
   * @param {{ linear: boolean, voi?: number }} variant
   */
  warmUp(kind, variant) {
    const gray = kind !== 'color', voi = gray ? variant.voi ?? 0 : 0;
    if (this.frame || this.lost || this.gl.isContextLost() || this.programs.has(programKey(kind, { linear: variant.linear, sharpen: false, voi, gray }))) return;
    const data = kind === 'color' ? new Uint8Array(3) : kind === 'int' ? new Int16Array(1) : new Uint16Array(1);
    this.setFrame({ columns: 1, rows: 1, bytesPerSample: kind === 'color' ? 1 : 2, samplesPerPixel: kind === 'color' ? 3 : 1, signed: kind === 'int', data });
    const FUNCTIONS = /** @type {const} */ (['LINEAR', 'LINEAR_EXACT', 'SIGMOID']);
    this.draw({
      screenToImage: { a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0 }, rescale: { slope: 1, intercept: 0 },
      window: { center: 1e9, width: 1, function: FUNCTIONS[voi] }, invert: false, palette: 'gray', sharpen: 0,
      interpolation: variant.linear ? 'linear' : 'nearest',
    });
    this.frame = null;
    this.kind = null;
    this.lastParams = null;
  }

  /**
   * Draws again with the last parameters and reads the drawing buffer back: RGBA bytes, top row first.
   * @returns {{ width: number, height: number, data: Uint8Array }}
   */
  readPixels() {
    const gl = this.gl;
    if (this.lastParams) this.draw(this.lastParams);
    const w = this.canvas.width, h = this.canvas.height;
    const bottomUp = new Uint8Array(w * h * 4);
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, bottomUp);
    const data = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) data.set(bottomUp.subarray((h - 1 - y) * w * 4, (h - y) * w * 4), y * w * 4);
    return { width: w, height: h, data };
  }

  /** Frees GPU resources. */
  dispose() {
    const gl = this.#gl;
    this.canvas.removeEventListener('webglcontextlost', this.#onLost);
    this.canvas.removeEventListener('webglcontextrestored', this.#onRestored);
    if (gl && !gl.isContextLost()) {
      for (const p of this.programs.values()) gl.deleteProgram(p.program);
      gl.deleteTexture(this.imageTexture);
      gl.deleteTexture(this.paletteTexture);
      gl.deleteVertexArray(this.vao);
    }
    this.frame = null;
  }
}

/**
 * The renderer's pixels, drawn again with its last parameters: RGBA bytes, top row first (for tests).
 * @param {Renderer} renderer
 */
export function readPixels(renderer) {
  return renderer.readPixels();
}
