// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceBox } from '../../../Sources/mi-server/Resources/web/viewer/render.js';

test('testTheShaderRunsOnTheImagesBoxWithAPixelToSpare', () => {
  // A 100×50 image at two device pixels per image pixel, its top-left pixel centre at device (100, 50).
  const box = deviceBox({ a: 0.5, b: 0, c: 0, d: 0.5, tx: -50, ty: -25 }, 100, 50, 400, 300);
  // Edges at x = 99…299 and y = 49…149, one pixel more on each side.
  assert.deepEqual(box, { x: 98, y: 48, width: 202, height: 102 });
});

test('testARotatedImagesBoxIsItsBoundingBoxAndAnImageLargerThanTheCanvasTakesAllOfIt', () => {
  // Rotated a quarter turn: image x runs down the device y axis.
  const rotated = deviceBox({ a: 0, b: 1, c: -1, d: 0, tx: 0, ty: 99.5 }, 100, 50, 400, 300);
  assert.deepEqual(rotated, { x: 49, y: 0, width: 52, height: 101 });
  const zoomed = deviceBox({ a: 0.1, b: 0, c: 0, d: 0.1, tx: 0, ty: 0 }, 512, 512, 400, 300);
  assert.deepEqual(zoomed, { x: 0, y: 0, width: 400, height: 300 });
});

test('testAnImageOffTheCanvasHasAnEmptyBoxAndASingularMapNone', () => {
  const off = deviceBox({ a: 1, b: 0, c: 0, d: 1, tx: 5000, ty: 0 }, 100, 100, 400, 300);
  assert.ok(off && off.width === 0);
  assert.equal(deviceBox({ a: 0, b: 0, c: 0, d: 0, tx: 0, ty: 0 }, 100, 100, 400, 300), null);
});
