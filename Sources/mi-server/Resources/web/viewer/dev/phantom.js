// @ts-check
/**
 * A synthetic CT series for the harness and tests: 512×512 signed 16-bit slices, stored = HU + 1024 with Rescale
 * Intercept −1024, Pixel Spacing 0.7 mm, axial.
 *
 * - air −1000 HU; a body ellipse (centre 256,256, radii 230 × 200) of soft tissue 40 HU;
 * - a disc of −855 HU, radius 60, at the centre (the probe target);
 * - a bone disc of 1000 HU, radius 25, at (380, 200);
 * - a ramp band, rows 400–439, columns 56–455: HU = (x − 56)·5 − 1000, i.e. −1000…995, to check windows;
 * - a 300 HU marker of radius 10 at (100 + 12·slice, 130), so that each slice looks different.
 */

/** @typedef {import('../viewer.js').InstanceMeta} InstanceMeta */

export const SIZE = 512;
export const SPACING = 0.7;
export const CENTER = Object.freeze([256, 256]);
export const DISC_HU = -855;
export const TISSUE_HU = 40;
export const AIR_HU = -1000;
export const RAMP = Object.freeze({ rows: [400, 440], columns: [56, 456] });

/**
 * HU of pixel (x, y) of slice `slice`.
 * @param {number} x
 * @param {number} y
 * @param {number} slice
 */
export function phantomHU(x, y, slice) {
  if (y >= RAMP.rows[0] && y < RAMP.rows[1] && x >= RAMP.columns[0] && x < RAMP.columns[1]) return (x - 56) * 5 - 1000;
  const d2 = (/** @type {number} */ cx, /** @type {number} */ cy) => (x - cx) ** 2 + (y - cy) ** 2;
  if (d2(256, 256) <= 60 * 60) return DISC_HU;
  if (d2(380, 200) <= 25 * 25) return 1000;
  if (d2(100 + 12 * slice, 130) <= 10 * 10) return 300;
  if (((x - 256) / 230) ** 2 + ((y - 256) / 200) ** 2 <= 1) return TISSUE_HU;
  return AIR_HU;
}

/**
 * The stored values of one slice.
 * @param {number} slice
 */
export function phantomSlice(slice) {
  const data = new Int16Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) data[y * SIZE + x] = phantomHU(x, y, slice) + 1024;
  return data;
}

/**
 * Metadata of the series, in the shape of `GET /api/v1/series/{uid}/instances`.
 * @param {number} count
 * @returns {{ study: import('../overlay.js').StudyInfo, series: import('../overlay.js').SeriesInfo, instances: InstanceMeta[] }}
 */
export function phantomSeries(count) {
  const seriesUID = '1.2.826.0.1.3680043.10.543.1';
  return {
    study: {
      patientName: 'Doe^Jane', patientID: 'P-0042', patientSex: 'F', patientAge: '054Y', studyDate: '20261130', studyTime: '093000',
      studyDescription: 'CT CHEST (PHANTOM)', institutionName: 'Harness General Hospital',
    },
    series: { seriesInstanceUID: seriesUID, seriesNumber: 3, seriesDescription: 'Axial 5 mm', modality: 'CT' },
    instances: Array.from({ length: count }, (_, i) => ({
      sopInstanceUID: `${seriesUID}.${i + 1}`, instanceNumber: i + 1, numberOfFrames: 1, rows: SIZE, columns: SIZE,
      bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2',
      rescaleSlope: 1, rescaleIntercept: -1024, rescaleType: 'HU',
      windows: [{ center: 40, width: 400, explanation: 'SOFT TISSUE' }, { center: -600, width: 1500, explanation: 'LUNG' }],
      pixelSpacing: [SPACING, SPACING], imagerPixelSpacing: null, sliceThickness: 5, sliceLocation: -100 + 5 * i,
      imagePositionPatient: [-179.2, -179.2, -100 + 5 * i], imageOrientationPatient: [1, 0, 0, 0, 1, 0],
      modality: 'CT', lossy: false, transferSyntaxUID: '1.2.840.10008.1.2.1',
    })),
  };
}
