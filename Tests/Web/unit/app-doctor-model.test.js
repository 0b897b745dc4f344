// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../../Sources/mi-server/Resources/web/doctor/worklist-filter.js';
import * as S from '../../../Sources/mi-server/Resources/web/doctor/study-model.js';
import * as V from '../../../Sources/mi-server/Resources/web/doctor/validation.js';

const today = new Date(2026, 10, 30, 9, 30);   // 30 November 2026, local time

test('testTheDefaultWorklistIsNewestFirstOverAllDates', () => {
  const q = F.toQuery(F.DEFAULT_FILTER, today);
  assert.deepEqual(q, { sort: 'date', order: 'desc', limit: 30 });
});

test('testDateRangesAreLocalCalendarDaysEndingToday', () => {
  const f = (/** @type {any} */ range) => F.rangeDates({ ...F.DEFAULT_FILTER, range }, today);
  assert.deepEqual(f('today'), { dateFrom: '2026-11-30', dateTo: '2026-11-30' });
  assert.deepEqual(f('3d'), { dateFrom: '2026-11-28', dateTo: '2026-11-30' });
  assert.deepEqual(f('7d'), { dateFrom: '2026-11-24', dateTo: '2026-11-30' });
  assert.deepEqual(F.rangeDates({ ...F.DEFAULT_FILTER, range: '7d' }, new Date(2026, 2, 3)), { dateFrom: '2026-02-25', dateTo: '2026-03-03' });
  assert.deepEqual(F.rangeDates({ ...F.DEFAULT_FILTER, range: 'custom', dateFrom: '2026-12-01', dateTo: '2026-11-01' }, today), { dateFrom: '2026-11-01', dateTo: '2026-12-01' });
  assert.deepEqual(f('all'), { dateFrom: '', dateTo: '' });
});

test('testAFilterBecomesTheWorklistQuery', () => {
  const f = F.normalizeFilter({ modality: 'ct', range: '3d', status: 'report', visitType: 'inpatient', name: ' 张 ', id: 'DEMO0001', sort: 'name' });
  assert.deepEqual(F.toQuery(f, today, { cursor: 'abc', limit: 10 }), {
    modality: 'CT', dateFrom: '2026-11-28', dateTo: '2026-11-30', status: 'report', visitType: 'inpatient', name: '张', patientId: 'DEMO0001',
    sort: 'name', order: 'asc', limit: 10, cursor: 'abc',
  });
  assert.equal(F.toQuery({ ...f, nameExact: true }, today).nameExact, '张');
  assert.equal(F.toQuery(f, today, { idField: 'accessionNumber' }).accessionNumber, 'DEMO0001');
});

test('testStoredOrLinkedFiltersAreCheckedFieldByField', () => {
  const f = F.normalizeFilter({ modality: 'C T;', range: 'forever', status: 'lost', visitType: 'x', sort: 'size', order: 'sideways', nameExact: '1', dateFrom: '2026-11-01', extra: 1 });
  assert.deepEqual(f, { ...F.DEFAULT_FILTER, nameExact: true });
  assert.deepEqual(F.normalizeFilter(null), F.DEFAULT_FILTER);
  assert.deepEqual(F.normalizeFilter({ range: 'custom', dateFrom: '2026-11-01', dateTo: 'soon' }), { ...F.DEFAULT_FILTER, range: 'custom', dateFrom: '2026-11-01' });
});

test('testAFilterSurvivesTheURL', () => {
  const f = F.normalizeFilter({ modality: 'MR', range: 'custom', dateFrom: '2026-11-01', dateTo: '2026-11-30', name: 'Li', nameExact: true, sort: 'status', order: 'desc' });
  const q = F.toURLQuery(f);
  assert.deepEqual(F.normalizeFilter(q), f);
  assert.deepEqual(F.toURLQuery(F.DEFAULT_FILTER), {});
});

test('testSortingTheSameKeyFlipsTheOrderAndANewKeyStartsAtItsDefault', () => {
  let f = F.toggleSort(F.DEFAULT_FILTER, 'date');
  assert.equal(f.order, 'asc');
  f = F.toggleSort(f, 'name');
  assert.deepEqual([f.sort, f.order], ['name', 'asc']);
  f = F.toggleSort(f, 'name');
  assert.deepEqual([f.sort, f.order], ['name', 'desc']);
  assert.equal(F.toggleSort(f, 'date').order, 'desc');
  assert.equal(F.activeFilterCount({ ...F.DEFAULT_FILTER, modality: 'CT', range: 'today', name: 'x' }), 2);
});

test('testInstancesBecomeTheViewersFlatMetadataAndObjectsWithoutPixelsAreLeftOut', () => {
  const items = [
    { sopInstanceUID: '1.2', instanceNumber: 2, numberOfFrames: 1, transferSyntaxUID: '1.2.840.10008.1.2.1', image: { rows: 512, columns: 512, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2', numberOfFrames: 1, rescaleSlope: 1, rescaleIntercept: -1024, rescaleType: 'HU', windows: [{ center: 40, width: 400, explanation: 'SOFT' }], pixelSpacing: [0.7, 0.7], modality: 'CT', lossy: false, transferSyntaxUID: '1.2.840.10008.1.2.1' } },
    { sopInstanceUID: '1.3', instanceNumber: 3, numberOfFrames: 1, transferSyntaxUID: '1.2.840.10008.1.2.1', image: null },
  ];
  const metas = S.imageInstances(items);
  assert.equal(metas.length, 1);
  assert.equal(metas[0].sopInstanceUID, '1.2');
  assert.equal(metas[0].instanceNumber, 2);
  assert.equal(metas[0].rescaleIntercept, -1024);
  assert.deepEqual(metas[0].pixelSpacing, [0.7, 0.7]);
  assert.equal(S.seriesQuality(metas), 'lossless');
  assert.equal(S.seriesQuality([{ ...metas[0], lossy: true }, metas[0]]), 'lossy');
  assert.equal(S.seriesQuality([]), 'unknown');
});

test('testTheStudyBecomesTheCornerInformation', () => {
  const info = S.toStudyInfo({ studyInstanceUID: '1', status: 'report', patientName: '张三', patientId: 'DEMO0001', patientSex: 'M', patientBirthDate: '1970-05-02', studyDate: '2026-11-02', studyTime: '09:12:30', description: 'CT 胸部', institution: '示范医院' });
  assert.deepEqual(info, { patientName: '张三', patientID: 'DEMO0001', patientSex: 'M', patientBirthDate: '19700502', studyDate: '20261102', studyTime: '091230', studyDescription: 'CT 胸部', institutionName: '示范医院' });
  assert.equal(S.ageAt('1970-05-02', '2026-11-02'), 56);
  assert.equal(S.ageAt('1970-11-03', '2026-11-02'), 55);
  assert.equal(S.ageAt('', '2026-11-02'), null);
  assert.equal(S.displayName('Zhang^San=张^三'), 'Zhang San (张 三)');
  assert.equal(S.displayName('张三'), '张三');
});

test('testAStudyWithoutImageSeriesIsStillArriving', () => {
  const study = /** @type {const} */ ({ studyInstanceUID: '1', status: 'imaging' });
  assert.ok(S.stillArriving({ ...study, status: 'scheduled' }, []));
  assert.ok(S.stillArriving(study, [{ seriesInstanceUID: 's', modality: 'SR', instanceCount: 1 }]));
  assert.ok(!S.stillArriving(study, [{ seriesInstanceUID: 's', modality: 'CT', instanceCount: 240 }]));
  const ordered = S.viewableSeries([{ seriesInstanceUID: 'b', modality: 'CT', seriesNumber: 3, instanceCount: 1 }, { seriesInstanceUID: 'a', modality: 'CT', seriesNumber: 1, instanceCount: 1 }, { seriesInstanceUID: 'c', modality: 'DOC', instanceCount: 1 }]);
  assert.deepEqual(ordered.map((s) => s.seriesInstanceUID), ['a', 'b']);
});

test('testSignUpChecksFollowTheServersRules', () => {
  assert.equal(V.checkName(''), 'validation.required');
  assert.equal(V.checkName('x'.repeat(65)), 'validation.nameTooLong');
  assert.equal(V.checkPhone('138 0000 0001'), null);
  assert.equal(V.checkPhone('+8613800000001'), null);
  assert.equal(V.checkPhone('1234'), 'validation.phone');
  assert.equal(V.checkPhone('abcdefg'), 'validation.phone');
  assert.equal(V.checkUsername('wang.yi-2'), null);
  assert.equal(V.checkUsername('wy'), 'validation.username');
  assert.equal(V.checkUsername('王医生'), 'validation.username');
  assert.equal(V.checkPassword('short1A'), 'validation.passwordShort');
  assert.equal(V.checkPassword('alllowercase'), 'validation.passwordClasses');
  assert.equal(V.checkPassword('lower and spaces'), null, 'a space is a symbol');
  assert.equal(V.checkPassword('Doctor#2026'), null);
  assert.equal(V.checkConfirm('a', 'b'), 'validation.passwordMismatch');
  assert.equal(V.checkConfirm('a', 'a'), null);
});
