// @ts-check
/**
 * Window presets per modality.
 *
 * CT (centre/width in HU). Where ImagingKit (`Window.presets`) has a preset, the value is ImagingKit's, so that a
 * server render and the viewer agree on what "lung" means; the others are standard published values:
 * - brain 40/80, lung −600/1500, bone 400/1800 — ImagingKit; the same in Radiopaedia's "Windowing (CT)";
 * - mediastinum 50/350 — ImagingKit; Radiopaedia's mediastinum is W 350 L 50;
 * - abdomen 40/400, liver 60/160 — ImagingKit; Radiopaedia gives soft tissue W 400 L 50, liver W 150 L 30;
 * - subdural 75/215 — inside Radiopaedia's subdural range (W 130–300, L 50–100);
 * - stroke 40/40 — the routine "stroke window" (Turner & Holdsworth, BJR 2011; Radiopaedia also cites 32/8,
 *   too narrow for a default);
 * - temporal bone 600/2800 — Radiopaedia's temporal bones W 2800 L 600.
 *
 * Other modalities have no fixed presets: their windows come from the data (`windowsOf`) and the auto window.
 */

/** @typedef {import('./voi.js').Window} Window */

/** @type {ReadonlyArray<{ name: string, window: Window }>} */
export const CT_PRESETS = Object.freeze([
  { name: 'brain', window: { center: 40, width: 80, explanation: 'BRAIN' } },
  { name: 'subdural', window: { center: 75, width: 215, explanation: 'SUBDURAL' } },
  { name: 'stroke', window: { center: 40, width: 40, explanation: 'STROKE' } },
  { name: 'lung', window: { center: -600, width: 1500, explanation: 'LUNG' } },
  { name: 'mediastinum', window: { center: 50, width: 350, explanation: 'MEDIASTINUM' } },
  { name: 'abdomen', window: { center: 40, width: 400, explanation: 'ABDOMEN' } },
  { name: 'liver', window: { center: 60, width: 160, explanation: 'LIVER' } },
  { name: 'bone', window: { center: 400, width: 1800, explanation: 'BONE' } },
  { name: 'temporal-bone', window: { center: 600, width: 2800, explanation: 'TEMPORAL BONE' } },
]);

/**
 * The presets offered for an image: `default` (the first window of the data, when it has one), `dicom-N` for
 * each window of the data (N from 1, labelled with its explanation), the modality's fixed presets, then `auto`
 * (the histogram window of the frame, resolved by the viewer).
 * @param {string | null | undefined} modality
 * @param {Window[]} dataWindows from `windowsOf`
 * @returns {Array<{ name: string, label: string, window: Window | null }>}
 */
export function presetsFor(modality, dataWindows) {
  /** @type {Array<{ name: string, label: string, window: Window | null }>} */
  const out = [];
  if (dataWindows.length > 0) out.push({ name: 'default', label: 'default', window: dataWindows[0] });
  dataWindows.forEach((w, i) => out.push({ name: `dicom-${i + 1}`, label: w.explanation || `C ${w.center} W ${w.width}`, window: w }));
  if (modality === 'CT') for (const p of CT_PRESETS) out.push({ name: p.name, label: p.name, window: p.window });
  out.push({ name: 'auto', label: 'auto', window: null });
  return out;
}
