// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seriesStack } from '../../../Sources/mi-server/Resources/web/viewer/stack.js';

/** @param {Partial<import('../../../Sources/mi-server/Resources/web/viewer/viewer.js').InstanceMeta>} m */
const instance = (m) => ({ sopInstanceUID: 'x', rows: 4, columns: 4, ...m });

test('testInstancesAreOrderedByInstanceNumberAndMultiFrameOnesExpanded', () => {
  const stack = seriesStack([instance({ sopInstanceUID: 'b', instanceNumber: 2, numberOfFrames: 3 }), instance({ sopInstanceUID: 'a', instanceNumber: 1 })]);
  assert.deepEqual(stack.map((s) => s.key), ['a/1', 'b/1', 'b/2', 'b/3']);
  assert.deepEqual(stack.map((s) => s.frameNumber), [1, 1, 2, 3]);
});

test('testEachFrameOfAnEnhancedImageReadsItsOwnRescaleWindowAndPlane', () => {
  const frames = [0, 1, 2].map((i) => ({
    rescaleSlope: 1 + i, rescaleIntercept: -1024 + i, rescaleType: 'HU', windows: [{ center: 40 + i, width: 400, explanation: '' }],
    pixelSpacing: [0.5, 0.5], sliceThickness: 1, imagePositionPatient: [0, 0, -10 * i], imageOrientationPatient: [1, 0, 0, 0, 1, 0],
  }));
  const enhanced = instance({ sopInstanceUID: 'e', numberOfFrames: 3, rescaleSlope: 1, rescaleIntercept: -1024, modality: 'CT', frames });
  const stack = seriesStack([enhanced]);
  assert.equal(stack.length, 3);
  for (const [i, item] of stack.entries()) {
    assert.equal(item.instance.rescaleSlope, 1 + i);
    assert.equal(item.instance.rescaleIntercept, -1024 + i);
    assert.deepEqual(item.instance.windows?.[0].center, 40 + i);
    assert.deepEqual(item.instance.imagePositionPatient, [0, 0, -10 * i]);
    // What the frames do not replace stays the instance's.
    assert.equal(item.instance.sopInstanceUID, 'e');
    assert.equal(item.instance.modality, 'CT');
  }
});

test('testPerFrameValuesThatDoNotCoverEveryFrameAreIgnored', () => {
  const frames = [{ rescaleSlope: 2, rescaleIntercept: 0, windows: [] }];
  const stack = seriesStack([instance({ sopInstanceUID: 'e', numberOfFrames: 2, rescaleSlope: 1, frames })]);
  assert.deepEqual(stack.map((s) => s.instance.rescaleSlope), [1, 1]);
});
