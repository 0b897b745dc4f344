// @ts-check
/**
 * The API's study, series and instance records as the viewer core wants them. Pure; unit-tested.
 *
 * `GET /api/v1/series/{uid}/instances` nests the image attributes under `image` (null for objects without pixels:
 * SR, Encapsulated PDF); the viewer takes one flat `InstanceMeta` per image.
 */

/**
 * @typedef {object} StudyRecord `GET /api/v1/studies/{uid}` and worklist items
 * @property {string} studyInstanceUID
 * @property {string} [accessionNumber]
 * @property {string} [patientName]
 * @property {string} [patientId]
 * @property {string} [patientSex]
 * @property {string} [patientBirthDate] YYYY-MM-DD
 * @property {string} [studyDate] YYYY-MM-DD
 * @property {string} [studyTime] HH:MM:SS
 * @property {string} [modality]
 * @property {string[]} [modalities]
 * @property {string} [description]
 * @property {string} [bodyPart]
 * @property {'scheduled' | 'imaging' | 'report'} status
 * @property {string | null} [visitType]
 * @property {string} [institution]
 * @property {string} [department]
 * @property {number} [seriesCount]
 * @property {number} [instanceCount]
 */

/**
 * @typedef {object} SeriesRecord
 * @property {string} seriesInstanceUID
 * @property {string} [modality]
 * @property {number | null} [seriesNumber]
 * @property {string} [description]
 * @property {number} [instanceCount]
 * @property {string | null} [thumbnailInstanceUID]
 */

/**
 * @typedef {object} InstanceRecord
 * @property {string} sopInstanceUID
 * @property {number | null} [instanceNumber]
 * @property {number} [numberOfFrames]
 * @property {string} [transferSyntaxUID]
 * @property {Record<string, any> | null} [image]
 */

/** Series whose modality never has pixels to show. */
const NON_IMAGE_MODALITIES = new Set(['SR', 'DOC', 'KO', 'PR', 'REG', 'SEG', 'RTSTRUCT', 'RTPLAN']);

/**
 * The flat metadata of an image instance, or null for objects without pixels.
 * @param {InstanceRecord} item
 * @returns {import('../viewer/viewer.js').InstanceMeta | null}
 */
export function toInstanceMeta(item) {
  const image = item.image;
  if (!image || typeof image.rows !== 'number' || typeof image.columns !== 'number') return null;
  return {
    ...image,
    rows: image.rows, columns: image.columns,
    sopInstanceUID: item.sopInstanceUID,
    instanceNumber: item.instanceNumber ?? undefined,
    numberOfFrames: Math.max(1, image.numberOfFrames ?? item.numberOfFrames ?? 1),
    transferSyntaxUID: image.transferSyntaxUID ?? item.transferSyntaxUID,
  };
}

/**
 * @param {InstanceRecord[]} items
 * @returns {import('../viewer/viewer.js').InstanceMeta[]}
 */
export function imageInstances(items) {
  /** @type {import('../viewer/viewer.js').InstanceMeta[]} */
  const out = [];
  for (const item of items) { const m = toInstanceMeta(item); if (m) out.push(m); }
  return out;
}

/**
 * `2026-11-02` → `20261102` (the overlay formats DICOM dates itself); other text unchanged.
 * @param {string | undefined} s
 */
const dicomDate = (s) => (s && /^\d{4}-\d{2}-\d{2}$/.test(s) ? s.replace(/-/g, '') : s ?? '');

/**
 * The corner information of a study.
 * @param {StudyRecord} s
 * @returns {import('../viewer/overlay.js').StudyInfo}
 */
export function toStudyInfo(s) {
  return {
    patientName: s.patientName ?? '', patientID: s.patientId ?? '', patientSex: s.patientSex ?? '',
    patientBirthDate: dicomDate(s.patientBirthDate), studyDate: dicomDate(s.studyDate), studyTime: (s.studyTime ?? '').replace(/:/g, ''),
    studyDescription: s.description ?? '', institutionName: s.institution ?? '',
  };
}

/**
 * @param {SeriesRecord} s
 * @returns {import('../viewer/overlay.js').SeriesInfo}
 */
export function toSeriesInfo(s) {
  return { seriesInstanceUID: s.seriesInstanceUID, seriesNumber: s.seriesNumber ?? undefined, seriesDescription: s.description ?? '', modality: s.modality ?? '' };
}

/**
 * The series a doctor can look at, in series-number order (image series only).
 * @param {SeriesRecord[]} series
 */
export function viewableSeries(series) {
  return series.filter((s) => !NON_IMAGE_MODALITIES.has((s.modality ?? '').toUpperCase()) && (s.instanceCount ?? 0) > 0)
    .sort((a, b) => (a.seriesNumber ?? 1e9) - (b.seriesNumber ?? 1e9));
}

/**
 * Whether the pixels of a series are what the modality produced: `lossless` when no instance went through lossy
 * compression (Lossy Image Compression "01" or a lossy transfer syntax, as the server reports it), `lossy` when
 * any did, `unknown` before the metadata arrives. The frame API itself is always lossless.
 * @param {import('../viewer/viewer.js').InstanceMeta[]} instances
 * @returns {'lossless' | 'lossy' | 'unknown'}
 */
export function seriesQuality(instances) {
  if (instances.length === 0) return 'unknown';
  return instances.some((i) => i.lossy === true) ? 'lossy' : 'lossless';
}

/**
 * Whether an exam has no images yet (ordered, or images still being received).
 * @param {StudyRecord} study
 * @param {SeriesRecord[]} series
 */
export function stillArriving(study, series) {
  return study.status === 'scheduled' || viewableSeries(series).length === 0;
}

/**
 * Age in whole years on a date, from YYYY-MM-DD dates; null when either is unknown.
 * @param {string | undefined} birth
 * @param {string | undefined} on
 */
export function ageAt(birth, on) {
  const b = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth ?? ''), d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(on ?? '');
  if (!b || !d) return null;
  let age = Number(d[1]) - Number(b[1]);
  if (Number(d[2]) < Number(b[2]) || (d[2] === b[2] && Number(d[3]) < Number(b[3]))) age -= 1;
  return age >= 0 && age < 150 ? age : null;
}

/**
 * A person name for lists: the DICOM groups (`张三=Zhang^San`) as "张三 (Zhang San)"; a plain string as it is.
 * @param {string | undefined} pn
 */
export function displayName(pn) {
  if (!pn) return '';
  const groups = pn.split('=').map((g) => g.split('^').map((c) => c.trim()).filter((c) => c).join(' ')).filter((g) => g);
  if (groups.length === 0) return '';
  const [first, ...rest] = groups;
  const other = rest.find((g) => g !== first);
  return other ? `${first} (${other})` : first;
}
