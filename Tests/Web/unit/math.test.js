// @ts-check
// The vectors of ImagingKit's own tests (Tests/ImagingKitTests/WindowTests.swift, MeasurementTests.swift,
// PhantomTests.swift, Support.swift), applied to the browser math. Names follow the Swift tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gray8, voiOutput, autoWindow, windowsOf, windowExplanation } from '../../../Sources/mi-server/Resources/web/viewer/math/voi.js';
import { rescaleOf, modalityValue, modalityUnit, modalityValues } from '../../../Sources/mi-server/Resources/web/viewer/math/modality.js';
import { PALETTE_NAMES, paletteRGBA, paletteName } from '../../../Sources/mi-server/Resources/web/viewer/math/palette.js';
import { grayLevel, displayRGBA } from '../../../Sources/mi-server/Resources/web/viewer/math/pipeline.js';
import * as M from '../../../Sources/mi-server/Resources/web/viewer/math/measurements.js';
import * as G from '../../../Sources/mi-server/Resources/web/viewer/math/geometry.js';
import { orientationMarkers, viewOrientationMarkers } from '../../../Sources/mi-server/Resources/web/viewer/math/orientation.js';
import { sharpen3x3 } from '../../../Sources/mi-server/Resources/web/viewer/math/sharpen.js';
import { formatValue, formatLength, formatAngle, formatArea, formatRegion } from '../../../Sources/mi-server/Resources/web/viewer/math/format.js';
import { CT_PRESETS, presetsFor } from '../../../Sources/mi-server/Resources/web/viewer/math/presets.js';

// Support.swift's independent oracles, written out again.
/** @param {number} x @param {number} c @param {number} w */
const linear = (x, c, w) => Math.round(x <= c - 0.5 - (w - 1) / 2 ? 0 : x > c - 0.5 + (w - 1) / 2 ? 255 : ((x - (c - 0.5)) / (w - 1) + 0.5) * 255);
/** @param {number} x @param {number} c @param {number} w */
const linearExact = (x, c, w) => Math.round(x <= c - w / 2 ? 0 : x > c + w / 2 ? 255 : ((x - c) / w + 0.5) * 255);
/** @param {number} x @param {number} c @param {number} w */
const sigmoid = (x, c, w) => Math.round(255 / (1 + Math.exp((-4 * (x - c)) / w)));

/** @type {Array<[number, boolean]>} */
const depths = [[8, false], [8, true], [12, false], [12, true], [16, false], [16, true]];
/** @param {number} bits @param {boolean} signed */
function allValues(bits, signed) {
  const lo = signed ? -(2 ** (bits - 1)) : 0, hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}
const identity = { slope: 1, intercept: 0 };

test('linearWindowMatchesTheStandardFormulaForEveryStoredValue', () => {
  for (const [bits, signed] of depths) {
    const values = allValues(bits, signed), span = 2 ** bits;
    for (const [c, w] of [[signed ? 0 : span / 2, span / 3], [signed ? -10.5 : 100.25, 37.5], [signed ? 5 : 50, 1], [signed ? 0 : span / 2, 2]]) {
      const p = { rescale: identity, window: { center: c, width: w }, monochrome1: false, invert: false, palette: 'gray' };
      for (const v of values) {
        if (grayLevel(v, p) !== linear(v, c, Math.max(w, 1))) assert.fail(`C ${c} W ${w} ${bits} bits ${signed ? 'signed' : 'unsigned'}: value ${v}`);
      }
    }
  }
});

test('linearExactAndSigmoidMatchTheStandardFormulas', () => {
  for (const [bits, signed] of depths) {
    const c = signed ? -3 : 2 ** (bits - 1), w = 2 ** bits / 5;
    for (const v of allValues(bits, signed)) {
      if (gray8(v, { center: c, width: w, function: 'LINEAR_EXACT' }) !== linearExact(v, c, w)) assert.fail(`LINEAR_EXACT ${bits} ${signed} ${v}`);
      if (gray8(v, { center: c, width: w, function: 'SIGMOID' }) !== sigmoid(v, c, w)) assert.fail(`SIGMOID ${bits} ${signed} ${v}`);
    }
  }
});

test('windowAppliesToModalityValuesAfterSlopeAndIntercept', () => {
  for (const [slope, intercept] of [[1, -1024], [0.37, -3.25], [2.5, 0], [-1, 100], [1e-4, 0.5]]) {
    const p = { rescale: { slope, intercept }, window: { center: 40, width: 400 }, monochrome1: false, invert: false, palette: 'gray' };
    for (const v of allValues(12, false)) {
      if (grayLevel(v, p) !== linear(slope * v + intercept, 40, 400)) assert.fail(`slope ${slope} intercept ${intercept}: ${v}`);
    }
  }
});

test('zeroOrMissingSlopeReadsAsOne', () => {
  assert.deepEqual(rescaleOf({ rescaleSlope: 0, rescaleIntercept: -1024 }), { slope: 1, intercept: -1024 });
  assert.deepEqual(rescaleOf({}), { slope: 1, intercept: 0 });
  assert.deepEqual(rescaleOf({ rescaleSlope: NaN, rescaleIntercept: Infinity }), { slope: 1, intercept: 0 });
  assert.equal(modalityValue(24, { slope: 1, intercept: -1024 }), -1000);
});

test('monochrome1AndUserInvertEachInvertAndCancelTogether', () => {
  const window = { center: 2000, width: 3000 };
  for (const v of allValues(12, false)) {
    const plain = linear(v, 2000, 3000);
    const base = { rescale: identity, window, palette: 'gray' };
    assert.equal(grayLevel(v, { ...base, monochrome1: true, invert: false }), 255 - plain);
    assert.equal(grayLevel(v, { ...base, monochrome1: false, invert: true }), 255 - plain);
    assert.equal(grayLevel(v, { ...base, monochrome1: true, invert: true }), plain);
  }
});

test('multipleWindowsAreOfferedWithTheirExplanations', () => {
  const windows = windowsOf({ windows: [{ center: 40, width: 400, explanation: 'SOFT TISSUE' }, { center: -600, width: 1500, explanation: 'LUNG' }, { center: 0, width: 0, explanation: 'BROKEN' }] });
  assert.deepEqual(windows, [{ center: 40, width: 400, explanation: 'SOFT TISSUE' }, { center: -600, width: 1500, explanation: 'LUNG' }]);
  assert.equal(windowExplanation(windows[1]), 'C -600 W 1500 (LUNG)');
});

test('autoWindowSpansTheBulkOfTheHistogram', () => {
  const values = new Float32Array(10_000);
  for (let i = 0; i < values.length; i++) values[i] = i % 1000;
  values[0] = -30_000; values[1] = 30_000;
  const w = autoWindow(values);
  assert.ok(Math.abs(w.center - 500) < 40, `centre ${w.center}`);
  assert.ok(w.width > 900 && w.width < 1200, `width ${w.width}`);
  assert.deepEqual(autoWindow([5, 5, 5]), { center: 5, width: 1, explanation: 'AUTO' });
});

test('paletteMakesRGBAFromTheGrayLevel', () => {
  const p = { rescale: identity, window: { center: 127.5, width: 256 }, monochrome1: false, invert: false, palette: 'hot-iron' };
  assert.deepEqual(displayRGBA(0, p), [0, 0, 0, 255]);
  assert.deepEqual(displayRGBA(255, p), [255, 255, 255, 255]);
  for (const name of PALETTE_NAMES) assert.equal(paletteRGBA(name).length, 1024);
  assert.equal(paletteName('HOT_IRON'), 'hot-iron');
  assert.equal(paletteName('hotiron'), 'hot-iron');
  assert.equal(paletteName('grey'), 'gray');
  assert.equal(paletteName('viridis'), null);
});

test('lengthsMatchAnalyticDistancesWithAnisotropicSpacing', () => {
  /** @type {M.PixelSpacing} */
  const spacing = { row: 0.8, column: 0.5, source: 'pixelSpacing' };
  const m = M.length([10, 20], [40, 60], spacing);
  assert.ok(Math.abs(m.value - Math.sqrt(15 * 15 + 32 * 32)) < 1e-12 && m.unit === 'mm');
  assert.equal(M.length([10, 20], [10, 30], spacing).value, 8);
  assert.equal(M.length([10, 20], [20, 20], spacing).value, 5);
  assert.deepEqual(M.length([10, 20], [40, 60], M.PIXELS), { value: 50, unit: 'px' });
});

test('spacingFallsBackFromPixelToImagerSpacingToPixels', () => {
  assert.equal(M.pixelSpacingOf({}).source, 'pixels');
  const imager = M.pixelSpacingOf({ imagerPixelSpacing: [0.143, 0.143] });
  assert.ok(imager.source === 'imagerPixelSpacing' && M.spacingCaveat(imager) !== null && M.lengthUnit(imager) === 'mm');
  assert.deepEqual(M.pixelSpacingOf({ imagerPixelSpacing: [0.143, 0.143], pixelSpacing: [0.7, 0.3] }), { row: 0.7, column: 0.3, source: 'pixelSpacing' });
  assert.equal(M.pixelSpacingOf({ pixelSpacing: [0, 0.3] }).source, 'pixels');
});

test('anglesAreMeasuredInPhysicalSpace', () => {
  assert.ok(Math.abs(M.angle([0, 0], [10, 0], [0, 10], M.PIXELS) - 90) < 1e-9);
  const a = M.angle([0, 0], [10, 0], [10, 10], { row: 2, column: 1, source: 'pixelSpacing' });
  assert.ok(Math.abs(a - 63.43494882292201) < 1e-9);
});

test('orientationMarkersForAxialCoronalSagittalAndOblique', () => {
  /** @param {import('../../../Sources/mi-server/Resources/web/viewer/math/orientation.js').Markers} m */
  const lrtb = (m) => [m.left, m.right, m.top, m.bottom];
  assert.deepEqual(lrtb(orientationMarkers([1, 0, 0], [0, 1, 0])), ['R', 'L', 'A', 'P']);
  assert.deepEqual(lrtb(orientationMarkers([1, 0, 0], [0, 0, -1])), ['R', 'L', 'H', 'F']);
  assert.deepEqual(lrtb(orientationMarkers([0, 1, 0], [0, 0, -1])), ['A', 'P', 'H', 'F']);
  const c = 0.8660254037844387, s = 0.5;
  const oblique = orientationMarkers([c, s, 0], [-s * 0.6, c * 0.6, -0.8]);
  assert.ok(oblique.right === 'LP' && oblique.left === 'RA');
  assert.ok(oblique.bottom === 'FPR' && oblique.top === 'HAL');
  const nearlyAxial = orientationMarkers([0.999, 0.04, 0], [-0.04, 0.999, 0]);
  assert.ok(nearlyAxial.right === 'L' && nearlyAxial.bottom === 'P');
});

test('orientationMarkersFollowTheViewsRotationAndFlips', () => {
  const axial = [1, 0, 0, 0, 1, 0];
  const base = { zoom: 1, center: null, flipH: false, flipV: false };
  /** @param {any} v */
  const lrtb = (v) => { const m = viewOrientationMarkers(axial, v); return m && [m.left, m.right, m.top, m.bottom]; };
  assert.deepEqual(lrtb({ ...base, rotation: 0 }), ['R', 'L', 'A', 'P']);
  // Turned clockwise: what was at the top (A) is now on the right.
  assert.deepEqual(lrtb({ ...base, rotation: 90 }), ['P', 'A', 'R', 'L']);
  assert.deepEqual(lrtb({ ...base, rotation: 180 }), ['L', 'R', 'P', 'A']);
  assert.deepEqual(lrtb({ ...base, rotation: 0, flipH: true }), ['L', 'R', 'A', 'P']);
  assert.deepEqual(lrtb({ ...base, rotation: 0, flipV: true }), ['R', 'L', 'P', 'A']);
  assert.equal(viewOrientationMarkers(null, { ...base, rotation: 0 }), null);
});

test('patientGeometryMapsPixelsAndBack', () => {
  const g = G.patientGeometryOf({ imagePositionPatient: [-100, -120, 50], imageOrientationPatient: [1, 0, 0, 0, 1, 0] }, { row: 0.8, column: 0.5, source: 'pixelSpacing' });
  assert.ok(g);
  const p = G.patientPoint(g, [10, 20]);
  assert.deepEqual(p, [-95, -104, 50]);
  assert.deepEqual(G.pixelPoint(g, p), [10, 20]);
});

test('screenPointsMapBackThroughFlipRotateAndZoom', () => {
  const w = 4, h = 3;
  // The raster after flipping horizontally and turning clockwise once, built by index arithmetic.
  const t = G.then(G.flip('horizontal', w, h), G.rotation(1, w, h));
  /** @type {number[][]} */
  const rotated = Array.from({ length: w }, () => Array(h).fill(-1));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const fx = w - 1 - x; rotated[fx][h - 1 - y] = y * w + x; }
  const inverse = G.invert(t);
  assert.ok(inverse);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const q = G.apply(t, [x, y]);
      assert.equal(rotated[q[1]][q[0]], y * w + x);
      const back = G.apply(inverse, q);
      assert.ok(Math.abs(back[0] - x) < 1e-12 && Math.abs(back[1] - y) < 1e-12);
    }
  }
  const zoom = G.resize(4, 3, 8, 6);
  assert.deepEqual(G.apply(zoom, [-0.5, -0.5]), [-0.5, -0.5]);
  assert.deepEqual(G.apply(zoom, [3.5, 2.5]), [7.5, 5.5]);
});

test('filtersKeepFlatRegionsFlatAndOvershootAtEdges', () => {
  const flat = new Float64Array(20).fill(7);
  assert.ok(sharpen3x3(flat, 5, 4, 2).every((v) => Math.abs(v - 7) < 1e-9));
  const edge = sharpen3x3([0, 0, 0, 100, 100, 100], 6, 1, 1);
  assert.ok(edge[2] < 0 && edge[3] > 100, `${Array.from(edge)}`);
  assert.deepEqual(Array.from(sharpen3x3([1, 2, 3], 3, 1, 0)), [1, 2, 3]);
});

// PhantomTests.swift: a water disc (40 HU) of radius 20 px at (32, 32) in air (−1000 HU), 64×64, spacing 0.5 × 0.8.
const disc = (() => {
  const stored = new Int16Array(64 * 64);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) stored[y * 64 + x] = ((x - 32) ** 2 + (y - 32) ** 2 <= 400 ? 40 : -1000) + 1024;
  return { stored, rescale: rescaleOf({ rescaleSlope: 1, rescaleIntercept: -1024 }), spacing: M.pixelSpacingOf({ pixelSpacing: [0.5, 0.8] }) };
})();
/** @param {number} x @param {number} y */
const discValue = (x, y) => modalityValue(disc.stored[y * 64 + x], disc.rescale);

test('probeReturnsThePhantomHounsfieldUnits', () => {
  assert.equal(discValue(32, 32), 40);
  assert.equal(discValue(1, 1), -1000);
  assert.equal(modalityUnit({ modality: 'CT' }), 'HU');
  assert.deepEqual(M.pixelAt([32.4, 31.6], 64, 64), [32, 32]);
  assert.equal(M.pixelAt([63.6, 0], 64, 64), null);
  assert.equal(formatValue(-855, 'HU'), '-855 HU');
});

test('ellipseInsideTheDiscHasItsValueExactly', () => {
  const s = M.regionStatistics({ kind: 'ellipse', cx: 32, cy: 32, rx: 15, ry: 10 }, discValue, 64, 64, disc.spacing, 'HU');
  assert.ok(s);
  assert.ok(s.mean === 40 && s.standardDeviation === 0 && s.min === 40 && s.max === 40);
  let count = 0;
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) if ((x - 32) ** 2 / 225 + (y - 32) ** 2 / 100 <= 1) count++;
  assert.equal(s.pixels, count);
  assert.ok(Math.abs(s.area - count * 0.4) < 1e-9 && s.areaUnit === 'mm2');
});

test('rectangleAcrossTheEdgeMixesWaterAndAir', () => {
  const s = M.regionStatistics({ kind: 'rectangle', x: 0, y: 32, width: 64, height: 1 }, discValue, 64, 64, M.PIXELS, 'HU');
  assert.ok(s);
  const mean = (41 * 40 + 23 * -1000) / 64;
  assert.ok(s.pixels === 64 && Math.abs(s.mean - mean) < 1e-9 && s.min === -1000 && s.max === 40 && s.areaUnit === 'px2');
  const sd = Math.sqrt((41 * (40 - mean) ** 2 + 23 * (-1000 - mean) ** 2) / 64);
  assert.ok(Math.abs(s.standardDeviation - sd) < 1e-9);
  const triangle = M.regionStatistics({ kind: 'polygon', points: [[0, 0], [10, 0], [0, 10]] }, discValue, 64, 64, M.PIXELS, 'HU');
  assert.equal(triangle?.mean, -1000);
  assert.equal(M.regionStatistics({ kind: 'rectangle', x: 70, y: 70, width: 3, height: 3 }, discValue, 64, 64, M.PIXELS, 'HU'), null);
});

test('renderedPhantomHasTheWindowedGreyLevels', () => {
  const p = { rescale: disc.rescale, window: CT_PRESETS.find((x) => x.name === 'abdomen')?.window ?? { center: 0, width: 0 }, monochrome1: false, invert: false, palette: 'gray' };
  assert.equal(grayLevel(disc.stored[32 * 64 + 32], p), linear(40, 40, 400));
  assert.equal(grayLevel(disc.stored[0], p), 0);
});

test('unitIsRescaleTypeOutsideCT', () => {
  assert.equal(modalityUnit({ modality: 'PT', rescaleType: 'BQML' }), 'BQML');
  assert.equal(modalityUnit({ modality: 'MR' }), '');
  assert.equal(modalityUnit({ modality: 'CT', rescaleType: 'US' }), 'HU');
  assert.equal(modalityUnit({ modality: 'OT', rescaleType: 'hu' }), 'HU');
});

test('modalityValuesUseFloat32LikeImagingKit', () => {
  const v = modalityValues(new Int16Array([0, 1, 3]), { slope: 0.1, intercept: 0 });
  assert.equal(v[1], Math.fround(0.1));
  assert.equal(v[2], Math.fround(Math.fround(3 * Math.fround(0.1))));
});

test('measurementTextIsNumberThenUnit', () => {
  assert.equal(formatValue(-855.2, 'HU'), '-855 HU');
  assert.equal(formatValue(-0.3, 'HU'), '0 HU');
  assert.equal(formatValue(2.345, 'BQML'), '2.35 BQML');
  assert.equal(formatValue(12, ''), '12');
  assert.equal(formatLength({ value: 70, unit: 'mm' }), '70.0 mm');
  assert.equal(formatAngle(45), '45.0°');
  assert.equal(formatArea(312.54, 'mm2'), '312.5 mm²');
  assert.equal(formatArea(3, 'px2'), '3.0 px²');
  assert.deepEqual(formatRegion({ pixels: 3, mean: 40, standardDeviation: 0, min: 40, max: 40, area: 1.2, areaUnit: 'mm2', unit: 'HU' }),
    ['mean 40.0 HU', 'SD 0.0 HU', 'area 1.2 mm²']);
  assert.deepEqual(formatRegion({ pixels: 3, mean: -855.04, standardDeviation: 2.25, min: -860, max: -850, area: 1.2, areaUnit: 'mm2', unit: 'HU' },
    { mean: '均值', sd: '标准差', area: '面积' }), ['均值 -855.0 HU', '标准差 2.3 HU', '面积 1.2 mm²']);
});

test('presetsOfferTheDataWindowsTheModalityPresetsAndAuto', () => {
  const ct = presetsFor('CT', [{ center: 40, width: 400, explanation: 'SOFT' }]);
  assert.deepEqual(ct.map((p) => p.name), ['default', 'dicom-1', 'brain', 'subdural', 'stroke', 'lung', 'mediastinum', 'abdomen', 'liver', 'bone', 'temporal-bone', 'auto']);
  assert.deepEqual(presetsFor('MR', []).map((p) => p.name), ['auto']);
  const byName = Object.fromEntries(CT_PRESETS.map((p) => [p.name, [p.window.center, p.window.width]]));
  // ImagingKit's Window.presets, value for value.
  assert.deepEqual([byName.lung, byName.mediastinum, byName.bone, byName.brain, byName.abdomen, byName.liver],
    [[-600, 1500], [50, 350], [400, 1800], [40, 80], [40, 400], [60, 160]]);
  assert.equal(voiOutput(40, { center: 40, width: 1 }), 1);
});
