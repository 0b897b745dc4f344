// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startEarlyReads, takeEarlyReads, takeEarlyFirstFrame, EARLY_READS_KEY } from '../../../Sources/mi-server/Resources/web/app/early-reads.js';
import { ApiClient } from '../../../Sources/mi-server/Resources/web/app/api.js';
import { viewableSeries } from '../../../Sources/mi-server/Resources/web/doctor/study-model.js';
import { PAGE_MODULES } from '../../../Sources/mi-server/Resources/web/app/preload.js';
import { STORAGE_KEY } from '../../../Sources/mi-server/Resources/web/app/session.js';
import { FRAME_ACCEPT } from '../../../Sources/mi-server/Resources/web/viewer/frame-fetch.js';
import { EARLY_WORKERS_KEY, decodeWorkerCount } from '../../../Sources/mi-server/Resources/web/viewer/worker-warmup.js';
import { seriesStack } from '../../../Sources/mi-server/Resources/web/viewer/stack.js';
import { imageInstances } from '../../../Sources/mi-server/Resources/web/doctor/study-model.js';

const STUDY = '1.2.840.1';
const SERIES = [
  { seriesInstanceUID: 'sr', modality: 'SR', seriesNumber: 1, instanceCount: 1 },
  { seriesInstanceUID: 'ct-b', modality: 'CT', seriesNumber: 3, instanceCount: 40 },
  { seriesInstanceUID: 'ct-a', modality: 'ct', seriesNumber: 2, instanceCount: 240 },
  { seriesInstanceUID: 'empty', modality: 'MR', seriesNumber: 0, instanceCount: 0 },
  { seriesInstanceUID: 'pr', modality: 'PR', seriesNumber: 0, instanceCount: 2 },
];

const INSTANCES = [
  { sopInstanceUID: 'i3', instanceNumber: 3, image: { rows: 512, columns: 512 } },
  { sopInstanceUID: 'sr', instanceNumber: 0 },
  { sopInstanceUID: 'i2', instanceNumber: 2, image: { rows: 512, columns: 512 } },
  { sopInstanceUID: 'i1.b', instanceNumber: 1, image: { rows: 512, columns: 512 } },
  { sopInstanceUID: 'i4', instanceNumber: 4, image: { rows: 512, columns: 512 } },
];

/**
 * A window with a path, stored tokens and a fetch that answers the API's reads (JSON, status 200 unless told; a
 * series' first frame names the first frame of the viewer's stack of `instances` in Content-Location).
 */
function fakeWindow({ path = `/studies/${STUDY}`, search = '', tokens = { accessToken: 'tok', expiresAt: Date.now() + 3_600_000 }, status = 200, frameStatus = /** @type {number} */ (status), instances = /** @type {any[]} */ (INSTANCES) } = {}) {
  /** @type {Array<{ url: string, headers: Record<string, string> }>} */
  const calls = [];
  /** @type {string[]} */
  const links = [];
  /** @type {string[]} what happened, in order */
  const events = [];
  const win = /** @type {any} */ ({
    location: { pathname: path, search },
    localStorage: { getItem: (/** @type {string} */ key) => (key === 'mi.session.v1' && tokens ? JSON.stringify(tokens) : null) },
    document: {
      createElement: () => ({ rel: '', href: '' }),
      head: { appendChild: (/** @type {{ rel: string, href: string }} */ l) => { assert.equal(l.rel, 'modulepreload'); links.push(l.href); events.push('link'); } },
    },
    fetch: (/** @type {string} */ url, /** @type {RequestInit} */ init) => {
      calls.push({ url, headers: /** @type {Record<string, string>} */ (init.headers) });
      events.push('fetch');
      const body = url.endsWith('/series') ? { items: SERIES } : url.endsWith('/instances') ? { items: instances } : { url };
      /** @type {Record<string, string>} */
      const headers = { 'Content-Type': 'application/json' };
      if (url.endsWith('/first-frame')) {
        const first = seriesStack(imageInstances(instances))[0];
        if (first) headers['Content-Location'] = `/api/v1/instances/${first.instance.sopInstanceUID}/frames/${first.frameNumber}`;
      }
      return Promise.resolve(new Response(JSON.stringify(body), { status: url.endsWith('/first-frame') ? frameStatus : status, headers }));
    },
  });
  return { win, calls, links, events };
}

const settle = () => new Promise((resolve) => { setTimeout(resolve, 0); });

test('testADeepLinkToAStudyAsksForItsReadsAndPreloadsItsModulesBeforeTheApp', async () => {
  assert.equal(STORAGE_KEY, 'mi.session.v1', 'the inline script reads the session where app/session.js keeps it');
  const { win, calls, links, events } = fakeWindow();
  startEarlyReads(win, PAGE_MODULES.study);
  assert.deepEqual(events.slice(0, 4), ['fetch', 'fetch', 'fetch', 'link'], 'the reads go ahead of the module preloads');
  await settle();
  assert.deepEqual(links, [...PAGE_MODULES.study]);
  // The instance list is of the series the page opens: the first viewable one, as viewableSeries picks it.
  const opened = viewableSeries(/** @type {any} */ (SERIES))[0].seriesInstanceUID;
  assert.equal(opened, 'ct-a');
  // The profile, which the app awaits before it shows any signed-in page, goes with the study's first reads; the
  // series' first frame (the server picks it) goes with its instance list, ahead of it.
  assert.deepEqual(calls.map((c) => c.url), [`/api/v1/studies/${STUDY}`, `/api/v1/studies/${STUDY}/series`, '/api/v1/me', `/api/v1/series/${opened}/first-frame`, `/api/v1/series/${opened}/instances`]);
  assert.ok(calls.every((c) => c.headers.Authorization === 'Bearer tok'));
  assert.equal(calls[3].headers.Accept, FRAME_ACCEPT);
  const reads = takeEarlyReads(win);
  assert.deepEqual([...reads.keys()], [0, 1, 2, 4].map((i) => calls[i].url));
  // The frame the viewer shows first, named as the viewer names it: the first image instance in Instance Number
  // order (the SR has no image). Its body is already read: the page decodes it without waiting for the network again.
  const first = await /** @type {Promise<{ url: string | null, body: ArrayBuffer }>} */ (takeEarlyFirstFrame(win));
  assert.equal(first.url, '/api/v1/instances/i1.b/frames/1');
  assert.ok(first.body instanceof ArrayBuffer);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(first.body)), { url: `/api/v1/series/${opened}/first-frame` });
  assert.equal(takeEarlyFirstFrame(win), null, 'taken once');
  assert.equal(win[EARLY_READS_KEY], undefined, 'taken once');
  assert.equal(takeEarlyReads(win).size, 0);
});

test('testADeepLinkStartsTheViewersDecodeWorkersAfterItsReads', async () => {
  const { win, calls, events } = fakeWindow();
  /** @type {Array<{ url: string, options: any, terminated: boolean }>} */
  const started = [];
  win.location.href = `https://pacs.example/studies/${STUDY}`;
  win.navigator = { hardwareConcurrency: 8 };
  win.Worker = class {
    /** @param {string} url @param {any} options */
    constructor(url, options) { this.url = url; this.options = options; this.terminated = false; started.push(this); events.push('worker'); }
    addEventListener() {}
    terminate() { this.terminated = true; }
  };
  startEarlyReads(win, []);
  assert.equal(started.length, decodeWorkerCount(8), "as many as the page's pool runs");
  assert.ok(started.every((w) => w.url === 'https://pacs.example/viewer/worker.js' && w.options.type === 'module'));
  assert.deepEqual(events.slice(0, 3), ['fetch', 'fetch', 'fetch'], 'the reads go first');
  const early = win[EARLY_WORKERS_KEY];
  assert.deepEqual(early.workers, started);
  assert.equal(early.url, 'https://pacs.example/viewer/worker.js');
  await settle();
  assert.ok(calls.length >= 5);

  // A browser that refuses a worker: those started are stopped, the reads still go.
  const second = fakeWindow();
  second.win.location.href = `https://pacs.example/studies/${STUDY}`;
  /** @type {any[]} */
  const made = [];
  second.win.Worker = class {
    constructor() { if (made.length === 1) throw new Error('no workers'); this.terminated = false; made.push(this); }
    addEventListener() {}
    terminate() { this.terminated = true; }
  };
  startEarlyReads(second.win, []);
  assert.equal(second.win[EARLY_WORKERS_KEY], undefined);
  assert.ok(made[0].terminated);
  assert.equal(second.calls.length, 3);
});

test('testTheSeriesInTheQueryIsTheOneWhoseInstancesAreAskedFor', async () => {
  const { win, calls } = fakeWindow({ search: '?series=ct-b&frame=3' });
  startEarlyReads(win, []);
  await settle();
  assert.equal(calls[3].url, '/api/v1/series/ct-b/instances');
  // Another frame than the first is left to the viewer (multi-frame objects make its index the viewer's business).
  assert.equal(calls.length, 4);
  assert.equal(takeEarlyFirstFrame(win), null);
});

test('testWithoutAUsableTokenOrOffTheStudyPageNothingIsAskedFor', async () => {
  for (const options of [{ tokens: null }, { tokens: { accessToken: 'tok', expiresAt: Date.now() + 30_000 } }, { tokens: /** @type {any} */ ({ expiresAt: 1e15 }) }]) {
    const { win, calls, links } = fakeWindow(options);
    startEarlyReads(win, ['/doctor/study.js']);
    await settle();
    assert.equal(calls.length, 0, JSON.stringify(options));
    assert.deepEqual(links, ['/doctor/study.js'], 'the modules are preloaded anyway');
    assert.equal(takeEarlyReads(win).size, 0);
  }
  for (const path of ['/worklist', `/studies/${STUDY}/reports`, '/']) {
    const { win, calls, links } = fakeWindow({ path });
    startEarlyReads(win, ['/doctor/study.js']);
    await settle();
    assert.equal(calls.length + links.length, 0, path);
  }
});

test('testTheApiClientAdoptsAnEarlyReadAndAsksAgainWhenItFailed', async () => {
  const { win } = fakeWindow();
  startEarlyReads(win, []);
  await settle();
  /** @type {string[]} */
  const own = [];
  const api = new ApiClient({
    session: { accessToken: async () => 'tok', refresh: async () => true },
    fetch: /** @type {any} */ (async (/** @type {string} */ url) => { own.push(url); return new Response(JSON.stringify({ own: url }), { status: 200 }); }),
    early: takeEarlyReads(win),
  });
  assert.deepEqual(await api.prefetch(`/api/v1/studies/${STUDY}`), { url: `/api/v1/studies/${STUDY}` });
  assert.deepEqual(await api.get(`/api/v1/studies/${STUDY}`), { url: `/api/v1/studies/${STUDY}` });
  assert.equal((await api.prefetch(`/api/v1/studies/${STUDY}/series`)).items.length, SERIES.length, 'the script read its own copy of the body');
  // A plain get adopts an early read that nobody prefetched (the profile); a get with a query is another read.
  assert.deepEqual(await api.get('/api/v1/me'), { url: '/api/v1/me' });
  assert.equal(own.length, 0, 'no second request');
  assert.deepEqual(await api.get('/api/v1/me'), { own: '/api/v1/me' }, 'an early read is adopted once');
  assert.deepEqual(await api.get(`/api/v1/series/ct-a/instances`, { limit: 5 }), { own: '/api/v1/series/ct-a/instances?limit=5' });
  own.length = 0;
  // An early read the server refused (here a 401 from an expired token) is asked again by the client itself.
  const failed = fakeWindow({ status: 401 });
  startEarlyReads(failed.win, []);
  await settle();
  const again = new ApiClient({
    session: { accessToken: async () => 'tok', refresh: async () => true },
    fetch: /** @type {any} */ (async (/** @type {string} */ url) => { own.push(url); return new Response(JSON.stringify({ own: url }), { status: 200 }); }),
    early: takeEarlyReads(failed.win),
  });
  assert.deepEqual(await again.prefetch(`/api/v1/studies/${STUDY}`), { own: `/api/v1/studies/${STUDY}` });
  assert.deepEqual(own, [`/api/v1/studies/${STUDY}`]);
});

test('testAFrameTheServerRefusedIsARejectedBodyForThePageToAskAgain', async () => {
  const { win, calls } = fakeWindow({ frameStatus: 503 });
  startEarlyReads(win, []);
  await settle();
  assert.equal(calls.length, 5);
  await assert.rejects(/** @type {Promise<unknown>} */ (takeEarlyFirstFrame(win)), /503/);
});

test('testIndexHtmlRunsExactlyTheInlineScriptItsPolicyAllows', async () => {
  const html = readFileSync(new URL('../../../Sources/mi-server/Resources/web/index.html', import.meta.url), 'utf8');
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 1);
  assert.ok(scripts[0].startsWith('(function startEarlyReads('));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(scripts[0])));
  const hash = btoa(String.fromCharCode(...digest));
  const policy = /script-src ([^;]*);/.exec(html)?.[1] ?? '';
  assert.deepEqual(policy.split(' '), ["'self'", `'sha256-${hash}'`]);
  // Before the stylesheet, which would otherwise hold it back until app.css has arrived.
  assert.ok(html.indexOf('<script>') < html.indexOf('rel="stylesheet"'));
});
