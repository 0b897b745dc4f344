// @ts-check
// The browser math against ImagingKit's actual output (`mi-cli render/probe/measure` on synthetic files),
// recorded in ../fixtures/imagingkit-vectors.json by ../fixtures/make_imagingkit_vectors.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { paletteRGBA } from '../../../Sources/mi-server/Resources/web/viewer/math/palette.js';
import { grayLevel } from '../../../Sources/mi-server/Resources/web/viewer/math/pipeline.js';
import * as M from '../../../Sources/mi-server/Resources/web/viewer/math/measurements.js';
import { modalityUnit } from '../../../Sources/mi-server/Resources/web/viewer/math/modality.js';

/**
 * @typedef {object} Vectors
 * @property {Record<string, number[]>} palettes
 * @property {Array<{ slope: number, intercept: number, window: [number, number], fn: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID',
 *   invert: boolean, monochrome1: boolean, storedStart: number, gray: number[] }>} windows
 * @property {Array<{ x: number, y: number, value: number, unit: string }>} probes
 * @property {Array<{ kind: 'line' | 'ellipse' | 'rect', args: number[], length?: number, unit: string, area?: number,
 *   areaUnit?: string, mean?: number, sd?: number, min?: number, max?: number, pixels?: number }>} measures
 * @property {{ size: number, radius: number, center: [number, number], inside: number, outside: number, pixelSpacing: [number, number] }} disc
 */
/** @type {Vectors} */
const vectors = JSON.parse(readFileSync(new URL('../fixtures/imagingkit-vectors.json', import.meta.url), 'utf8'));

test('palettesAreImagingKitsByteForByte', () => {
  for (const [name, rgb] of Object.entries(vectors.palettes)) {
    const ours = paletteRGBA(name);
    for (let i = 0; i < 256; i++) {
      const a = [ours[4 * i], ours[4 * i + 1], ours[4 * i + 2]], b = rgb.slice(3 * i, 3 * i + 3);
      assert.deepEqual(a, b, `${name}[${i}]`);
    }
  }
});

test('windowedGreyLevelsAreImagingKitsForEveryStoredValue', () => {
  for (const v of vectors.windows) {
    const p = {
      rescale: { slope: v.slope, intercept: v.intercept },
      window: { center: v.window[0], width: v.window[1], function: v.fn },
      monochrome1: v.monochrome1, invert: v.invert, palette: 'gray',
    };
    v.gray.forEach((expected, i) => {
      const stored = v.storedStart + i;
      const ours = grayLevel(stored, p);
      if (ours !== expected) assert.fail(`${JSON.stringify({ ...v, gray: undefined })}: stored ${stored} gives ${ours}, ImagingKit ${expected}`);
    });
  }
});

const { disc } = vectors;
const spacing = M.pixelSpacingOf({ pixelSpacing: disc.pixelSpacing });
/** @param {number} x @param {number} y */
const value = (x, y) => ((x - disc.center[0]) ** 2 + (y - disc.center[1]) ** 2 <= disc.radius ** 2 ? disc.inside : disc.outside);

test('probesAreImagingKits', () => {
  for (const p of vectors.probes) {
    assert.equal(value(p.x, p.y), p.value, `probe ${p.x},${p.y}`);
    assert.equal(modalityUnit({ modality: 'CT', rescaleType: null }), p.unit);
  }
});

test('measurementsAreImagingKitsWithinItsPrintedPrecision', () => {
  const close = (/** @type {number} */ a, /** @type {number | undefined} */ b, /** @type {string} */ what) =>
    assert.ok(b !== undefined && Math.abs(a - b) <= 5e-5 * Math.max(1, Math.abs(b)), `${what}: ours ${a}, ImagingKit ${b}`);
  for (const m of vectors.measures) {
    const a = m.args;
    if (m.kind === 'line') {
      const l = M.length([a[0], a[1]], [a[2], a[3]], spacing);
      close(l.value, m.length, `line ${a}`);
      assert.equal(l.unit, m.unit);
      continue;
    }
    /** @type {M.Region} */
    const region = m.kind === 'ellipse' ? { kind: 'ellipse', cx: a[0], cy: a[1], rx: a[2], ry: a[3] } : { kind: 'rectangle', x: a[0], y: a[1], width: a[2], height: a[3] };
    const s = M.regionStatistics(region, value, disc.size, disc.size, spacing, 'HU');
    assert.ok(s, `${m.kind} ${a}`);
    assert.equal(s.pixels, m.pixels, `${m.kind} ${a} pixels`);
    close(s.mean, m.mean, `${m.kind} ${a} mean`);
    close(s.standardDeviation, m.sd, `${m.kind} ${a} sd`);
    close(s.area, m.area, `${m.kind} ${a} area`);
    assert.equal(s.min, m.min);
    assert.equal(s.max, m.max);
    assert.equal(s.areaUnit, m.areaUnit);
  }
});
