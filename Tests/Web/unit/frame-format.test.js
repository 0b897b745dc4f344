// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, readHeader, splitFrames, FrameFormatError, FrameSplitter } from '../../../Sources/mi-server/Resources/web/viewer/frame-format.js';
import { encodeFrame } from '../../../Sources/mi-server/Resources/web/viewer/dev/mif1-encoder.js';
import { phantomSlice, SIZE } from '../../../Sources/mi-server/Resources/web/viewer/dev/phantom.js';

/** @param {string} hex */
const bytes = (hex) => Uint8Array.from(hex.trim().split(/\s+/).map((h) => parseInt(h, 16)));

/**
 * @param {() => unknown} fn
 * @param {string} code
 */
function throwsCode(fn, code) {
  assert.throws(fn, (/** @type {unknown} */ e) => e instanceof FrameFormatError && e.code === code);
}

// A 3x2 signed 16-bit frame written out by hand from the format description:
// v = [-1000, 40, 300 / 5, -2, 32767]; residuals FC18 0410 0104 / 03ED FFF9 8001 (row 1 starts from v above);
// low-byte plane, then high-byte plane.
const predictedVector = bytes(`
  4d 49 46 31 03 00 02 00 02 01 03 00 00 00 00 00
  18 10 04 ed f9 01   fc 04 01 03 ff 80`);
const vectorValues = [-1000, 40, 300, 5, -2, 32767];

test('testPredictedSignedVectorDecodesToTheHandComputedValues', () => {
  const f = decodeFrame(predictedVector);
  assert.equal(f.columns, 3);
  assert.equal(f.rows, 2);
  assert.ok(f.data instanceof Int16Array);
  assert.deepEqual(Array.from(f.data), vectorValues);
  assert.equal(f.data.byteOffset, 0);
  assert.equal(f.data.buffer.byteLength, 12, 'the typed array owns its whole buffer, so that it can be transferred');
});

test('testEncoderWritesTheHandComputedVector', () => {
  const e = encodeFrame({ columns: 3, rows: 2, bytesPerSample: 2, samplesPerPixel: 1, signed: true, data: vectorValues });
  assert.deepEqual(Array.from(e), Array.from(predictedVector));
});

test('testUnpredictedUnsigned16IsLittleEndianValues', () => {
  const f = decodeFrame(bytes('4d 49 46 31 02 00 01 00 02 01 00 00 00 00 00 00  34 12 ff ff'));
  assert.ok(f.data instanceof Uint16Array);
  assert.deepEqual(Array.from(f.data), [0x1234, 0xffff]);
});

test('testPredictedRGBPredictsEachChannelFromTheSameChannel', () => {
  // 2x2 RGB, 8-bit: pixel (0,0) = 10,20,30; (1,0) = 11,18,30; (0,1) = 5,20,40; (1,1) = 5,25,45.
  const payload = [10, 20, 30, 1, 254, 0, 251, 0, 10, 0, 5, 5];
  const f = decodeFrame(Uint8Array.from([0x4d, 0x49, 0x46, 0x31, 2, 0, 2, 0, 1, 3, 2, 0, 0, 0, 0, 0, ...payload]));
  assert.ok(f.data instanceof Uint8Array);
  assert.deepEqual(Array.from(f.data), [10, 20, 30, 11, 18, 30, 5, 20, 40, 5, 25, 45]);
});

test('testRoundTripsEveryLayout', () => {
  let seed = 12345;
  const random = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
  for (const bytesPerSample of /** @type {const} */ ([1, 2])) {
    for (const samplesPerPixel of /** @type {const} */ ([1, 3])) {
      for (const signed of [false, true]) {
        for (const [predicted, packed] of [[false, false], [true, false], [true, true]]) {
          for (const [columns, rows] of [[1, 1], [1, 7], [7, 1], [13, 5], [64, 33]]) {
            const n = columns * rows * samplesPerPixel;
            const span = bytesPerSample === 1 ? 256 : 65536, low = signed ? -span / 2 : 0;
            const data = Array.from({ length: n }, () => low + Math.floor(random() * span));
            data[0] = low; data[n - 1] = low + span - 1;  // the extremes wrap in the residuals
            const frame = { columns, rows, bytesPerSample, samplesPerPixel, signed, data };
            const decoded = decodeFrame(encodeFrame(frame, { predicted, packed }));
            const what = `B${bytesPerSample} S${samplesPerPixel} ${signed ? 'signed' : 'unsigned'} ${packed ? 'packed' : predicted ? 'predicted' : 'plain'} ${columns}x${rows}`;
            assert.deepEqual(Array.from(decoded.data), data, what);
            assert.equal(decoded.samplesPerPixel, samplesPerPixel, what);
            const type = bytesPerSample === 1 ? (signed ? Int8Array : Uint8Array) : (signed ? Int16Array : Uint16Array);
            assert.ok(decoded.data instanceof type, what);
          }
        }
      }
    }
  }
});

test('testDecodesFromAViewAtAnOddOffset', () => {
  const inner = encodeFrame({ columns: 5, rows: 3, bytesPerSample: 2, samplesPerPixel: 1, signed: false, data: Array.from({ length: 15 }, (_, i) => i * 1000) }, { predicted: false });
  const outer = new Uint8Array(inner.length + 3);
  outer.set(inner, 1);
  const f = decodeFrame(outer.subarray(1, 1 + inner.length));
  assert.deepEqual(Array.from(f.data), Array.from({ length: 15 }, (_, i) => i * 1000));
});

test('testEveryTruncatedPrefixFailsCleanly', () => {
  for (const predicted of [false, true]) {
    const full = encodeFrame({ columns: 4, rows: 3, bytesPerSample: 2, samplesPerPixel: 3, signed: true, data: Array.from({ length: 36 }, (_, i) => i - 18) }, { predicted });
    for (let length = 0; length < full.length; length++) {
      assert.throws(() => decodeFrame(full.subarray(0, length)), (/** @type {unknown} */ e) => e instanceof FrameFormatError && (e.code === 'truncated'), `prefix of ${length}`);
    }
  }
});

test('testTrailingBytesAreRejected', () => {
  const withExtra = Uint8Array.from([...predictedVector, 0]);
  throwsCode(() => decodeFrame(withExtra), 'trailingBytes');
});

test('testHeaderValidation', () => {
  const header = () => Uint8Array.from(predictedVector);
  let b = header(); b[0] = 0x4e;
  throwsCode(() => decodeFrame(b), 'badMagic');
  b = header(); b[4] = 0; b[5] = 0;
  throwsCode(() => readHeader(b), 'invalidHeader');
  b = header(); b[8] = 4;
  throwsCode(() => readHeader(b), 'unsupported');
  b = header(); b[8] = 3;
  throwsCode(() => readHeader(b), 'invalidHeader');
  b = header(); b[9] = 2;
  throwsCode(() => readHeader(b), 'invalidHeader');
  b = header(); b[10] = 0x0b;
  throwsCode(() => readHeader(b), 'unsupported');
  b = header(); b[10] = 0x05;  // packed without prediction
  throwsCode(() => readHeader(b), 'invalidHeader');
  b = header(); b[15] = 1;
  throwsCode(() => readHeader(b), 'invalidHeader');
  assert.deepEqual(readHeader(predictedVector), { columns: 3, rows: 2, bytesPerSample: 2, samplesPerPixel: 1, signed: true, predicted: true, packed: false });
});

test('testAcceptsAnArrayBuffer', () => {
  const copy = predictedVector.slice();
  assert.deepEqual(Array.from(decodeFrame(copy.buffer).data), vectorValues);
});

test('testABatchSplitsIntoItsFramesInOrderAndEachDecodesLikeItsOwnBody', () => {
  const a = encodeFrame({ columns: 3, rows: 2, bytesPerSample: 2, samplesPerPixel: 1, signed: true, data: [-1024, 0, 7, 3000, -2, 1] });
  const b = encodeFrame({ columns: 2, rows: 1, bytesPerSample: 1, samplesPerPixel: 1, signed: false, data: [9, 200] });
  const batch = new Uint8Array(8 + a.length + b.length);
  new DataView(batch.buffer).setUint32(0, a.length, true);
  batch.set(a, 4);
  new DataView(batch.buffer).setUint32(4 + a.length, b.length, true);
  batch.set(b, 8 + a.length);
  const parts = splitFrames(batch.buffer);
  assert.equal(parts.length, 2);
  assert.deepEqual(Array.from(decodeFrame(parts[0]).data), [-1024, 0, 7, 3000, -2, 1]);
  assert.deepEqual(Array.from(decodeFrame(parts[1]).data), [9, 200]);
  assert.equal(decodeFrame(parts[0]).data.byteOffset, 0, 'each decoded frame owns its buffer (transferable)');
  assert.deepEqual(splitFrames(new Uint8Array(0)), []);
  // Every truncation of the batch fails cleanly, except at a frame boundary (a shorter, whole batch).
  for (let n = 1; n < batch.length; n++) {
    if (n === 4 + a.length) { assert.equal(splitFrames(batch.subarray(0, n)).length, 1); continue; }
    assert.throws(() => splitFrames(batch.subarray(0, n)), (/** @type {unknown} */ e) => e instanceof FrameFormatError && e.code === 'truncated', `prefix of ${n}`);
  }
});

test('testABatchArrivingInPiecesOfAnySizeSplitsLikeTheWholeBody', () => {
  /** @type {Uint8Array[]} */
  const frames = [];
  for (let i = 0; i < 7; i++) {
    const n = 1 + ((i * 37) % 23);
    frames.push(encodeFrame({ columns: n, rows: 2, bytesPerSample: 2, samplesPerPixel: 1, signed: true, data: Array.from({ length: 2 * n }, (_, k) => (k * 97 + i * 13) % 4000 - 2000) }, { packed: i % 2 === 0 }));
  }
  const batch = new Uint8Array(frames.reduce((n, f) => n + 4 + f.length, 0));
  let at = 0;
  for (const f of frames) { new DataView(batch.buffer).setUint32(at, f.length, true); batch.set(f, at + 4); at += 4 + f.length; }
  const whole = splitFrames(batch).map((b) => Array.from(b));
  for (const piece of [1, 2, 3, 5, 64, 4096, batch.length]) {
    const splitter = new FrameSplitter();
    /** @type {number[][]} */
    const got = [];
    /** @type {number[]} frames complete after each piece */
    const counts = [];
    for (let i = 0; i < batch.length; i += piece) {
      for (const b of splitter.push(batch.subarray(i, i + piece))) got.push(Array.from(b));
      counts.push(got.length);
    }
    splitter.finish();
    assert.deepEqual(got, whole, `pieces of ${piece} bytes`);
    // A frame comes out with the piece that completes it, not later.
    for (let i = 0, end = 0; i < frames.length; i++) {
      end += 4 + frames[i].length;
      assert.ok(counts[Math.ceil(end / piece) - 1] >= i + 1, `frame ${i} with the piece holding its last byte (pieces of ${piece})`);
    }
  }
  // A body cut inside a length or a frame fails at the end; cut at a frame boundary it is fine.
  for (const n of [2, 4 + frames[0].length + 3, batch.length - 1]) {
    const splitter = new FrameSplitter();
    splitter.push(batch.subarray(0, n));
    assert.throws(() => splitter.finish(), (/** @type {unknown} */ e) => e instanceof FrameFormatError && e.code === 'truncated', `cut at ${n}`);
  }
  const splitter = new FrameSplitter();
  assert.equal(splitter.push(batch.subarray(0, 4 + frames[0].length)).length, 1);
  splitter.finish();
});

// The same 3x2 frame packed: zigzag(-1000, 1040, 260, 1005, -7, -32767) = 1999, 2080, 520, 2010, 13, 65533,
// one short block of width 16.
const packedVector = bytes(`
  4d 49 46 31 03 00 02 00 02 01 07 00 00 00 00 00
  10 cf 07 20 08 08 02 da 07 0d 00 fd ff`);

// 4x1 unsigned 8-bit [0, 1, 3, 2]: residuals 0, 1, 2, -1, zigzag 0, 2, 4, 1, width 3, LSB first:
// bits 0-2 = 000, 3-5 = 010, 6-8 = 100, 9-11 = 001 -> 0b00010000, 0b0011.
const narrowVector = bytes(`
  4d 49 46 31 04 00 01 00 01 01 06 00 00 00 00 00
  03 10 03`);

test('testPackedVectorsDecodeToTheHandComputedValues', () => {
  assert.deepEqual(Array.from(decodeFrame(packedVector).data), vectorValues);
  assert.deepEqual(Array.from(decodeFrame(narrowVector).data), [0, 1, 3, 2]);
  assert.equal(readHeader(packedVector).packed, true);
});

test('testEncoderPacksTheHandComputedVectors', () => {
  const e = encodeFrame({ columns: 3, rows: 2, bytesPerSample: 2, samplesPerPixel: 1, signed: true, data: vectorValues }, { packed: true });
  assert.deepEqual(Array.from(e), Array.from(packedVector));
  const n = encodeFrame({ columns: 4, rows: 1, bytesPerSample: 1, samplesPerPixel: 1, signed: false, data: [0, 1, 3, 2] }, { packed: true });
  assert.deepEqual(Array.from(n), Array.from(narrowVector));
});

test('testFlatRegionsCostOneBytePerSixteenValues', () => {
  // 64x32 of one value: the first residual is the value, every other is 0.
  const frame = { columns: 64, rows: 32, bytesPerSample: /** @type {const} */ (2), samplesPerPixel: /** @type {const} */ (1), signed: true, data: new Array(64 * 32).fill(-1000) };
  const packed = encodeFrame(frame, { packed: true });
  // 128 blocks: the first of width 11 (zigzag(-1000) = 1999) holding 16·11 bits, the other 127 one byte each.
  assert.equal(packed.length, 16 + (1 + 22) + 127);
  assert.deepEqual(Array.from(decodeFrame(packed).data), frame.data);
});

test('testAFlatBlockAcrossARowStartTakesTheRowStartFromTheValueAbove', () => {
  // 24 columns, each row eight 1s then sixteen 9s: values 16…31 (the end of row 0, the start of row 1) are one block
  // of zero residuals, and row 1 starts from the 1 above it, not from the 9 before it.
  for (const bytesPerSample of /** @type {const} */ ([1, 2])) {
    const row = [...new Array(8).fill(1), ...new Array(16).fill(9)];
    const data = [...row, ...row, ...row];
    const frame = { columns: 24, rows: 3, bytesPerSample, samplesPerPixel: /** @type {const} */ (1), signed: false, data };
    const packed = encodeFrame(frame, { packed: true });
    // The first block: residuals 1, 0…, 8 (zigzag 16: 5 bits), 0…: its width byte and 10 bytes.
    assert.equal(packed[16], 5);
    assert.equal(packed[16 + 1 + 10], 0, 'the second block is flat');
    assert.deepEqual(Array.from(decodeFrame(packed).data), data, `B${bytesPerSample}`);
  }
});

test('testPackedDecodesLikeThePlanarFormatOnThePhantom', () => {
  const flat = phantomSlice(0);
  const noisy = flat.slice();
  let seed = 7;
  for (let i = 0; i < noisy.length; i++) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; noisy[i] += ((seed >>> 16) % 41) - 20; }
  for (const data of [flat, noisy]) {
    const frame = { columns: SIZE, rows: SIZE, bytesPerSample: /** @type {const} */ (2), samplesPerPixel: /** @type {const} */ (1), signed: true, data };
    const planar = decodeFrame(encodeFrame(frame, { predicted: true }));
    const packed = encodeFrame(frame, { packed: true });
    const decoded = decodeFrame(packed);
    assert.ok(decoded.data instanceof Int16Array);
    assert.deepEqual(decoded.data, planar.data);
    assert.ok(packed.length < SIZE * SIZE, `packed ${packed.length} bytes, under one byte per value`);
  }
});

test('testEveryTruncatedPrefixOfAPackedFrameFailsCleanly', () => {
  const full = encodeFrame({ columns: 7, rows: 5, bytesPerSample: 2, samplesPerPixel: 3, signed: true, data: Array.from({ length: 105 }, (_, i) => (i * 37) % 500 - 250) }, { packed: true });
  for (let length = 0; length < full.length; length++) {
    assert.throws(() => decodeFrame(full.subarray(0, length)), (/** @type {unknown} */ e) => e instanceof FrameFormatError && (e.code === 'truncated'), `prefix of ${length}`);
  }
});

test('testMalformedPackedPayloadsAreRejected', () => {
  throwsCode(() => decodeFrame(Uint8Array.from([...packedVector, 0])), 'trailingBytes');
  throwsCode(() => decodeFrame(Uint8Array.from([...narrowVector, 0])), 'trailingBytes');
  const wide = Uint8Array.from(packedVector); wide[16] = 17;  // wider than 16-bit samples
  throwsCode(() => decodeFrame(wide), 'invalidPayload');
  const wide8 = Uint8Array.from(narrowVector); wide8[16] = 9;
  throwsCode(() => decodeFrame(wide8), 'invalidPayload');
  // A header that claims 65535x65535 RGB values over a few bytes fails before anything that size is allocated.
  const huge = Uint8Array.from(packedVector); huge[4] = huge[5] = huge[6] = huge[7] = 0xff; huge[9] = 3;
  throwsCode(() => decodeFrame(huge), 'truncated');
  // A block that claims more bits than the bytes left.
  const long = Uint8Array.from(narrowVector); long[16] = 5;
  throwsCode(() => decodeFrame(long), 'truncated');
});
