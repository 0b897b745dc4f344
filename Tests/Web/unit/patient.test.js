// @ts-check
/** The pure logic of the patient pages: share ends, access codes, digits as typed, history and share lists, sessions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareEnd, accessCode, parseLocalDateTime, toLocalDateTime, maxSecondsFromMessage, SHARE_DURATIONS, DURATION_SECONDS } from '../../../Sources/mi-server/Resources/web/patient/share-duration.js';
import { normaliseDigits, historyOf, activeSharesOf } from '../../../Sources/mi-server/Resources/web/patient/patient-model.js';
import { TokenStore } from '../../../Sources/mi-server/Resources/web/patient/patient-session.js';
import { SessionError } from '../../../Sources/mi-server/Resources/web/app/session.js';

const NOW = new Date(2026, 10, 30, 13, 0, 0).getTime();   // local time, as the datetime-local field is

test('testPresetDurationsBecomeExpiresInSeconds', () => {
  assert.deepEqual(shareEnd('1h', '', NOW), { ok: true, body: { expiresIn: 3600 } });
  assert.deepEqual(shareEnd('24h', '', NOW), { ok: true, body: { expiresIn: 86_400 } });
  assert.deepEqual(shareEnd('3d', '', NOW), { ok: true, body: { expiresIn: 259_200 } });
  assert.deepEqual(shareEnd('7d', '', NOW), { ok: true, body: { expiresIn: 604_800 } });
  assert.deepEqual(SHARE_DURATIONS, ['1h', '24h', '3d', '7d', 'custom']);
  assert.deepEqual(Object.keys(DURATION_SECONDS), ['1h', '24h', '3d', '7d']);
});

test('testUnknownDurationIsRefused', () => {
  assert.deepEqual(shareEnd('2w', '', NOW), { ok: false, error: 'endInvalid' });
});

test('testCustomEndBecomesAnISOInstantInTheBrowsersZone', () => {
  const r = shareEnd('custom', '2026-12-02T09:30', NOW);
  assert.equal(r.ok, true);
  if (!r.ok || !('expiresAt' in r.body)) throw new Error('no expiresAt');
  assert.equal(Date.parse(r.body.expiresAt), new Date(2026, 11, 2, 9, 30).getTime());
  assert.ok(r.body.expiresAt.endsWith('Z'), r.body.expiresAt);
});

test('testCustomEndMustBeAMinuteAheadAndWithinTheCap', () => {
  assert.deepEqual(shareEnd('custom', '', NOW), { ok: false, error: 'endMissing' });
  assert.deepEqual(shareEnd('custom', 'tomorrow', NOW), { ok: false, error: 'endInvalid' });
  assert.deepEqual(shareEnd('custom', '2026-11-30T13:00', NOW), { ok: false, error: 'endTooSoon' });
  assert.equal(shareEnd('custom', '2026-11-30T13:02', NOW).ok, true);
  assert.deepEqual(shareEnd('custom', '2027-01-05T13:00', NOW, 30 * 86_400), { ok: false, error: 'endTooLate' });
  assert.equal(shareEnd('custom', '2026-12-29T13:00', NOW, 30 * 86_400).ok, true);
  assert.deepEqual(shareEnd('7d', '', NOW, 3 * 86_400), { ok: false, error: 'endTooLate' });
});

test('testLocalDateTimeRoundTripsAndRejectsImpossibleDates', () => {
  assert.equal(toLocalDateTime(NOW), '2026-11-30T13:00');
  assert.equal(parseLocalDateTime(toLocalDateTime(NOW)), NOW);
  assert.equal(parseLocalDateTime('2026-02-30T10:00'), null);
  assert.equal(parseLocalDateTime('2026-11-30 10:00'), null);
});

test('testAccessCodeIsEmptyOrFourToSixDigits', () => {
  assert.deepEqual(accessCode(''), { ok: true, code: null });
  assert.deepEqual(accessCode(' 1234 '), { ok: true, code: '1234' });
  assert.deepEqual(accessCode('１２３４５６'), { ok: true, code: '123456' });
  assert.deepEqual(accessCode('123'), { ok: false });
  assert.deepEqual(accessCode('1234567'), { ok: false });
  assert.deepEqual(accessCode('12a4'), { ok: false });
});

test('testTheServersCapIsReadFromItsRefusal', () => {
  assert.equal(maxSecondsFromMessage('a share can last at most 30 days'), 30 * 86_400);
  assert.equal(maxSecondsFromMessage('a share can last at most 12 hours'), 12 * 3600);
  assert.equal(maxSecondsFromMessage('a share can last at most 5400 seconds'), 5400);
  assert.equal(maxSecondsFromMessage('the share must end at least a minute from now'), null);
});

test('testDigitsAreNormalisedFromAnyKeyboard', () => {
  assert.equal(normaliseDigits('1980-05-12'), '19800512');
  assert.equal(normaliseDigits('１９８０ ０５ １２'), '19800512');
  assert.equal(normaliseDigits('1980/05/12'), '19800512');
});

test('testHistoryIsTheOtherExamsNewestFirst', () => {
  const exams = [
    { studyInstanceUID: 'a', studyDate: '20261101', studyTime: '0900' },
    { studyInstanceUID: 'b', studyDate: '20261120', studyTime: '0800' },
    { studyInstanceUID: 'c', studyDate: '20250101', studyTime: '1000' },
  ];
  assert.deepEqual(historyOf(exams, 'b').map((e) => e.studyInstanceUID), ['a', 'c']);
});

test('testActiveSharesAreThisExamsRunningOnesSoonestFirst', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  const shares = [
    { id: '1', studyInstanceUID: 'x', expiresAt: '2026-12-01T12:00:00Z' },
    { id: '2', studyInstanceUID: 'x', expiresAt: '2026-11-30T13:00:00Z' },
    { id: '3', studyInstanceUID: 'y', expiresAt: '2026-12-01T12:00:00Z' },
    { id: '4', studyInstanceUID: 'x', expiresAt: '2026-11-30T11:00:00Z' },
  ];
  assert.deepEqual(activeSharesOf(shares, 'x', now).map((s) => s.id), ['2', '1']);
});

/** @returns {import('../../../Sources/mi-server/Resources/web/patient/patient-session.js').StorageLike & { data: Map<string, string> }} */
function memoryStorage() {
  const data = new Map();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => { data.set(k, v); }, removeItem: (k) => { data.delete(k); } };
}

test('testPatientSessionLastsItsLifetimeAndIsForgottenAfter', async () => {
  let now = 1_000_000;
  const storage = memoryStorage();
  const store = new TokenStore('k', { storage, now: () => now });
  store.save({ accessToken: 'tok', expiresIn: 60, expiresAt: '1999-01-01T00:00:00Z', studyInstanceUID: '1.2', linkToken: 'L' });
  assert.equal(await store.accessToken(), 'tok');
  assert.equal(store.read()?.linkToken, 'L');
  now += 61_000;
  assert.equal(await store.accessToken(), null);
  assert.equal(storage.data.has('k'), false);
});

test('testPatientSessionCannotBeRefreshed', async () => {
  const storage = memoryStorage();
  const store = new TokenStore('k', { storage });
  store.save({ accessToken: 'tok', expiresIn: 600, studyInstanceUID: '1.2' });
  await assert.rejects(store.refresh('tok'), (e) => e instanceof SessionError && e.code === 'denied');
  assert.equal(await store.accessToken(), null);
});
