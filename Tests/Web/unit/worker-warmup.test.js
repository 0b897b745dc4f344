// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DECODE_WORKER_URL, EARLY_WORKERS_KEY, WARM_TTL_MS, decodeWorkerCount, takeWarmWorkers, warmDecodeWorkers } from '../../../Sources/mi-server/Resources/web/viewer/worker-warmup.js';

/** A stand-in for the browser's Worker: records what was started and stopped, and can fail to load. */
class FakeWorker extends EventTarget {
  /** @type {FakeWorker[]} */
  static started = [];
  /** @param {string} url @param {WorkerOptions} options */
  constructor(url, options) {
    super();
    this.url = url;
    this.options = options;
    this.terminated = false;
    FakeWorker.started.push(this);
  }
  terminate() { this.terminated = true; }
}

/** Runs `body` with FakeWorker as the global Worker and timers that never fire. */
function withFakeWorkers(/** @type {() => void} */ body) {
  const g = /** @type {any} */ (globalThis);
  const saved = { Worker: g.Worker, setTimeout: g.setTimeout };
  g.Worker = FakeWorker;
  g.setTimeout = () => 0;
  FakeWorker.started = [];
  try { body(); } finally { g.Worker = saved.Worker; g.setTimeout = saved.setTimeout; takeWarmWorkers(''); }
}

test('testWarmWorkersAreAdoptedOnceByAPoolOfTheDecodeWorker', () => withFakeWorkers(() => {
  warmDecodeWorkers(2, () => 1000);
  warmDecodeWorkers(2, () => 1000);   // already warm: nothing more
  assert.equal(FakeWorker.started.length, 2);
  assert.ok(FakeWorker.started.every((w) => w.url === DECODE_WORKER_URL && w.options.type === 'module'));
  const adopted = takeWarmWorkers(DECODE_WORKER_URL, () => 1000 + WARM_TTL_MS);
  assert.deepEqual(adopted, FakeWorker.started);
  assert.ok(adopted.every((w) => !(/** @type {any} */ (w)).terminated));
  assert.deepEqual(takeWarmWorkers(DECODE_WORKER_URL, () => 1000), [], 'each worker is adopted once');
}));

test('testStaleFailedOrForeignWarmWorkersAreStoppedNotAdopted', () => withFakeWorkers(() => {
  warmDecodeWorkers(2, () => 0);
  assert.deepEqual(takeWarmWorkers(DECODE_WORKER_URL, () => WARM_TTL_MS + 1), []);
  assert.ok(FakeWorker.started.every((w) => w.terminated), 'too old: stopped');

  FakeWorker.started = [];
  warmDecodeWorkers(2, () => 0);
  FakeWorker.started[0].dispatchEvent(new Event('error'));
  const adopted = takeWarmWorkers(DECODE_WORKER_URL, () => 0);
  assert.deepEqual(adopted, [FakeWorker.started[1]], 'the one that failed to load is left out');
  assert.ok(FakeWorker.started[0].terminated);

  FakeWorker.started = [];
  warmDecodeWorkers(1, () => 0);
  assert.deepEqual(takeWarmWorkers('https://example.test/other-worker.js', () => 0), []);
  assert.ok(FakeWorker.started[0].terminated, 'another script: stopped');
}));

test('testWorkersTheInlineScriptStartedAreAdoptedInsteadOfNewOnes', () => withFakeWorkers(() => {
  const g = /** @type {any} */ (globalThis);
  const [a, b] = [new FakeWorker(DECODE_WORKER_URL, { type: 'module' }), new FakeWorker(DECODE_WORKER_URL, { type: 'module' })];
  g[EARLY_WORKERS_KEY] = { workers: [a, b], failed: new Set([b]), at: 1000, url: DECODE_WORKER_URL };
  warmDecodeWorkers(2, () => 1000);
  assert.equal(FakeWorker.started.length, 2, 'none started: the early ones are warm');
  assert.equal(g[EARLY_WORKERS_KEY], undefined, 'taken over once');
  assert.deepEqual(takeWarmWorkers(DECODE_WORKER_URL, () => 1000), [a], 'the one that failed to load is left out');
  assert.ok(b.terminated && !a.terminated);

  // Taken straight by a pool too; another script's are stopped.
  const c = new FakeWorker(DECODE_WORKER_URL, { type: 'module' });
  g[EARLY_WORKERS_KEY] = { workers: [c], failed: new Set(), at: 5, url: DECODE_WORKER_URL };
  assert.deepEqual(takeWarmWorkers(DECODE_WORKER_URL, () => 5), [c]);
  const d = new FakeWorker('https://example.test/old/worker.js', { type: 'module' });
  g[EARLY_WORKERS_KEY] = { workers: [d], failed: new Set(), at: 5, url: 'https://example.test/old/worker.js' };
  assert.deepEqual(takeWarmWorkers(DECODE_WORKER_URL, () => 5), []);
  assert.ok(d.terminated);
}));

test('testAPageRunsTwoToThreeDecodeWorkers', () => {
  assert.equal(decodeWorkerCount(1), 2);
  assert.equal(decodeWorkerCount(2), 2);
  assert.equal(decodeWorkerCount(4), 3);
  assert.equal(decodeWorkerCount(16), 3);
});
