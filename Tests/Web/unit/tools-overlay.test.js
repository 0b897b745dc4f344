// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measurementText, normalizeMeasurement, createTool, hitHandle, labelPosition } from '../../../Sources/mi-server/Resources/web/viewer/tools.js';
import { cornerItems, formatPersonName, formatDate, formatTime } from '../../../Sources/mi-server/Resources/web/viewer/overlay.js';
import { mergeView, defaultView } from '../../../Sources/mi-server/Resources/web/viewer/math/view.js';
import { phantomHU, phantomSeries, SPACING } from '../../../Sources/mi-server/Resources/web/viewer/dev/phantom.js';

/** @typedef {import('../../../Sources/mi-server/Resources/web/viewer/tools.js').Measurement} Measurement */
/** @typedef {[number, number]} Point */

/**
 * The phantom's slice 0 as a measuring context.
 * @type {import('../../../Sources/mi-server/Resources/web/viewer/tools.js').MeasureContext}
 */
const phantom = {
  width: 512, height: 512, samplesPerPixel: 1,
  valueAt: (x, y) => phantomHU(x, y, 0), samplesAt: (x, y) => [phantomHU(x, y, 0) + 1024],
  unit: 'HU', spacing: { row: SPACING, column: SPACING, source: 'pixelSpacing' },
};
/**
 * @param {Measurement['kind']} kind
 * @param {Point[]} points
 * @returns {Measurement}
 */
const m = (kind, points) => ({ id: 'x', kind, points, sopInstanceUID: '1.2', frame: 1 });

test('testMeasurementTextIsNumberThenUnit', () => {
  assert.deepEqual(measurementText(m('probe', [[256.3, 255.8]]), phantom).lines, ['-855 HU']);
  assert.deepEqual(measurementText(m('probe', [[600, 10]]), phantom).lines, ['—']);
  assert.deepEqual(measurementText(m('length', [[150, 300], [250, 300]]), phantom).lines, ['70.0 mm']);
  assert.deepEqual(measurementText(m('angle', [[100, 200], [200, 200], [150, 150]]), phantom).lines, ['45.0°']);
  assert.deepEqual(measurementText(m('angle', [[100, 200], [200, 200]]), phantom).lines, []);
  assert.deepEqual(measurementText(m('rectangle', [[139, 299], [120, 280]]), phantom).lines, ['mean 40.0 HU', 'SD 0.0 HU', 'area 196.0 mm²']);
  const e = measurementText(m('ellipse', [[236, 236], [276, 276]]), phantom);
  assert.deepEqual(e.lines.slice(0, 2), ['mean -855.0 HU', 'SD 0.0 HU']);
  const imager = { ...phantom, spacing: /** @type {const} */ ({ row: 0.2, column: 0.2, source: 'imagerPixelSpacing' }) };
  assert.ok(measurementText(m('length', [[0, 0], [0, 10]]), imager).caveat);
  const pixels = { ...phantom, spacing: /** @type {const} */ ({ row: 1, column: 1, source: 'pixels' }) };
  assert.deepEqual(measurementText(m('length', [[0, 0], [30, 40]]), pixels).lines, ['50.0 px']);
  const rgb = { ...phantom, samplesPerPixel: 3, samplesAt: () => [1, 2, 3] };
  assert.deepEqual(measurementText(m('probe', [[1, 1]]), rgb).lines, ['R 1 G 2 B 3']);
});

test('testSharedMeasurementsAreCheckedBeforeUse', () => {
  assert.equal(normalizeMeasurement({ kind: 'laser', points: [[0, 0]], sopInstanceUID: 'a', frame: 1 }), null);
  assert.equal(normalizeMeasurement({ kind: 'length', points: [[0, 0], [1, NaN]], sopInstanceUID: 'a', frame: 1 }), null);
  assert.equal(normalizeMeasurement({ kind: 'length', points: [[0, 0]], sopInstanceUID: 'a', frame: 0 }), null);
  assert.equal(normalizeMeasurement(null), null);
  assert.deepEqual(normalizeMeasurement({ id: 'k', kind: 'probe', points: [[1, 2]], sopInstanceUID: 'a', frame: 2, extra: 1 }),
    { id: 'k', kind: 'probe', points: [[1, 2]], sopInstanceUID: 'a', frame: 2 });
});

test('testMergeViewIgnoresMalformedFields', () => {
  const current = { ...defaultView(), zoom: 2, center: /** @type {Point} */ ([1, 2]) };
  assert.deepEqual(mergeView(current, { zoom: 'x', rotation: 45, flipH: 1, center: [1] }), current);
  assert.deepEqual(mergeView(current, { zoom: 3, rotation: 270, flipV: true, center: null }), { ...current, zoom: 3, rotation: 270, flipV: true, center: null });
});

/** A tool host over a fixed 2× view of a 512×512 image, recording what the tool asks. */
function fakeHost() {
  /** @type {Measurement[]} */
  const measurements = [];
  const log = /** @type {string[]} */ ([]);
  let window = { center: 40, width: 400 };
  /** @type {import('../../../Sources/mi-server/Resources/web/viewer/tools.js').ToolHost} */
  const host = {
    screenToImage: (q) => [q[0] / 2, q[1] / 2],
    imageToScreen: (p) => [p[0] * 2, p[1] * 2],
    getWindow: () => window,
    setWindow: (w) => { window = w; },
    windowStep: (w) => w / 256,
    panBy: (dx, dy) => log.push(`pan ${dx},${dy}`),
    zoomAt: (f) => log.push(`zoom ${f.toFixed(3)}`),
    scrollBy: (n) => log.push(`scroll ${n}`),
    currentImage: () => ({ sopInstanceUID: '1.2', frame: 1 }),
    visibleMeasurements: () => measurements,
    putMeasurement: (x) => { const i = measurements.findIndex((y) => y.id === x.id); if (i >= 0) measurements[i] = x; else measurements.push(x); },
    removeMeasurement: (id) => { const i = measurements.findIndex((y) => y.id === id); if (i >= 0) measurements.splice(i, 1); },
    select: () => undefined,
  };
  return { host, measurements, log, window: () => window };
}

test('testWindowLevelDragWidensToTheRightAndRaisesTheCentreDownwards', () => {
  const f = fakeHost();
  const t = createTool('wwwl', f.host);
  t.start([100, 100]);
  t.move([356, 100]);
  assert.deepEqual(f.window(), { center: 40, width: 800 });
  t.move([100, 356]);
  assert.deepEqual(f.window(), { center: 440, width: 400 });
  t.move([-1000, 100]);
  assert.equal(f.window().width, 1, 'the width never goes below 1');
  t.end([0, 0]);
});

test('testDrawingToolsMakeMeasurementsAndDropStrayTaps', () => {
  const f = fakeHost();
  const length = createTool('length', f.host);
  length.start([100, 100]); length.move([300, 100]); length.end([300, 100]);
  assert.deepEqual(f.measurements.map((x) => x.points), [[[50, 50], [150, 50]]]);
  length.start([400, 400]); length.end([401, 400]);
  assert.equal(f.measurements.length, 1, 'a tap with the length tool draws nothing');
  // Pressing on a handle moves it.
  length.start([299, 101]); length.move([300, 200]); length.end([300, 200]);
  assert.deepEqual(f.measurements[0].points, [[50, 50], [150, 100]]);
  // Angle: drag the first ray, then press for the second ray's end.
  const angle = createTool('angle', f.host);
  angle.start([0, 400]); angle.move([200, 400]); angle.end([200, 400]);
  angle.start([100, 300]); angle.end([100, 300]);
  assert.deepEqual(f.measurements[1].points, [[0, 200], [100, 200], [50, 150]]);
  // A second finger cancels a drawing in progress.
  const probe = createTool('probe', f.host);
  probe.start([10, 10]);
  assert.equal(f.measurements.length, 3);
  probe.cancel();
  assert.equal(f.measurements.length, 2);
  const hit = hitHandle(f.measurements, [201, 401], f.host.imageToScreen, 14);
  assert.deepEqual([hit?.measurement.kind, hit?.handle], ['angle', 1]);
});

test('testStackZoomAndPanToolsReportTheirSteps', () => {
  const f = fakeHost();
  const stack = createTool('stack', f.host);
  stack.start([0, 0]); stack.move([0, 30]); stack.move([0, 6]); stack.end([0, 6]);
  assert.deepEqual(f.log, ['scroll 2', 'scroll -1']);
  f.log.length = 0;
  const pan = createTool('pan', f.host);
  pan.start([0, 0]); pan.move([5, 7]); pan.end([5, 7]);
  const zoom = createTool('zoom', f.host);
  zoom.start([0, 0]); zoom.move([0, -150]); zoom.end([0, -150]);
  assert.deepEqual(f.log, ['pan 5,7', `zoom ${Math.E.toFixed(3)}`]);
});

test('testLabelsStayInsideTheViewport', () => {
  const [x, y] = labelPosition(m('probe', [[500, 0]]), (p) => [p[0], p[1]], { width: 390, height: 844 }, { width: 90, height: 16 });
  assert.ok(x + 90 <= 390 && y >= 0);
});

test('testCornersFollowImagingKitsLayout', () => {
  const { study, series, instances } = phantomSeries(3);
  const c = cornerItems({ study, series, instance: { ...instances[1], lossy: true }, index: 1, count: 3, window: { center: 40.25, width: 400 }, scale: 1.5 });
  assert.deepEqual(c.tl.map((i) => i.value), ['Doe Jane', 'P-0042', 'F 054Y']);
  assert.deepEqual(c.tr.map((i) => i.value), ['Harness General Hospital', 'CT CHEST (PHANTOM)', '2026-11-30 09:30:00', 'Se: 3', 'Im: 2/3']);
  assert.deepEqual(c.bl.map((i) => i.value), ['ST 5 mm', 'SL -95']);
  assert.deepEqual(c.br.map((i) => i.value), ['WW 400 WL 40.3', 'Zoom 150%', 'LOSSY']);
  assert.equal(formatPersonName('Wang^XiaoDong=王^小东'), 'Wang XiaoDong');
  assert.equal(formatPersonName('=王^小东'), '王 小东');
  assert.equal(formatPersonName('张三'), '张三');
  assert.equal(formatDate('20240131'), '2024-01-31');
  assert.equal(formatTime('0930'), '09:30');
  assert.equal(formatTime('093015.123'), '09:30:15');
});

test('testCornersShowKVpAndMAsForXRayModalitiesAndTRTEForMR', () => {
  const { study, series, instances } = phantomSeries(1);
  const ct = cornerItems({ study, series, instance: { ...instances[0], kvp: 120, exposureMAs: 2.5, repetitionTime: 9, echoTime: 9 }, index: 0, count: 1, window: null, scale: null });
  assert.deepEqual(ct.bl.map((i) => i.value), ['120 kVp', '2.5 mAs', 'ST 5 mm', 'SL -100']);
  assert.deepEqual(ct.bl.slice(0, 2).map((i) => [i.key, i.params?.value]), [['kvp', '120'], ['mAs', '2.5']]);
  const mr = cornerItems({ study, series: { ...series, modality: 'MR' }, instance: { ...instances[0], modality: 'MR', kvp: 120, repetitionTime: 4000, echoTime: 102.456 }, index: 0, count: 1, window: null, scale: null });
  assert.deepEqual(mr.bl.map((i) => i.value), ['TR 4000', 'TE 102.46', 'ST 5 mm', 'SL -100']);
  const dx = cornerItems({ study, series: { ...series, modality: 'DX' }, instance: { ...instances[0], modality: 'DX', kvp: 125, sliceThickness: 5 }, index: 0, count: 1, window: null, scale: null });
  assert.deepEqual(dx.bl.map((i) => i.value), ['125 kVp'], 'no slice for a radiograph, no mAs when the file has none');
});
