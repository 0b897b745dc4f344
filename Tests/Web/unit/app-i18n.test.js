// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { I18n, format, loadCatalog, placeholders, readLocale } from '../../../Sources/mi-server/Resources/web/app/i18n.js';
import zhCN from '../../../Sources/mi-server/Resources/web/app/i18n/zh-CN.js';
import enCatalog from '../../../Sources/mi-server/Resources/web/app/i18n/en.js';
import { STATUSES, VISIT_TYPES, RANGES, SORT_KEYS } from '../../../Sources/mi-server/Resources/web/doctor/worklist-filter.js';
import { TITLES } from '../../../Sources/mi-server/Resources/web/doctor/validation.js';
import { PALETTE_NAMES } from '../../../Sources/mi-server/Resources/web/viewer/math/palette.js';
import { CT_PRESETS } from '../../../Sources/mi-server/Resources/web/viewer/math/presets.js';
import { TOOL_NAMES } from '../../../Sources/mi-server/Resources/web/viewer/tools.js';
import { ADMIN_PAGES, AUDIT_ACTIONS, GRANT_TYPES, POLICY_FIELDS } from '../../../Sources/mi-server/Resources/web/admin/admin-model.js';
import { SHARE_DURATIONS } from '../../../Sources/mi-server/Resources/web/patient/share-duration.js';

const zh = zhCN;
const en = enCatalog;
const WEB = new URL('../../../Sources/mi-server/Resources/web/', import.meta.url);

/** The app's source text (app/, doctor/, admin/ and patient/, not the catalogues). */
function appSources() {
  return ['app/', 'doctor/', 'admin/', 'patient/'].flatMap((dir) => readdirSync(new URL(dir, WEB)).filter((f) => f.endsWith('.js')).map((f) => readFileSync(new URL(dir + f, WEB), 'utf8')));
}

test('testBothCataloguesHaveTheSameKeys', () => {
  const missingInEn = Object.keys(zh).filter((k) => !(k in en));
  const missingInZh = Object.keys(en).filter((k) => !(k in zh));
  assert.deepEqual(missingInEn, [], 'keys missing in en.js');
  assert.deepEqual(missingInZh, [], 'keys missing in zh-CN.js');
});

test('testEveryMessageIsTextWithTheSamePlaceholdersInBothLanguages', () => {
  for (const key of Object.keys(zh)) {
    assert.equal(typeof zh[key], 'string', key);
    assert.ok(zh[key].trim() !== '' && en[key].trim() !== '', `${key} is empty`);
    assert.deepEqual(placeholders(en[key]), placeholders(zh[key]), `${key}: placeholders differ`);
  }
});

test('testEveryKeyTheCodeUsesExists', () => {
  /** @type {Set<string>} */
  const used = new Set();
  for (const text of appSources()) {
    for (const m of text.matchAll(/\bt\('([a-zA-Z0-9_.-]+)'/g)) used.add(m[1]);
    for (const m of text.matchAll(/'((?:validation|title|sort|error|study|worklist|scope|settings|pacs)\.[a-zA-Z0-9_.-]+)'/g)) used.add(m[1]);
  }
  // Keys built from values: each value of each family.
  for (const s of STATUSES) used.add(`status.${s}`);
  for (const v of VISIT_TYPES) used.add(`visit.${v}`);
  for (const r of RANGES) used.add(`range.${r}`);
  for (const k of SORT_KEYS) used.add(`sort.${k}`);
  for (const x of TITLES) used.add(x.key);
  for (const p of PALETTE_NAMES) used.add(`palette.${p}`);
  for (const p of CT_PRESETS) used.add(`preset.${p.name}`);
  for (const p of ['default', 'auto']) used.add(`preset.${p}`);
  for (const tool of TOOL_NAMES) used.add(`tool.${tool}`);
  for (const q of ['lossless', 'lossy', 'unknown']) { used.add(`quality.${q}`); used.add(`quality.${q}Hint`); }
  for (const n of [0, 1, 2, 3]) used.add(`sharpen.${n}`);
  for (const r of ['doctor', 'administrator', 'patient', 'integration']) used.add(`role.${r}`);
  for (const s of ['M', 'F', 'O']) used.add(`sex.${s}`);
  // The audit action names in admin-model.js are values, not keys (their labels are `audit.action.<name>`).
  for (const a of AUDIT_ACTIONS) used.delete(a);
  // The administration pages' families.
  for (const p of ADMIN_PAGES) { used.add(`admin.nav.${p}`); used.add(`admin.${p}.title`); }
  for (const a of AUDIT_ACTIONS) used.add(`audit.action.${a}`);
  for (const g of GRANT_TYPES) used.add(`grant.${g}`);
  for (const f of POLICY_FIELDS) { used.add(`settings.${f.key}`); used.add(`unit.${f.unit}`); }
  for (const s of ['pending', 'approved', 'rejected']) { used.add(`registration.status.${s}`); used.add(`registration.empty.${s}`); }
  for (const s of ['active', 'deactivated', 'closed']) used.add(`users.status.${s}`);
  for (const w of ['deactivate', 'reactivate', 'close']) used.add(`users.done.${w}`);
  for (const k of ['keep', 'department', 'hospital', 'all']) used.add(`scope.kind.${k}`);
  // The patient pages' families: share durations, share-end refusals, exam steps and their notes.
  for (const d of SHARE_DURATIONS) used.add(`share.duration.${d}`);
  for (const e of ['endMissing', 'endInvalid', 'endTooSoon', 'endTooLate']) used.add(`share.${e}`);
  for (const s of ['scheduled', 'imaging', 'report']) used.add(`patient.step.${s}`);
  for (const s of ['scheduled', 'imaging']) used.add(`patient.stepNote.${s}`);
  // The viewer core's keys (ViewerOptions.translate).
  for (const k of ['overlay.window', 'overlay.zoom', 'overlay.instance', 'overlay.series', 'overlay.sliceThickness', 'overlay.sliceLocation', 'overlay.lossy', 'viewer.loading', 'viewer.loadFailed', 'viewer.unsupported']) used.add(k);
  const missing = [...used].filter((k) => !(k in zh)).sort();
  assert.deepEqual(missing, []);
  assert.ok(used.size > 150, `only ${used.size} keys found: is the scan still reading the sources?`);
});

test('testNoTextIsWrittenIntoThePagesOutsideTheCatalogues', () => {
  // Chinese characters in the page code would be text that the English catalogue cannot replace. (Titles are stored
  // values the hospitals use, and locale names are written in their own language on purpose.)
  const allowed = new Set(['中文', ...TITLES.map((x) => x.value)]);
  for (const text of appSources()) {
    const code = text.replace(/\/\*\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
    for (const m of code.matchAll(/'([^'\n]*[\u4e00-\u9fff][^'\n]*)'/g)) assert.ok(allowed.has(m[1]), `text outside the catalogues: ${m[1]}`);
  }
});

test('testFormatFillsPlaceholdersAndLeavesUnknownOnes', () => {
  assert.equal(format('共 {count} 项', { count: 3 }), '共 3 项');
  assert.equal(format('{a} {b}', { a: 1 }), '1 {b}');
  assert.deepEqual(placeholders('{z} {a} x'), ['a', 'z']);
});

test('testChineseIsTheDefaultAndEnglishIsASwitch', async () => {
  assert.equal(readLocale(null), 'zh-CN');
  assert.equal(readLocale({ getItem: () => 'en' }), 'en');
  assert.equal(readLocale({ getItem: () => 'fr' }), 'zh-CN');
  const i18n = new I18n();
  assert.equal(i18n.t('worklist.total', { count: 2 }), '共 2 项检查');
  let changes = 0;
  i18n.addEventListener('change', () => { changes++; });
  await i18n.setLocale('en');
  assert.equal(i18n.t('worklist.total', { count: 2 }), '2 exams');
  assert.equal(i18n.t('no.such.key'), 'no.such.key');
  assert.equal(changes, 1);
  await i18n.setLocale('en');
  assert.equal(changes, 1, 'no change to the same locale');
});

test('testEnglishIsFetchedWhenFirstWantedAndAStoredEnglishIsReadyBeforeTheFirstText', async () => {
  // Not among the app's static imports (they are all on the way to the first page).
  const i18nSource = readFileSync(new URL('app/i18n.js', WEB), 'utf8');
  assert.ok(!/^import .*en\.js/m.test(i18nSource));
  assert.equal(await loadCatalog('en'), enCatalog);
  const i18n = new I18n('en');
  await i18n.ready;
  assert.equal(i18n.locale, 'en');
  assert.equal(i18n.t('worklist.total', { count: 3 }), '3 exams');
  await assert.rejects(loadCatalog(/** @type {any} */ ('fr')));
  const chinese = new I18n();
  await chinese.ready;
  assert.equal(chinese.locale, 'zh-CN');
});
