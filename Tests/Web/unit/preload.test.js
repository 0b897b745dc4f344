// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PAGE_MODULES, preloadPage } from '../../../Sources/mi-server/Resources/web/app/preload.js';

const script = fileURLToPath(new URL('../../../Scripts/gen-web-preload.mjs', import.meta.url));

test('testPreloadListsMatchTheStaticImportsOfEachPage', () => {
  // Throws (exit 1) when app/preload.js or index.html no longer match the modules' imports.
  execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' });
});

test('testTheStudyPagePreloadsTheWholeViewerCore', () => {
  for (const m of ['/doctor/study.js', '/viewer/viewer.js', '/viewer/loader.js', '/viewer/render.js', '/viewer/math/view.js']) {
    assert.ok(PAGE_MODULES.study.includes(m), m);
  }
  assert.ok(!PAGE_MODULES.study.includes('/app/main.js'), 'the shell is preloaded by index.html, not again');
});

test('testPreloadPageAddsOneLinkPerModuleOnce', () => {
  /** @type {Array<{ rel: string, href: string }>} */
  const links = [];
  const doc = /** @type {any} */ ({
    head: {
      querySelector: (/** @type {string} */ sel) => links.find((l) => sel.includes(`href="${l.href}"`)) ?? null,
      appendChild: (/** @type {{ rel: string, href: string }} */ l) => { links.push(l); },
    },
    createElement: () => ({ rel: '', href: '' }),
  });
  preloadPage('study', doc);
  preloadPage('study', doc);
  preloadPage('no-such-page', doc);
  assert.deepEqual(links.map((l) => l.href), [...PAGE_MODULES.study]);
  assert.ok(links.every((l) => l.rel === 'modulepreload'));
});

test('testEveryStylesheetIsLinkedFromThePageNoneImportedByAnother', () => {
  // The page's modules run only when every stylesheet has arrived: a stylesheet @import-ed by another is found a round
  // trip later, on the way to the first image (at 10 Mbit/s, 60 ms RTT it held the modules back ~35 ms).
  const web = fileURLToPath(new URL('../../../Sources/mi-server/Resources/web', import.meta.url));
  /** @param {string} dir the path below the web root, '' or '/app' @returns {string[]} */
  const cssFiles = (dir) => readdirSync(web + dir).flatMap((name) => {
    if (name.endsWith('.css')) return [`${dir}/${name}`];
    if (name.includes('.') || name === 'dev') return [];
    try { return cssFiles(`${dir}/${name}`); } catch { return []; }
  });
  const sheets = cssFiles('');
  assert.ok(sheets.length >= 2);
  for (const f of sheets) assert.ok(!/@import[\s("']/.test(readFileSync(web + f, 'utf8')), `${f} imports a stylesheet`);
  const html = readFileSync(`${web}/index.html`, 'utf8');
  const linked = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]);
  assert.deepEqual([...linked].sort(), [...sheets].sort());
  assert.deepEqual(linked, ['/patient/patient.css', '/app/app.css'], "the shared sheet first: app.css's rules follow it");
});
