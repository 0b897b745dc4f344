// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Preview, previewPixels, previewStep } from '../../../Sources/mi-server/Resources/web/viewer/preview.js';
import { displayRGBA } from '../../../Sources/mi-server/Resources/web/viewer/math/pipeline.js';

/**
 * A signed 16-bit CT-like frame: stored values from -1024 to 3071 and a few outside, in a 7×5 grid.
 * @returns {import('../../../Sources/mi-server/Resources/web/viewer/frame-format.js').DecodedFrame}
 */
function ctFrame() {
  const values = [-2000, -1024, -1000, -600, -100, 0, 1, 39, 40, 41, 200, 239, 240, 241, 1000, 3071, 32767, -32768,
    -855, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 199, 201];
  return { columns: 7, rows: 5, bytesPerSample: 2, samplesPerPixel: 1, signed: true, data: Int16Array.from(values) };
}

/**
 * The shader's reference RGBA for stored value `v` (math/pipeline.js, ImagingKit's order), `invert` being the
 * presentation's whole inversion.
 * @param {number} v
 * @param {{ rescale: { slope: number, intercept: number }, window: any, invert: boolean, palette: string }} p
 */
const expected = (v, p) => displayRGBA(v, { ...p, monochrome1: false });

/** @param {Uint8ClampedArray} data @param {number} i */
const pixel = (data, i) => [...data.subarray(4 * i, 4 * i + 4)];

test('testPreviewPixelsAreTheMathsGreyLevelsForEveryStoredValue', () => {
  const frame = ctFrame();
  /** @type {Array<Parameters<typeof previewPixels>[1]>} */
  const cases = [
    { rescale: { slope: 1, intercept: 0 }, window: { center: 40, width: 400 }, invert: false, palette: 'gray' },
    { rescale: { slope: 1, intercept: -1024 }, window: { center: -600, width: 1500 }, invert: true, palette: 'gray' },
    { rescale: { slope: 0.5, intercept: 3 }, window: { center: 100.5, width: 37.5, function: 'LINEAR_EXACT' }, invert: false, palette: 'hot-iron' },
    { rescale: { slope: 1, intercept: 0 }, window: { center: 0, width: 1 }, invert: false, palette: 'rainbow' },
    { rescale: { slope: 2, intercept: 0 }, window: { center: 50, width: 300, function: 'SIGMOID' }, invert: true, palette: 'pet' },
  ];
  for (const params of cases) {
    const { width, height, data } = previewPixels(frame, params);
    assert.deepEqual([width, height], [7, 5]);
    for (let i = 0; i < frame.data.length; i++) {
      assert.deepEqual(pixel(data, i), expected(frame.data[i], params), `value ${frame.data[i]} with ${JSON.stringify(params)}`);
    }
  }
});

test('testPreviewPixelsOfUnsignedAndEightBitFrames', () => {
  const u16 = { columns: 3, rows: 2, bytesPerSample: /** @type {const} */ (2), samplesPerPixel: /** @type {const} */ (1), signed: false, data: Uint16Array.from([0, 1, 2047, 2048, 4095, 65535]) };
  const u8 = { columns: 3, rows: 1, bytesPerSample: /** @type {const} */ (1), samplesPerPixel: /** @type {const} */ (1), signed: false, data: Uint8Array.from([0, 128, 255]) };
  const params = { rescale: { slope: 1, intercept: 0 }, window: { center: 2048, width: 4096 }, invert: false, palette: 'gray' };
  const a = previewPixels(u16, params);
  u16.data.forEach((v, i) => assert.deepEqual(pixel(a.data, i), expected(v, params)));
  const p8 = { ...params, window: { center: 128, width: 256 } };
  const b = previewPixels(u8, p8);
  u8.data.forEach((v, i) => assert.deepEqual(pixel(b.data, i), expected(v, p8)));
  assert.deepEqual(pixel(b.data, 0), [0, 0, 0, 255]);
  assert.deepEqual(pixel(b.data, 2), [255, 255, 255, 255]);
});

test('testAPreviewWithAStepSamplesEveryStepthPixelFromTheFirst', () => {
  const frame = ctFrame();
  const params = { rescale: { slope: 1, intercept: 0 }, window: { center: 40, width: 400 }, invert: false, palette: 'gray' };
  const { width, height, data } = previewPixels(frame, params, 3);
  // Columns 0, 3, 6 of rows 0 and 3: ceil(7/3) × ceil(5/3).
  assert.deepEqual([width, height], [3, 2]);
  const picked = [0, 3, 6, 21, 24, 27].map((i) => frame.data[i]);
  picked.forEach((v, i) => assert.deepEqual(pixel(data, i), expected(v, params)));
});

test('testThePreviewStepIsAboutOneImagePixelPerDevicePixel', () => {
  // A 3000-pixel radiograph fitted into 390 CSS px at 3 device pixels per CSS pixel: 0.13 × 3 = 0.39 device px per
  // image pixel, so every second image pixel.
  assert.equal(previewStep({ a: 0.13, b: 0, c: 0, d: 0.13, tx: 0, ty: 0 }, 3), 2);
  assert.equal(previewStep({ a: 0.05, b: 0, c: 0, d: 0.05, tx: 0, ty: 0 }, 1), 20);
  // Rotated a quarter turn: the scale is the same.
  assert.equal(previewStep({ a: 0, b: -0.05, c: 0.05, d: 0, tx: 0, ty: 0 }, 1), 20);
  // Magnified, or a singular map: every pixel.
  assert.equal(previewStep({ a: 1.6, b: 0, c: 0, d: 1.6, tx: 0, ty: 0 }, 1), 1);
  assert.equal(previewStep({ a: 0, b: 0, c: 0, d: 0, tx: 0, ty: 0 }, 1), 1);
});

test('testOnlyMonochromeFramesWithoutSharpeningArePreviewed', () => {
  const frame = ctFrame();
  assert.equal(Preview.supports(frame, { sharpen: 0 }), true);
  assert.equal(Preview.supports(frame, { sharpen: 0.5 }), false);
  assert.equal(Preview.supports({ ...frame, samplesPerPixel: 3 }, { sharpen: 0 }), false);
});
