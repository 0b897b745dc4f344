// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as A from '../../../Sources/mi-server/Resources/web/admin/admin-model.js';
import { landingPath, redirectFor, ADMIN_HOME } from '../../../Sources/mi-server/Resources/web/app/roles.js';
import { ROUTES, match } from '../../../Sources/mi-server/Resources/web/app/router.js';
import { readFileSync } from 'node:fs';
import zh from '../../../Sources/mi-server/Resources/web/app/i18n/zh-CN.js';
import en from '../../../Sources/mi-server/Resources/web/app/i18n/en.js';

const hospitals = [{ id: 'h1', name: '第一医院' }, { id: 'h2', name: '第二医院' }];

test('testScopesRoundTripThroughTheirStoredForm', () => {
  for (const stored of ['all', 'hospital:h1', 'department:h1:放射科', 'department:h1:a:b']) {
    assert.equal(A.scopeValue(A.parseScope(stored)), stored, stored);
  }
  assert.deepEqual(A.parseScope('department:h1:a:b'), { kind: 'department', hospitalId: 'h1', department: 'a:b', stored: 'department:h1:a:b' });
  assert.equal(A.parseScope('patient:k1').kind, 'other');
  assert.equal(A.parseScope('hospital:').kind, 'other');
  assert.equal(A.scopeValue({ kind: 'department', hospitalId: 'h1', department: '' }), null, 'a department scope needs the department');
  assert.equal(A.scopeValue({ kind: 'hospital', hospitalId: '' }), null);
  assert.equal(A.scopeValue({ kind: 'patient' }), null);
});

test('testScopesAreDescribedWithHospitalNames', () => {
  assert.deepEqual(A.describeScope('department:h2:骨科', hospitals), { key: 'scope.department', params: { hospital: '第二医院', department: '骨科' } });
  assert.deepEqual(A.describeScope('hospital:h9', hospitals), { key: 'scope.hospital', params: { hospital: 'h9' } });
  assert.deepEqual(A.describeScope('all', hospitals), { key: 'scope.all', params: {} });
  assert.deepEqual(A.describeScope('patient:x', hospitals), { key: 'scope.other', params: { scope: 'patient:x' } });
});

test('testAuditFiltersFromALinkAreCheckedFieldByField', () => {
  const f = A.normalizeAuditFilter({ user: ' admin ', action: 'user.deactivate', from: '2026-11-30', to: '2026-11-01', page: '2', extra: 'x' });
  assert.deepEqual(f, { user: 'admin', action: 'user.deactivate', patientId: '', studyInstanceUID: '', from: '2026-11-01', to: '2026-11-30', page: 2 });
  const bad = A.normalizeAuditFilter({ action: 'drop.table', from: '30/11/2026', to: '2026-13-45', page: '-1' });
  assert.deepEqual(bad, A.DEFAULT_AUDIT_FILTER);
  assert.deepEqual(A.normalizeAuditFilter(null), A.DEFAULT_AUDIT_FILTER);
  assert.equal(A.auditFilterActive(A.DEFAULT_AUDIT_FILTER), false);
  assert.equal(A.auditFilterActive({ ...A.DEFAULT_AUDIT_FILTER, page: 3 }), false, 'paging is not a filter');
  assert.equal(A.auditFilterActive({ ...A.DEFAULT_AUDIT_FILTER, patientId: 'P1' }), true);
});

test('testAuditDatesAreTheAdministratorsOwnDays', () => {
  const start = A.localDayInstant('2026-11-30', false);
  const end = A.localDayInstant('2026-11-30', true);
  assert.equal(Date.parse(start), new Date(2026, 10, 30, 0, 0, 0).getTime());
  assert.equal(Date.parse(end), new Date(2026, 10, 30, 23, 59, 59).getTime());
  assert.ok(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(start), 'ISO 8601 in UTC without milliseconds');
  const q = A.auditPageQuery({ ...A.DEFAULT_AUDIT_FILTER, user: 'u', from: '2026-11-30', to: '2026-11-30', page: 2 }, 50);
  assert.deepEqual(q, { user: 'u', action: '', patientId: '', studyInstanceUID: '', from: start, to: end, limit: 50, offset: 100 });
  assert.deepEqual(A.auditFilterQuery(A.DEFAULT_AUDIT_FILTER), { user: '', action: '', patientId: '', studyInstanceUID: '', from: '', to: '' }, 'the CSV has no paging');
});

test('testPageRangeCountsRowsFromOne', () => {
  assert.deepEqual(A.pageRange(0, 50, 120), { first: 1, last: 50, pages: 3 });
  assert.deepEqual(A.pageRange(2, 20, 120), { first: 101, last: 120, pages: 3 });
  assert.deepEqual(A.pageRange(0, 0, 0), { first: 0, last: 0, pages: 1 });
});

test('testSecurityPolicyShowsDurationsInTheirUnitsAndRoundTrips', () => {
  const policy = { passwordMinLength: 8, passwordMinClasses: 2, lockoutThreshold: 5, lockoutSeconds: 900, accessTokenSeconds: 900, refreshTokenSeconds: 14 * 86400, shareMaximumSeconds: 30 * 86400 };
  const form = A.policyToForm(policy);
  assert.deepEqual(form, { passwordMinLength: '8', passwordMinClasses: '2', lockoutThreshold: '5', lockoutSeconds: '15', accessTokenSeconds: '15', refreshTokenSeconds: '336', shareMaximumSeconds: '30' });
  assert.deepEqual(A.formToPolicy(form), { policy, errors: {} });
  assert.equal(A.policyToForm({ ...policy, lockoutSeconds: 100 }).lockoutSeconds, '1.67');
});

test('testSecurityPolicyErrorsNameTheField', () => {
  const good = A.policyToForm({ passwordMinLength: 8, passwordMinClasses: 2, lockoutThreshold: 5, lockoutSeconds: 900, accessTokenSeconds: 900, refreshTokenSeconds: 3600, shareMaximumSeconds: 86400 });
  assert.deepEqual(A.formToPolicy({ ...good, passwordMinLength: '5' }).errors, { passwordMinLength: 'settings.error.range' });
  assert.deepEqual(A.formToPolicy({ ...good, passwordMinClasses: '2.5' }).errors, { passwordMinClasses: 'settings.error.whole' });
  assert.deepEqual(A.formToPolicy({ ...good, lockoutThreshold: '' }).errors, { lockoutThreshold: 'validation.required' });
  assert.deepEqual(A.formToPolicy({ ...good, lockoutSeconds: 'soon' }).errors, { lockoutSeconds: 'settings.error.number' });
  assert.deepEqual(A.formToPolicy({ ...good, accessTokenSeconds: '120', refreshTokenSeconds: '1' }).errors, { refreshTokenSeconds: 'settings.error.refreshShorter' });
  assert.equal(A.formToPolicy({ ...good, shareMaximumSeconds: '0' }).policy, null);
  assert.equal(A.formToPolicy({ ...good, lockoutSeconds: '0' }).policy?.lockoutSeconds, 0, 'no lockout wait is allowed');
});

test('testPacsLinksAreCheckedAsTheServerChecksThem', () => {
  const ok = { name: 'Orthanc', aeTitle: 'ORTHANC', host: '127.0.0.1', port: '4242' };
  assert.deepEqual(A.checkPacsNode(ok), {});
  assert.deepEqual(A.checkPacsNode({ ...ok, host: 'pacs-1.hospital.cn' }), {});
  assert.deepEqual(A.checkPacsNode({ ...ok, aeTitle: 'A'.repeat(17) }), { aeTitle: 'pacs.error.aeTitle' });
  assert.deepEqual(A.checkPacsNode({ ...ok, aeTitle: 'A\\B' }), { aeTitle: 'pacs.error.aeTitle' });
  assert.deepEqual(A.checkPacsNode({ ...ok, aeTitle: '影像' }), { aeTitle: 'pacs.error.aeTitle' });
  assert.deepEqual(A.checkPacsNode({ ...ok, aeTitle: '   ' }), { aeTitle: 'validation.required' });
  assert.deepEqual(A.checkPacsNode({ ...ok, host: 'a host' }), { host: 'pacs.error.host' });
  assert.deepEqual(A.checkPacsNode({ ...ok, port: '0' }), { port: 'pacs.error.port' });
  assert.deepEqual(A.checkPacsNode({ ...ok, port: '65536' }), { port: 'pacs.error.port' });
  assert.deepEqual(A.checkPacsNode({ name: '', aeTitle: '', host: '', port: '' }), { name: 'validation.required', aeTitle: 'validation.required', host: 'validation.required', port: 'validation.required' });
});

test('testAdministratorsLandInTheAdministrationAndDoctorsInTheWorklist', () => {
  assert.equal(landingPath(['administrator']), ADMIN_HOME);
  assert.equal(landingPath(['doctor']), '/worklist');
  assert.equal(landingPath(['administrator', 'doctor']), '/worklist', 'a doctor who also administers keeps the worklist');
  assert.equal(landingPath(['patient']), '/patient', 'a patient account lands on its exams');
  assert.equal(redirectFor('home', ['patient']), '/patient');
  assert.equal(redirectFor('worklist', ['administrator']), ADMIN_HOME);
  assert.equal(redirectFor('study', ['administrator']), ADMIN_HOME);
  assert.equal(redirectFor('worklist', ['doctor']), null);
  assert.equal(redirectFor('home', ['doctor']), '/worklist');
  assert.equal(redirectFor('profile', ['administrator']), null, 'the personal centre is everyone\'s');
  assert.equal(redirectFor('admin-users', ['doctor']), null, 'the server refuses; the page says so');
});

test('testEveryAdministrationPageHasAHistoryRoute', () => {
  for (const p of A.ADMIN_PAGES) assert.equal(match(ROUTES, `/admin/${p}`)?.name, `admin-${p}`);
  assert.equal(match(ROUTES, '/admin')?.name, 'admin-registrations');
  assert.equal(match(ROUTES, ADMIN_HOME)?.public, false);
});

test('theAuditFilterOffersExactlyTheServersActionsEachWithALabel', () => {
  const openapi = JSON.parse(readFileSync(new URL('../../../Sources/mi-server/Resources/openapi.json', import.meta.url), 'utf8'));
  assert.deepEqual([...A.AUDIT_ACTIONS], openapi.components.schemas.AuditAction.enum);
  for (const action of A.AUDIT_ACTIONS) {
    assert.ok(zh[`audit.action.${action}`], `zh-CN label of ${action}`);
    assert.ok(en[`audit.action.${action}`], `en label of ${action}`);
  }
});
