// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
