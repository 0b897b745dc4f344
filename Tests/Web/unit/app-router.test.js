// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ROUTES, compile, match, buildPath, parseQuery, safeReturnPath } from '../../../Sources/mi-server/Resources/web/app/router.js';

test('testPathsMatchTheirRoutesWithDecodedParameters', () => {
  assert.equal(match(ROUTES, '/')?.name, 'home');
  assert.equal(match(ROUTES, '/worklist')?.name, 'worklist');
  assert.equal(match(ROUTES, '/worklist/')?.name, 'worklist');
  const study = match(ROUTES, '/studies/1.2.840.113619.2.55?series=1.2.3&frame=121');
  assert.equal(study?.name, 'study');
  assert.deepEqual(study?.params, { uid: '1.2.840.113619.2.55' });
  assert.deepEqual(study?.query, { series: '1.2.3', frame: '121' });
  assert.equal(study?.public, false);
  const reports = match(ROUTES, '/studies/a%2Fb/reports#top');
  assert.equal(reports?.name, 'reports');
  assert.equal(reports?.params.uid, 'a/b');
  assert.equal(match(ROUTES, '/app/callback?code=x&state=y')?.public, true);
  assert.equal(match(ROUTES, '/nowhere'), null);
  assert.equal(match(ROUTES, '/studies/'), null);
  assert.equal(match(ROUTES, '/studies/%E0%A4%A/reports'), null, 'a malformed escape is no route');
});

test('testBuildPathEncodesParametersAndDropsEmptyQueryValues', () => {
  assert.equal(buildPath('/studies/:uid/reports', { uid: 'a/b c' }), '/studies/a%2Fb%20c/reports');
  assert.equal(buildPath('/worklist', {}, { modality: 'CT', name: '', exact: false, n: 0 }), '/worklist?modality=CT&n=0');
  assert.throws(() => buildPath('/studies/:uid', {}), RangeError);
  const built = buildPath('/studies/:uid', { uid: '1.2.3' }, { frame: 5 });
  assert.deepEqual(match(ROUTES, built)?.params, { uid: '1.2.3' });
});

test('testQueryKeepsTheFirstValueOfARepeatedParameter', () => {
  assert.deepEqual(parseQuery('?a=1&a=2&b=%E5%BC%A0'), { a: '1', b: '张' });
  assert.deepEqual(parseQuery(''), {});
});

test('testCompiledPatternsEscapeDotsAndMatchOneSegment', () => {
  const { regex, keys } = compile('/a.b/:id');
  assert.deepEqual(keys, ['id']);
  assert.ok(regex.test('/a.b/x'));
  assert.ok(!regex.test('/axb/x'));
  assert.ok(!regex.test('/a.b/x/y'));
});

test('testOnlyOurOwnPathsAreReturnedToAfterLogin', () => {
  assert.equal(safeReturnPath('/studies/1.2.3?frame=4'), '/studies/1.2.3?frame=4');
  for (const bad of ['//evil.example/worklist', 'https://evil.example/', '/\\evil.example', 'worklist', '/app/callback?code=1', '/unknown', null, 42]) {
    assert.equal(safeReturnPath(bad), null, String(bad));
  }
});

test('testTheServerAnswersEveryHistoryRouteWithTheApp', () => {
  // WebAppRoutes.paths and PublicPageRoutes (Swift) must serve every route but `/` (FileMiddleware's index.html).
  const swift = readFileSync(new URL('../../../Sources/mi-server/Routes/WebAppRoutes.swift', import.meta.url), 'utf8');
  const m = /static let paths = \[([^\]]*)\]/.exec(swift);
  assert.ok(m, 'WebAppRoutes.paths not found');
  const serverPaths = [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
  // The links we hand out (`/p/{token}`, `/s/{token}`) are served by PublicPageRoutes, which checks them first.
  const publicPages = readFileSync(new URL('../../../Sources/mi-server/Routes/PublicPageRoutes.swift', import.meta.url), 'utf8');
  for (const x of publicPages.matchAll(/router\.get\("([^"]+)"\)/g)) serverPaths.push(`/${x[1]}`);
  const clientPaths = ROUTES.map((r) => r.pattern).filter((p) => p !== '/').sort();
  assert.deepEqual(serverPaths.sort(), clientPaths);
});
