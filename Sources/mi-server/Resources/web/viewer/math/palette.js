// @ts-check
/**
 * Pseudo-colour maps: 256 RGB entries indexed by the 8-bit grey level after VOI and presentation.
 * The same names and tables as ImagingKit `Pipeline/Palette.swift` (integer divisions truncate, `ramp` rounds
 * half up), so that `Palette.named(n).rgba[i]` and `paletteRGBA(n)[4i…4i+3]` agree byte for byte.
 */

/** The names `paletteRGBA` knows, as ImagingKit's `Palette.builtInNames`. */
export const PALETTE_NAMES = Object.freeze(['gray', 'hot-iron', 'rainbow', 'pet', 'jet', 'bone']);

/** @param {number} x */
const ramp = (x) => Math.floor(Math.min(Math.max(x, 0), 1) * 255 + 0.5);

/** @type {Record<string, (i: number) => [number, number, number]>} */
const maps = {
  gray: (i) => [i, i, i],
  // Black → red → yellow → white, red rising over the first half (PS3.6 Annex B "HOT_IRON" shape).
  'hot-iron': (i) => [
    Math.min(Math.trunc((i * 255) / 127), 255),
    i < 128 ? 0 : Math.trunc(((i - 128) * 255) / 127),
    i < 192 ? 0 : Math.trunc(((i - 192) * 255) / 63),
  ],
  // An HSV hue sweep from 270° (violet) to 0° (red).
  rainbow: (i) => {
    const h = ((1 - i / 255) * 270) / 60;
    const x = 1 - Math.abs((h % 2) - 1);
    /** @type {[number, number, number]} */
    let c;
    switch (Math.trunc(h)) {
      case 0: c = [1, x, 0]; break;
      case 1: c = [x, 1, 0]; break;
      case 2: c = [0, 1, x]; break;
      case 3: c = [0, x, 1]; break;
      default: c = [x, 0, 1];
    }
    return [ramp(c[0]), ramp(c[1]), ramp(c[2])];
  },
  // Black → blue → magenta-red → orange → white (PS3.6 Annex B "PET" shape).
  pet: (i) => {
    const t = i / 255;
    const r = t < 0.25 ? 0 : (t - 0.25) / 0.5;
    const g = t < 0.5 ? 0 : (t - 0.5) / 0.5;
    const b = t < 0.25 ? t / 0.25 : t < 0.5 ? 1 - (t - 0.25) / 0.25 : t < 0.75 ? 0 : (t - 0.75) / 0.25;
    return [ramp(r), ramp(g), ramp(b)];
  },
  jet: (i) => {
    const t = i / 255;
    return [ramp(1.5 - Math.abs(4 * t - 3)), ramp(1.5 - Math.abs(4 * t - 2)), ramp(1.5 - Math.abs(4 * t - 1))];
  },
  // 7/8 grey + 1/8 reversed hot.
  bone: (i) => {
    const t = i / 255;
    const r = (7 * t + (t < 0.75 ? 0 : (t - 0.75) * 4)) / 8;
    const g = (7 * t + (t < 0.375 ? 0 : t < 0.75 ? (t - 0.375) / 0.375 : 1)) / 8;
    const b = (7 * t + (t < 0.375 ? t / 0.375 : 1)) / 8;
    return [ramp(r), ramp(g), ramp(b)];
  },
};

/**
 * The canonical name of a palette (case-insensitive; `hotiron`, `hot_iron` and `hot-iron` are the same;
 * `grey` is `gray`), or null when unknown.
 * @param {string} name
 * @returns {string | null}
 */
export function paletteName(name) {
  const n = name.toLowerCase().split('_').join('-');
  if (n === 'grey') return 'gray';
  if (n === 'hotiron') return 'hot-iron';
  return PALETTE_NAMES.includes(n) ? n : null;
}

/** @type {Map<string, Uint8Array>} */
const cache = new Map();

/**
 * The 256 entries of a palette as RGBA bytes (alpha 255), the layout of a 256×1 RGBA8 texture (a fresh copy).
 * @param {string} name
 * @returns {Uint8Array}
 * @throws {RangeError} for an unknown name
 */
export function paletteRGBA(name) {
  const canonical = paletteName(name);
  if (canonical === null) throw new RangeError(`unknown palette ${name}`);
  let table = cache.get(canonical);
  if (!table) {
    table = new Uint8Array(1024);
    const map = maps[canonical];
    for (let i = 0; i < 256; i++) {
      const [r, g, b] = map(i);
      table[4 * i] = r; table[4 * i + 1] = g; table[4 * i + 2] = b; table[4 * i + 3] = 255;
    }
    cache.set(canonical, table);
  }
  return table.slice();
}
