// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as V from '../../../Sources/mi-server/Resources/web/viewer/math/view.js';

const image = { width: 512, height: 256 };
const viewport = { width: 390, height: 844 };
/** @param {[number, number]} a @param {[number, number]} b */
const near = (a, b, eps = 1e-9) => Math.abs(a[0] - b[0]) < eps && Math.abs(a[1] - b[1]) < eps;

test('testResetFitsTheWholeImageCentredWithItsAspect', () => {
  const v = V.defaultView();
  // 390 wide: the 512 columns set the scale.
  const s = V.fitScale(image, viewport, 0);
  assert.equal(s, 390 / 512);
  // Image edges (pixel centres ±0.5) land on the viewport's left and right edges, centred vertically.
  assert.ok(near(V.imageToScreen(v, image, viewport, [-0.5, -0.5]), [0, 422 - 128 * s]));
  assert.ok(near(V.imageToScreen(v, image, viewport, [511.5, 255.5]), [390, 422 + 128 * s]));
  // A quarter turn fits the 256 rows across instead.
  assert.equal(V.fitScale(image, viewport, 90), Math.min(390 / 256, 844 / 512));
});

test('testScreenAndImageMapsAreInverseForEveryRotationAndFlip', () => {
  for (const rotation of /** @type {const} */ ([0, 90, 180, 270])) {
    for (const flipH of [false, true]) {
      for (const flipV of [false, true]) {
        const v = { zoom: 2.5, center: /** @type {[number, number]} */ ([100, 40]), rotation, flipH, flipV };
        for (const p of /** @type {Array<[number, number]>} */ ([[0, 0], [511, 255], [100, 40], [37.25, 200.5]])) {
          const q = V.imageToScreen(v, image, viewport, p);
          assert.ok(near(V.screenToImage(v, image, viewport, q), p, 1e-9), `${rotation} ${flipH} ${flipV} ${p}`);
        }
        // The centre point is at the viewport centre.
        assert.ok(near(V.imageToScreen(v, image, viewport, [100, 40]), [195, 422]));
      }
    }
  }
});

test('testRotationTurnsClockwiseAndFlipsMirrorTheScreenPicture', () => {
  const c = V.imageCenter(image);
  const right = /** @type {[number, number]} */ ([c[0] + 10, c[1]]);
  // Clockwise: a point right of the centre goes below it.
  const q = V.imageToScreen({ ...V.defaultView(), rotation: 90 }, image, viewport, right);
  assert.ok(near(q, [195, 422 + 10 * V.fitScale(image, viewport, 90)]));
  // Flip H after rotation mirrors left-right on screen, whatever the rotation.
  const qf = V.imageToScreen({ ...V.defaultView(), rotation: 90, flipH: true }, image, viewport, right);
  assert.ok(near(qf, q));
  const up = /** @type {[number, number]} */ ([c[0], c[1] - 10]);
  const u = V.imageToScreen({ ...V.defaultView(), rotation: 90 }, image, viewport, up);
  const uf = V.imageToScreen({ ...V.defaultView(), rotation: 90, flipH: true }, image, viewport, up);
  assert.ok(near(uf, [390 - u[0], u[1]]));
  // Rotating a flipped picture still turns it clockwise on screen.
  const flipped = { ...V.defaultView(), flipH: true };
  const turned = V.rotateView(flipped);
  const before = V.imageToScreen(flipped, image, viewport, right), after = V.imageToScreen(turned, image, viewport, right);
  // Clockwise on screen about the centre: (dx, dy) → (−dy, dx), scaled by the new fit.
  const s0 = V.fitScale(image, viewport, flipped.rotation), s1 = V.fitScale(image, viewport, turned.rotation);
  const d0 = [(before[0] - 195) / s0, (before[1] - 422) / s0], d1 = [(after[0] - 195) / s1, (after[1] - 422) / s1];
  assert.ok(near(/** @type {[number, number]} */ (d1), [-d0[1], d0[0]]), `${d0} → ${d1}`);
});

test('testZoomAtKeepsThePointUnderTheFingerStill', () => {
  /** @type {V.View} */
  let v = { ...V.defaultView(), rotation: 270, flipV: true };
  /** @type {[number, number]} */
  const finger = [300, 120];
  const p = V.screenToImage(v, image, viewport, finger);
  v = V.zoomAt(v, 3, finger, image, viewport);
  assert.equal(v.zoom, 3);
  assert.ok(near(V.imageToScreen(v, image, viewport, p), finger, 1e-9));
  assert.equal(V.zoomAt(v, 1e9, finger, image, viewport).zoom, V.MAX_ZOOM);
});

test('testPanMovesThePictureWithThePointer', () => {
  const v0 = { ...V.defaultView(), zoom: 2, rotation: /** @type {const} */ (90) };
  const p = V.screenToImage(v0, image, viewport, [100, 100]);
  const v1 = V.panBy(v0, 25, -40, image, viewport);
  assert.ok(near(V.imageToScreen(v1, image, viewport, p), [125, 60], 1e-9));
});

test('testNormalizeViewRejectsGarbage', () => {
  assert.deepEqual(V.normalizeView(null), V.defaultView());
  assert.deepEqual(V.normalizeView(/** @type {any} */ ({ zoom: 'x', center: [1], rotation: 450, flipH: 1 })), { zoom: 1, center: null, rotation: 90, flipH: false, flipV: false });
  assert.deepEqual(V.normalizeView(/** @type {any} */ ({ zoom: 1e6, center: [3, 4], rotation: -90, flipV: true })), { zoom: V.MAX_ZOOM, center: [3, 4], rotation: 270, flipH: false, flipV: true });
});
