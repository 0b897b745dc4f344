// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameLoader, SOLO_SLOTS } from '../../../Sources/mi-server/Resources/web/viewer/loader.js';
import { FrameFetchError, fetchFrame, fetchFrames } from '../../../Sources/mi-server/Resources/web/viewer/frame-fetch.js';
import { encodeFrame } from '../../../Sources/mi-server/Resources/web/viewer/dev/mif1-encoder.js';

/** @typedef {import('../../../Sources/mi-server/Resources/web/viewer/frame-format.js').DecodedFrame} DecodedFrame */
/** @typedef {import('../../../Sources/mi-server/Resources/web/viewer/loader.js').FrameRef} FrameRef */

/** @param {number} bytes @returns {DecodedFrame} */
const frameOf = (bytes) => ({ columns: bytes, rows: 1, bytesPerSample: 1, samplesPerPixel: 1, signed: false, data: new Uint8Array(bytes) });

/**
 * A fake network: every fetch waits until the test settles it.
 */
function fakeNetwork() {
  /** @type {Map<string, { resolve: (f: DecodedFrame) => void, reject: (e: Error) => void, signal: AbortSignal }>} */
  const open = new Map();
  /** @type {string[]} */
  const aborted = [];
  /** @type {(ref: FrameRef, signal: AbortSignal) => Promise<DecodedFrame>} */
  const fetchFrame = (ref, signal) => new Promise((resolve, reject) => {
    open.set(ref.key, { resolve, reject, signal });
    signal.addEventListener('abort', () => { aborted.push(ref.key); open.delete(ref.key); reject(new FrameFetchError('aborted', ref.key)); });
  });
  return {
    fetchFrame, open, aborted,
    /** @param {string} key @param {number} [bytes] */
    complete(key, bytes = 100) { const o = open.get(key); assert.ok(o, `${key} is not being fetched`); open.delete(key); o.resolve(frameOf(bytes)); },
    /** @param {string} key @param {Error} e */
    fail(key, e) { const o = open.get(key); assert.ok(o, `${key} is not being fetched`); open.delete(key); o.reject(e); },
  };
}

const flush = () => new Promise((resolve) => { setTimeout(resolve, 0); });
/** @param {string} series @param {number} n @param {number} [bytes] @returns {FrameRef[]} */
const refs = (series, n, bytes) => Array.from({ length: n }, (_, i) => ({ key: `${series}:${i}`, url: `/f/${series}/${i}`, bytes }));
/** @param {string[]} keys */
const indices = (keys) => keys.map((k) => Number(k.split(':')[1]));

/**
 * Completes whatever is open, in start order, until nothing is.
 * @param {ReturnType<typeof fakeNetwork>} net
 */
async function drain(net) {
  await flush();
  for (let guard = 0; guard < 10_000 && net.open.size > 0; guard++) {
    net.complete([...net.open.keys()][0]);
    await flush();
  }
}

test('testTheSliceUnderTheEyeComesFirstThenNeighboursOutwardThenTheRest', async () => {
  const net = fakeNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, concurrency: 1 });
  loader.addSeries('a', refs('a', 11));
  loader.addSeries('b', refs('b', 4));
  loader.setFocus('a', 5);
  await drain(net);
  assert.deepEqual(loader.startedKeys, [...indices(['a:5', 'a:6', 'a:4', 'a:7', 'a:3', 'a:8', 'a:2', 'a:9', 'a:1', 'a:10', 'a:0']).map((i) => `a:${i}`), 'b:0', 'b:1', 'b:2', 'b:3']);
  assert.deepEqual(net.aborted, []);
  assert.deepEqual(loader.progress('a'), { loaded: 11, cached: 11, failed: 0, total: 11 });
});

test('testTheFocusedSeriesGoesFirstAndAFocusChangeMidLoadPreemptsTheOther', async () => {
  const net = fakeNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, concurrency: 2 });
  loader.addSeries('b', refs('b', 3));
  loader.addSeries('a', refs('a', 9));
  loader.setFocus('b', 0);
  await flush();
  assert.deepEqual([...net.open.keys()], ['b:0', 'b:1']);
  // The user opens series a at slice 2: b's fetches give way.
  loader.setFocus('a', 2);
  await flush();
  assert.deepEqual(net.aborted.sort(), ['b:0', 'b:1']);
  await drain(net);
  const after = loader.startedKeys.slice(2);
  assert.deepEqual(after, ['a:2', 'a:3', 'a:1', 'a:4', 'a:0', 'a:5', 'a:6', 'a:7', 'a:8', 'b:0', 'b:1', 'b:2']);
});

test('testScrollingCancelsFetchesThatAreNoLongerWantedAndLoadsAheadOfTheScroll', async () => {
  const net = fakeNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, concurrency: 2 });
  loader.addSeries('s', refs('s', 100));
  loader.setFocus('s', 10);
  await flush();
  assert.deepEqual([...net.open.keys()].sort(), ['s:10', 's:11']);
  // The user jumps far away: the two slots go to the new slice and the next one down the scroll.
  loader.setFocus('s', 60);
  await flush();
  assert.deepEqual(net.aborted.sort(), ['s:10', 's:11']);
  assert.deepEqual([...net.open.keys()], ['s:60', 's:61']);
  // One step back: the scroll now goes towards lower indices, so 59 and 58 are the two most wanted; 60 is
  // still among the four most wanted and keeps its slot, 61 (behind the scroll) gives its slot to 59.
  loader.setFocus('s', 59);
  await flush();
  assert.deepEqual(net.aborted.slice(2), ['s:61']);
  assert.deepEqual([...net.open.keys()].sort(), ['s:59', 's:60']);
  net.complete('s:60');
  await flush();
  assert.ok(net.open.has('s:58'), `scroll direction first: open ${[...net.open.keys()]}`);
});

test('testMemoryBudgetEvictsFarSlicesAndRefetchesThemOnDemand', async () => {
  const net = fakeNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, concurrency: 1, memoryBudget: 350 });
  loader.addSeries('s', refs('s', 10, 100));
  loader.setFocus('s', 0);
  await drain(net);
  // Room for three frames: the focus and its two nearest.
  assert.deepEqual(indices(loader.startedKeys), [0, 1, 2]);
  assert.equal(loader.progress('s').cached, 3);
  assert.ok(loader.usedBytes <= 350);
  loader.setFocus('s', 9);
  await drain(net);
  assert.deepEqual([0, 1, 2, 7, 8, 9].map((i) => loader.get('s', i) !== null), [false, false, false, true, true, true]);
  assert.deepEqual(loader.progress('s'), { loaded: 6, cached: 3, failed: 0, total: 10 });
  // Frame 0 again, on demand: it is fetched again although it is the farthest.
  const p = loader.request('s', 0);
  await flush();
  assert.ok(net.open.has('s:0'));
  net.complete('s:0');
  const f = await p;
  assert.equal(f.data.byteLength, 100);
  assert.ok(loader.usedBytes <= 350);
  assert.ok(loader.get('s', 9), 'the focus is never evicted');
});

test('testBudgetHoldsWithoutSizeHints', async () => {
  const net = fakeNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, concurrency: 2, memoryBudget: 1000 });
  loader.addSeries('s', refs('s', 50));
  loader.setFocus('s', 25);
  await drain(net);
  assert.ok(loader.usedBytes <= 1000, `${loader.usedBytes}`);
  assert.ok(loader.startedKeys.length < 20, `no fetch-and-evict loop: ${loader.startedKeys.length} fetches`);
  assert.ok(loader.get('s', 25) && loader.get('s', 26) && loader.get('s', 24));
});

test('testNetworkErrorsAreRetriedWithExponentialBackoff', async () => {
  const net = fakeNetwork();
  /** @type {number[]} */
  const delays = [];
  const loader = new FrameLoader({
    fetchFrame: net.fetchFrame, concurrency: 1, retryBaseMs: 100, maxAttempts: 4, random: () => 1,
    sleep: (ms) => { delays.push(ms); return Promise.resolve(); },
  });
  loader.addSeries('s', refs('s', 1));
  const p = loader.request('s', 0);
  await flush();
  net.fail('s:0', new FrameFetchError('network', 'reset', { retryable: true }));
  await flush();
  net.fail('s:0', new FrameFetchError('http', '503', { status: 503, retryable: true, retryAfterMs: 1500 }));
  await flush();
  net.fail('s:0', new FrameFetchError('network', 'reset', { retryable: true }));
  await flush();
  net.complete('s:0');
  assert.equal((await p).data.byteLength, 100);
  assert.deepEqual(delays, [100, 1500, 400]);
});

test('testClientErrorsFailAtOnceAndARequestTriesAgain', async () => {
  const net = fakeNetwork();
  /** @type {string[]} */
  const errors = [];
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, concurrency: 1, onError: (uid, i, e) => errors.push(`${uid}:${i} ${/** @type {any} */ (e).code}`) });
  loader.addSeries('s', refs('s', 2));
  loader.setFocus('s', 0);
  const p = loader.request('s', 0);
  await flush();
  net.fail('s:0', new FrameFetchError('http', '404', { status: 404 }));
  await assert.rejects(p, (/** @type {any} */ e) => e.code === 'http' && e.status === 404);
  assert.deepEqual(errors, ['s:0 http']);
  await flush();
  assert.equal(loader.progress('s').failed, 1);
  net.complete('s:1');
  await flush();
  assert.equal(net.open.size, 0, 'a failed frame is not fetched again by itself');
  const again = loader.request('s', 0);
  await flush();
  net.complete('s:0');
  assert.ok(await again);
  assert.deepEqual(loader.progress('s'), { loaded: 2, cached: 2, failed: 0, total: 2 });
});

test('testARequestJumpsTheQueue', async () => {
  const net = fakeNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, concurrency: 1 });
  loader.addSeries('a', refs('a', 20));
  loader.addSeries('b', refs('b', 20));
  loader.setFocus('a', 0);
  await flush();
  net.complete('a:0');
  await flush();
  loader.request('b', 17);
  await flush();
  net.complete([...net.open.keys()][0]);
  await flush();
  assert.ok(loader.startedKeys.indexOf('b:17') <= 3, `${loader.startedKeys}`);
});

/**
 * A fake network that also takes batches: each batch is open under its keys joined by ','.
 */
function fakeBatchNetwork() {
  const net = fakeNetwork();
  /** @type {(refs: FrameRef[], signal: AbortSignal) => Promise<DecodedFrame[]>} */
  const fetchFrames = (list, signal) => new Promise((resolve, reject) => {
    const key = list.map((r) => r.key).join(',');
    net.open.set(key, { resolve: (f) => resolve(list.map(() => f)), reject, signal });
    signal.addEventListener('abort', () => { net.aborted.push(key); net.open.delete(key); reject(new FrameFetchError('aborted', key)); });
  });
  return { ...net, fetchFrames };
}

test('testTheSliceUnderTheEyeIsFetchedAloneThenNeighboursInBatchesOutward', async () => {
  const net = fakeBatchNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, fetchFrames: net.fetchFrames, batchSize: 3, concurrency: 1 });
  loader.addSeries('a', refs('a', 8));
  loader.setFocus('a', 3);
  await drain(net);
  assert.deepEqual(loader.startedBatches, [['a:3'], ['a:4', 'a:2', 'a:5'], ['a:1', 'a:6', 'a:0'], ['a:7']]);
  assert.deepEqual(loader.progress('a'), { loaded: 8, cached: 8, failed: 0, total: 8 });
});

test('testABatchHoldsFramesOfOneSeriesOnly', async () => {
  const net = fakeBatchNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, fetchFrames: net.fetchFrames, batchSize: 4, concurrency: 2 });
  loader.addSeries('a', refs('a', 3));
  loader.addSeries('b', refs('b', 3));
  loader.setFocus('a', 0);
  await drain(net);
  assert.deepEqual(loader.startedBatches, [['a:0'], ['a:1', 'a:2'], ['b:0', 'b:1', 'b:2']]);
});

test('testAFrameSomeoneWaitsForIsNotHeldBackByABatch', async () => {
  const net = fakeBatchNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, fetchFrames: net.fetchFrames, batchSize: 4, concurrency: 2 });
  loader.addSeries('a', refs('a', 40));
  loader.setFocus('a', 0);
  await flush();
  net.complete('a:0');
  await flush();
  const wanted = loader.request('a', 30);
  await flush();
  net.complete('a:1,a:2,a:3,a:4');
  await flush();
  assert.ok(net.open.has('a:30'), `the next free slot fetches it alone (open: ${[...net.open.keys()]})`);
  net.complete('a:30');
  assert.ok(await wanted);
});

test('testARefusedBatchIsRetriedFrameByFrameSoThatOnlyTheBadFrameFails', async () => {
  const net = fakeBatchNetwork();
  /** @type {string[]} */
  const errors = [];
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, fetchFrames: net.fetchFrames, batchSize: 3, concurrency: 1, onError: (uid, i) => errors.push(`${uid}:${i}`) });
  loader.addSeries('s', refs('s', 4));
  loader.setFocus('s', 0);
  await flush();
  net.complete('s:0');
  await flush();
  net.fail('s:1,s:2,s:3', new FrameFetchError('http', '404', { status: 404 }));
  await flush();
  net.complete('s:1');
  await flush();
  net.fail('s:2', new FrameFetchError('http', '404', { status: 404 }));
  await flush();
  net.complete('s:3');
  await flush();
  assert.deepEqual(errors, ['s:2']);
  assert.deepEqual(loader.progress('s'), { loaded: 3, cached: 3, failed: 1, total: 4 });
});

test('testFramesMissingFromABatchThatEndedEarlyAreAskedForAlone', async () => {
  /** @type {string[]} */
  const errors = [];
  /** @type {string[][]} */
  const batches = [];
  /** @type {string[]} */
  const singles = [];
  const loader = new FrameLoader({
    // The server cannot read s:2: its batch ends before it; alone it is a 422.
    fetchFrames: async (list) => { batches.push(list.map((r) => r.key)); return list.slice(0, list.findIndex((r) => r.key === 's:2')).map(() => frameOf(5)); },
    fetchFrame: async (ref) => {
      singles.push(ref.key);
      if (ref.key === 's:2') throw new FrameFetchError('http', '422', { status: 422 });
      return frameOf(6);
    },
    batchSize: 8, concurrency: 1, onError: (uid, i) => errors.push(`${uid}:${i}`),
  });
  loader.addSeries('s', refs('s', 5));
  loader.setFocus('s', 0);
  for (let i = 0; i < 10; i++) await flush();
  assert.deepEqual(batches, [['s:1', 's:2', 's:3', 's:4']]);
  assert.deepEqual(singles, ['s:0', 's:2', 's:3', 's:4']);
  assert.deepEqual(errors, ['s:2']);
  assert.equal(loader.get('s', 1)?.data.byteLength, 5);
  assert.equal(loader.get('s', 3)?.data.byteLength, 6);
  assert.deepEqual(loader.progress('s'), { loaded: 4, cached: 4, failed: 1, total: 5 });
});

test('testScrollingCancelsABatchThatIsNoLongerWanted', async () => {
  const net = fakeBatchNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, fetchFrames: net.fetchFrames, batchSize: 2, concurrency: 2 });
  loader.addSeries('a', refs('a', 100));
  loader.setFocus('a', 0);
  await flush();
  assert.deepEqual([...net.open.keys()], ['a:0', 'a:1,a:2']);
  net.complete('a:0');
  await flush();
  loader.setFocus('a', 80);
  await flush();
  assert.ok(net.aborted.length >= 1, 'a far batch is cancelled');
  assert.ok(net.open.has('a:80'), `open: ${[...net.open.keys()]}`);
  await drain(net);
  assert.deepEqual(loader.progress('a'), { loaded: 100, cached: 100, failed: 0, total: 100 });
});

test('testFetchesStartedTogetherGetTheMostWantedFramesDealtOutInTurn', async () => {
  const net = fakeBatchNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, fetchFrames: net.fetchFrames, batchSize: 4, concurrency: 4 });
  loader.addSeries('a', refs('a', 12));
  loader.setFocus('a', 0);
  await flush();
  // One fetch for the slice under the eye; the 11 others dealt out to the 3 free fetches, so that fetches that
  // share the network bring the frames in about priority order and all end together.
  assert.deepEqual(loader.startedBatches, [['a:0'], ['a:1', 'a:4', 'a:7', 'a:10'], ['a:2', 'a:5', 'a:8', 'a:11'], ['a:3', 'a:6', 'a:9']]);
  await drain(net);
  assert.deepEqual(loader.progress('a'), { loaded: 12, cached: 12, failed: 0, total: 12 });
});

test('testFewFramesAreNotSpreadOverMoreFetchesThanTheyFill', async () => {
  const net = fakeBatchNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, fetchFrames: net.fetchFrames, batchSize: 4, concurrency: 6 });
  loader.addSeries('a', refs('a', 6));
  loader.setFocus('a', 0);
  await flush();
  assert.deepEqual(loader.startedBatches, [['a:0'], ['a:1', 'a:3', 'a:5'], ['a:2', 'a:4']]);
});

test('testLargeImagesGoInSmallerBatches', async () => {
  const net = fakeBatchNetwork();
  const mb = 1024 * 1024;
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, fetchFrames: net.fetchFrames, batchSize: 24, concurrency: 3, maxBatchBytes: 25 * mb, memoryBudget: 4096 * mb });
  loader.addSeries('a', refs('a', 40, 12 * mb));
  loader.setFocus('a', 0);
  await flush();
  // Two free fetches of at most 25 MB: 2 frames of 12 MB each, not 24.
  assert.deepEqual(loader.startedBatches, [['a:0'], ['a:1', 'a:3'], ['a:2', 'a:4']]);
  await drain(net);
  assert.ok(loader.startedBatches.every((b) => b.length <= 2), `${loader.startedBatches.map((b) => b.length)}`);
  assert.deepEqual(loader.progress('a'), { loaded: 40, cached: 40, failed: 0, total: 40 });
});

test('testHeldBackgroundFramesWaitWhileTheSliceUnderTheEyeAndAwaitedFramesGo', async () => {
  const net = fakeBatchNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, fetchFrames: net.fetchFrames, batchSize: 4, concurrency: 2 });
  loader.holdBackground(true);
  loader.addSeries('a', refs('a', 10));
  loader.setFocus('a', 5);
  await flush();
  assert.deepEqual([...net.open.keys()], ['a:5']);
  const awaited = loader.request('a', 9);
  await flush();
  assert.deepEqual([...net.open.keys()], ['a:5', 'a:9']);
  net.complete('a:5');
  net.complete('a:9');
  await flush();
  assert.ok(await awaited);
  assert.equal(net.open.size, 0, 'nothing else while held');
  loader.holdBackground(false);
  await drain(net);
  assert.deepEqual(loader.progress('a'), { loaded: 10, cached: 10, failed: 0, total: 10 });
});

test('testTheSliceUnderTheEyeStillToComeInABatchIsFetchedAloneAtOnceBeyondTheConcurrency', async () => {
  const net = fakeBatchNetwork();
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, fetchFrames: net.fetchFrames, batchSize: 8, concurrency: 2 });
  loader.addSeries('a', refs('a', 17));
  loader.setFocus('a', 0);
  await flush();
  net.complete('a:0');
  await flush();
  // Two batches hold every other frame: slice 15 would come last in its batch.
  const batches = [...net.open.keys()];
  assert.equal(batches.length, 2);
  assert.ok(batches.some((k) => k.split(',').includes('a:15')));
  loader.setFocus('a', 15);
  await flush();
  assert.ok(net.open.has('a:15'), `fetched alone at once (open: ${[...net.open.keys()]})`);
  assert.equal(net.open.size, 3, `the batches go on: one fetch beyond the concurrency (at most ${SOLO_SLOTS})`);
  net.complete('a:15', 7);
  await flush();
  assert.equal(loader.get('a', 15)?.data.byteLength, 7);
  // The batch's copy, when it comes, is ignored; everything ends loaded once.
  await drain(net);
  assert.equal(loader.get('a', 15)?.data.byteLength, 7);
  assert.deepEqual(loader.progress('a'), { loaded: 17, cached: 17, failed: 0, total: 17 });
});

test('testFramesOfABatchThatArriveOneByOneAreThereBeforeTheBatchEnds', async () => {
  /** @type {Array<(index: number, frame: DecodedFrame) => void>} */
  const partials = [];
  /** @type {Array<() => void>} */
  const finish = [];
  /** @type {import('../../../Sources/mi-server/Resources/web/viewer/loader.js').FetchFramesFn} */
  const fetchFrames = (list, _signal, onFrame) => new Promise((resolve) => {
    partials.push((i, f) => onFrame?.(i, f));
    finish.push(() => resolve(list.map(() => frameOf(100))));
  });
  /** @type {Array<[string, number]>} */
  const arrived = [];
  const loader = new FrameLoader({ fetchFrame: async () => frameOf(1), fetchFrames, batchSize: 8, concurrency: 1, onFrame: (uid, i) => arrived.push([uid, i]) });
  loader.addSeries('a', refs('a', 5));
  loader.setFocus('a', 0);
  await flush();
  await flush();
  assert.equal(partials.length, 1);
  // Batch order: 1, 2, 3, 4 (outward from 0).
  partials[0](1, frameOf(3));
  partials[0](0, frameOf(2));
  await flush();
  assert.equal(loader.get('a', 1)?.data.byteLength, 2);
  assert.equal(loader.get('a', 2)?.data.byteLength, 3);
  assert.equal(loader.get('a', 3), null);
  assert.deepEqual(loader.progress('a'), { loaded: 3, cached: 3, failed: 0, total: 5 });
  finish[0]();
  await flush();
  // The frames handed over early are kept (not replaced by the batch's result), the others come with it.
  assert.equal(loader.get('a', 1)?.data.byteLength, 2);
  assert.equal(loader.get('a', 3)?.data.byteLength, 100);
  assert.deepEqual(arrived.map(([, i]) => i), [0, 2, 1, 3, 4], 'in the order they arrived');
});

test('testProgressIsReportedPerSeries', async () => {
  const net = fakeNetwork();
  /** @type {Record<string, number[]>} */
  const seen = { a: [], b: [] };
  const loader = new FrameLoader({ fetchFrame: net.fetchFrame, concurrency: 3, onProgress: (uid, p) => seen[uid].push(p.loaded) });
  loader.addSeries('a', refs('a', 3));
  loader.addSeries('b', refs('b', 2));
  loader.setFocus('a', 1);
  await drain(net);
  assert.deepEqual(seen.a.filter((v, i, all) => i === 0 || v !== all[i - 1]), [0, 1, 2, 3]);
  assert.equal(seen.b.at(-1), 2);
});

test('testFetchFrameMapsStatusesAndBodies', async () => {
  const body = encodeFrame({ columns: 2, rows: 1, bytesPerSample: 2, samplesPerPixel: 1, signed: true, data: [-1000, 40] });
  /** @type {Array<[string, any]>} */
  const seen = [];
  /** @type {typeof fetch} */
  const ok = async (url, init) => { seen.push([String(url), init?.headers]); return new Response(body, { status: 200 }); };
  const r = await fetchFrame('/x', { fetchImpl: ok, headers: { Authorization: 'Bearer t' } });
  assert.deepEqual(Array.from(r.frame.data), [-1000, 40]);
  assert.equal(seen[0][1].Authorization, 'Bearer t');
  assert.equal(seen[0][1].Accept, 'application/vnd.mi-frame; packing=1', 'the packed payload is asked for');
  /** @param {number} status @param {Record<string, string>} [headers] @returns {typeof fetch} */
  const statusFetch = (status, headers = {}) => async () => new Response('no', { status, headers });
  await assert.rejects(fetchFrame('/x', { fetchImpl: statusFetch(404) }), (/** @type {any} */ e) => e.code === 'http' && !e.retryable);
  await assert.rejects(fetchFrame('/x', { fetchImpl: statusFetch(503, { 'Retry-After': '2' }) }), (/** @type {any} */ e) => e.code === 'http' && e.retryable && e.retryAfterMs === 2000);
  await assert.rejects(fetchFrame('/x', { fetchImpl: async () => { throw new TypeError('Failed to fetch'); } }), (/** @type {any} */ e) => e.code === 'network' && e.retryable);
  await assert.rejects(fetchFrame('/x', { fetchImpl: async () => new Response(body.slice(0, 19)) }), (/** @type {any} */ e) => e.code === 'decode' && e.formatCode === 'truncated' && !e.retryable);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(fetchFrame('/x', { signal: controller.signal, fetchImpl: async (_u, init) => { if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError'); return new Response(body); } }),
    (/** @type {any} */ e) => e.code === 'aborted');
});

/**
 * A response whose body arrives in pieces of `size` bytes, each after a macrotask (as from the network).
 * @param {Uint8Array} body @param {number} size @param {{ failAt?: number }} [options]
 */
function piecewiseResponse(body, size, options = {}) {
  const { failAt } = options;
  let at = 0;
  const stream = new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => { setTimeout(resolve, 0); });
      if (failAt !== undefined && at >= failAt) { controller.error(new TypeError('network error')); return; }
      if (at >= body.length) { controller.close(); return; }
      controller.enqueue(body.slice(at, at + size));
      at += size;
    },
  });
  return new Response(stream, { status: 200 });
}

test('testAStreamedBatchHandsOverEachFrameAsSoonAsItsBytesAreIn', async () => {
  const frames = [0, 1, 2, 3].map((i) => ({ columns: 4, rows: 3, bytesPerSample: /** @type {const} */ (2), samplesPerPixel: /** @type {const} */ (1), signed: true, data: Array.from({ length: 12 }, (_, k) => k * 100 * (i + 1) - 500) }));
  const encoded = frames.map((f) => encodeFrame(f, { packed: true }));
  const body = new Uint8Array(encoded.reduce((n, e) => n + 4 + e.length, 0));
  let at = 0;
  for (const e of encoded) { new DataView(body.buffer).setUint32(at, e.length, true); body.set(e, at + 4); at += 4 + e.length; }
  /** @type {Array<[number, number[], boolean]>} */
  const handed = [];
  let resolved = false;
  const pending = fetchFrames('/y', {
    fetchImpl: async () => piecewiseResponse(body, 7),
    onFrame: (i, f) => handed.push([i, Array.from(f.data), resolved]),
  });
  const r = await pending.then((x) => { resolved = true; return x; });
  assert.deepEqual(handed.map(([i]) => i), [0, 1, 2, 3]);
  assert.deepEqual(handed.map(([, d]) => d), frames.map((f) => f.data));
  assert.ok(handed.every(([, , after]) => !after), 'each frame before the batch resolves');
  assert.deepEqual(r.frames.map((f) => Array.from(f.data)), frames.map((f) => f.data));
  assert.equal(r.bytes, body.length);

  // A body that stops inside a frame: the whole frames before it were handed over, then a decode error.
  /** @type {number[]} */
  const cut = [];
  await assert.rejects(fetchFrames('/y', { fetchImpl: async () => new Response(body.slice(0, 4 + encoded[0].length + 6)), onFrame: (i) => cut.push(i) }),
    (/** @type {any} */ e) => e.code === 'decode' && e.formatCode === 'truncated');
  assert.deepEqual(cut, [0]);
  // The connection fails mid-body: a retryable network error.
  await assert.rejects(fetchFrames('/y', { fetchImpl: async () => piecewiseResponse(body, 5, { failAt: 20 }), onFrame: () => undefined }),
    (/** @type {any} */ e) => e.code === 'network' && e.retryable);
  // Cancelled mid-body: aborted.
  const aborting = new AbortController();
  const stream = new ReadableStream({ pull(c) { return new Promise((resolve) => { setTimeout(() => { aborting.abort(); c.error(new DOMException('aborted', 'AbortError')); resolve(undefined); }, 0); }); } });
  await assert.rejects(fetchFrames('/y', { signal: aborting.signal, fetchImpl: async () => new Response(stream), onFrame: () => undefined }),
    (/** @type {any} */ e) => e.code === 'aborted');
  // A refused batch is an http error before any frame.
  await assert.rejects(fetchFrames('/y', { fetchImpl: async () => new Response('no', { status: 404 }), onFrame: () => assert.fail('no frame') }),
    (/** @type {any} */ e) => e.code === 'http' && e.status === 404);
});

test('testFetchFramesAsksForPackedBatchesAndDecodesThem', async () => {
  const frame = { columns: 3, rows: 2, bytesPerSample: /** @type {const} */ (2), samplesPerPixel: /** @type {const} */ (1), signed: true, data: [-1000, 40, 300, 5, -2, 32767] };
  const one = encodeFrame(frame, { packed: true }), two = encodeFrame(frame, { predicted: true });
  const body = new Uint8Array(8 + one.length + two.length);
  new DataView(body.buffer).setUint32(0, one.length, true);
  body.set(one, 4);
  new DataView(body.buffer).setUint32(4 + one.length, two.length, true);
  body.set(two, 8 + one.length);
  /** @type {any[]} */
  const seen = [];
  /** @type {typeof fetch} */
  const ok = async (_url, init) => { seen.push(init?.headers); return new Response(body, { status: 200 }); };
  const r = await fetchFrames('/y', { fetchImpl: ok });
  assert.equal(seen[0].Accept, 'application/vnd.mi-frames; packing=1');
  assert.deepEqual(r.frames.map((f) => Array.from(f.data)), [frame.data, frame.data]);
});
