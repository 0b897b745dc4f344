// @ts-check
/**
 * The annotation layer over the image: the four corners (as ImagingKit `Overlay/CornerOverlay.swift` lays them
 * out), the orientation markers, measurement labels, a status line, and the 2-D canvas measurements are drawn on.
 * DOM text rather than canvas text, so that it is selectable, readable by screen readers and testable
 * (`data-testid` `overlay-corner-tl|tr|bl|br`, `orientation-left|right|top|bottom`, `measurement-value`,
 * `viewer-status`). Styles are set through the CSSOM (allowed under a strict Content-Security-Policy).
 */

/**
 * One line of corner text: a stable key (for layout and translation), the formatted value, and the numbers it
 * was made from (so that a translation can format them its own way).
 * @typedef {{ key: string, value: string, params?: Record<string, number | string> }} OverlayItem
 * @typedef {{ tl: OverlayItem[], tr: OverlayItem[], bl: OverlayItem[], br: OverlayItem[] }} CornerItems
 */

/**
 * The study fields the corners show (what the study/series endpoints carry).
 * @typedef {object} StudyInfo
 * @property {string} [patientName] DICOM PN (`Family^Given`, with `=` groups) or a display string
 * @property {string} [patientID]
 * @property {string} [patientSex]
 * @property {string} [patientAge]
 * @property {string} [patientBirthDate] YYYYMMDD
 * @property {string} [studyDate] YYYYMMDD
 * @property {string} [studyTime] HHMMSS
 * @property {string} [studyDescription]
 * @property {string} [institutionName]
 */

/**
 * @typedef {object} SeriesInfo
 * @property {string} seriesInstanceUID
 * @property {number | string} [seriesNumber]
 * @property {string} [seriesDescription]
 * @property {string} [modality]
 */

/**
 * The name's alphabetic group with its components joined by spaces, as ImagingKit does ("Doe^Jane" → "Doe Jane");
 * the ideographic group when there is no alphabetic one; a string without `^` or `=` as it is.
 * @param {string | undefined | null} pn
 */
export function formatPersonName(pn) {
  if (!pn) return '';
  if (!pn.includes('^') && !pn.includes('=')) return pn.trim();
  const groups = pn.split('=');
  const group = groups.find((g) => g.replace(/\^/g, '').trim() !== '') ?? '';
  return group.split('^').map((c) => c.trim()).filter((c) => c !== '').join(' ');
}

/** YYYYMMDD → YYYY-MM-DD. */
export const formatDate = (/** @type {string | undefined} */ s) => (s && /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : s ?? '');
/** HHMMSS(.ffffff) → HH:MM:SS, HHMM → HH:MM. */
export const formatTime = (/** @type {string | undefined} */ s) => {
  const c = (s ?? '').replace(/[^0-9]/g, '').slice(0, 6);
  if (c.length >= 6) return `${c.slice(0, 2)}:${c.slice(2, 4)}:${c.slice(4, 6)}`;
  if (c.length >= 4) return `${c.slice(0, 2)}:${c.slice(2, 4)}`;
  return s ?? '';
};

/** Modalities whose corners show tube voltage and exposure (as ImagingKit's CornerOverlay). */
const X_RAY_MODALITIES = ['CT', 'DX', 'CR', 'DR', 'MG', 'XA', 'RF'];

/** Integers as integers, others with up to two decimals (ImagingKit's `number`). */
const number = (/** @type {number} */ v) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100));
const windowNumber = (/** @type {number} */ v) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 10) / 10));

/**
 * The corner text of a displayed image.
 * - top left: patient name, ID, sex and age, birth date;
 * - top right: institution, study description, date and time, series number, image number / count;
 * - bottom left: kVp and mAs for X-ray modalities (CT, DX, CR, DR, MG, XA, RF), TR and TE for MR; for CT, MR, PT, NM
 *   slice thickness and location;
 * - bottom right: window, zoom, and "LOSSY" when the pixels went through lossy compression.
 * @param {object} c
 * @param {StudyInfo} c.study
 * @param {SeriesInfo} c.series
 * @param {import('./viewer.js').InstanceMeta | null} c.instance
 * @param {number} c.index 0-based position in the stack
 * @param {number} c.count frames in the stack
 * @param {import('./math/voi.js').Window | null} c.window
 * @param {number | null} c.scale screen pixels per image pixel
 * @returns {CornerItems}
 */
export function cornerItems({ study, series, instance, index, count, window, scale }) {
  /** @type {CornerItems} */
  const out = { tl: [], tr: [], bl: [], br: [] };
  /**
   * @param {OverlayItem[]} list
   * @param {string} key
   * @param {string | undefined | null} value
   * @param {Record<string, number | string>} [params]
   */
  const add = (list, key, value, params) => { if (value) list.push(params ? { key, value, params } : { key, value }); };
  add(out.tl, 'patientName', formatPersonName(study.patientName));
  add(out.tl, 'patientID', study.patientID);
  add(out.tl, 'patientSexAge', [study.patientSex, study.patientAge].filter((v) => v).join(' '));
  add(out.tl, 'patientBirthDate', study.patientBirthDate ? formatDate(study.patientBirthDate) : '');
  add(out.tr, 'institution', study.institutionName);
  add(out.tr, 'studyDescription', study.studyDescription);
  add(out.tr, 'studyDateTime', [study.studyDate ? formatDate(study.studyDate) : '', study.studyTime ? formatTime(study.studyTime) : ''].filter((v) => v).join(' '));
  const hasSeriesNumber = series.seriesNumber !== undefined && series.seriesNumber !== null && series.seriesNumber !== '';
  add(out.tr, 'series', hasSeriesNumber ? `Se: ${series.seriesNumber}` : '', hasSeriesNumber ? { number: /** @type {number | string} */ (series.seriesNumber) } : undefined);
  add(out.tr, 'instance', count > 0 ? `Im: ${index + 1}/${count}` : '', { index: index + 1, count });
  const modality = instance?.modality ?? series.modality ?? '';
  if (instance && X_RAY_MODALITIES.includes(modality)) {
    if (typeof instance.kvp === 'number') add(out.bl, 'kvp', `${number(instance.kvp)} kVp`, { value: number(instance.kvp) });
    if (typeof instance.exposureMAs === 'number') add(out.bl, 'mAs', `${number(instance.exposureMAs)} mAs`, { value: number(instance.exposureMAs) });
  }
  if (instance && modality === 'MR') {
    if (typeof instance.repetitionTime === 'number') add(out.bl, 'tr', `TR ${number(instance.repetitionTime)}`, { ms: number(instance.repetitionTime) });
    if (typeof instance.echoTime === 'number') add(out.bl, 'te', `TE ${number(instance.echoTime)}`, { ms: number(instance.echoTime) });
  }
  if (instance && ['CT', 'MR', 'PT', 'NM'].includes(modality)) {
    if (typeof instance.sliceThickness === 'number') add(out.bl, 'sliceThickness', `ST ${number(instance.sliceThickness)} mm`, { mm: number(instance.sliceThickness) });
    if (typeof instance.sliceLocation === 'number') add(out.bl, 'sliceLocation', `SL ${number(instance.sliceLocation)}`, { location: number(instance.sliceLocation) });
  }
  if (window) add(out.br, 'window', `WW ${windowNumber(window.width)} WL ${windowNumber(window.center)}`, { width: windowNumber(window.width), center: windowNumber(window.center) });
  if (scale !== null) add(out.br, 'zoom', `Zoom ${Math.round(scale * 100)}%`, { percent: Math.round(scale * 100) });
  if (instance?.lossy) add(out.br, 'lossy', 'LOSSY');
  return out;
}

/**
 * A measurement label to place.
 * @typedef {object} Label
 * @property {string} id
 * @property {string[]} lines
 * @property {number} x screen position (CSS px) of the label's top-left corner
 * @property {number} y
 * @property {boolean} selected
 * @property {string | null} caveat shown as a tooltip and marked with "*"
 */

/** @param {CSSStyleDeclaration} s @param {Record<string, string>} props */
const style = (s, props) => { for (const [k, v] of Object.entries(props)) s.setProperty(k, v); };

const TEXT = {
  color: '#e8e8e8', 'font-family': 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif',
  'font-size': '12px', 'line-height': '1.35', 'text-shadow': '0 0 2px #000, 0 0 2px #000', 'white-space': 'pre',
  'pointer-events': 'none', position: 'absolute', 'font-variant-numeric': 'tabular-nums',
};

export class Overlay {
  /**
   * @param {HTMLElement} container the viewer's element (positioned)
   * @param {{ translate?: (key: string, fallback: string, params?: Record<string, number | string>) => string }} [options]
   */
  constructor(container, options = {}) {
    this.container = container;
    this.translate = options.translate ?? ((_key, fallback) => fallback);
    const doc = container.ownerDocument;
    this.canvas = doc.createElement('canvas');
    this.canvas.setAttribute('aria-hidden', 'true');
    style(this.canvas.style, { position: 'absolute', left: '0', top: '0', width: '100%', height: '100%', 'pointer-events': 'none' });
    container.appendChild(this.canvas);
    /** @type {Record<'tl' | 'tr' | 'bl' | 'br', HTMLElement>} */
    this.corners = /** @type {any} */ ({});
    /** @type {Record<string, Record<string, string>>} */
    const place = {
      tl: { left: '6px', top: '4px' }, tr: { right: '6px', top: '4px', 'text-align': 'right' },
      bl: { left: '6px', bottom: '4px' }, br: { right: '6px', bottom: '4px', 'text-align': 'right' },
    };
    for (const corner of /** @type {const} */ (['tl', 'tr', 'bl', 'br'])) {
      const el = doc.createElement('div');
      el.dataset.testid = `overlay-corner-${corner}`;
      style(el.style, { ...TEXT, ...place[corner] });
      container.appendChild(el);
      this.corners[corner] = el;
    }
    /** @type {Record<'left' | 'right' | 'top' | 'bottom', HTMLElement>} */
    this.markers = /** @type {any} */ ({});
    /** @type {Record<string, Record<string, string>>} */
    const markerPlace = {
      left: { left: '6px', top: '50%', transform: 'translateY(-50%)' }, right: { right: '6px', top: '50%', transform: 'translateY(-50%)' },
      top: { top: '4px', left: '50%', transform: 'translateX(-50%)' }, bottom: { bottom: '4px', left: '50%', transform: 'translateX(-50%)' },
    };
    for (const side of /** @type {const} */ (['left', 'right', 'top', 'bottom'])) {
      const el = doc.createElement('div');
      el.dataset.testid = `orientation-${side}`;
      style(el.style, { ...TEXT, ...markerPlace[side], 'font-size': '14px', 'font-weight': '600' });
      container.appendChild(el);
      this.markers[side] = el;
    }
    this.labelLayer = doc.createElement('div');
    style(this.labelLayer.style, { position: 'absolute', left: '0', top: '0', width: '100%', height: '100%', overflow: 'hidden', 'pointer-events': 'none' });
    container.appendChild(this.labelLayer);
    /** @type {Map<string, HTMLElement>} */
    this.labels = new Map();
    this.status = doc.createElement('div');
    this.status.dataset.testid = 'viewer-status';
    this.status.setAttribute('role', 'status');
    style(this.status.style, { ...TEXT, left: '50%', top: '50%', transform: 'translate(-50%, -50%)', 'font-size': '14px' });
    container.appendChild(this.status);
    /** @type {string} */
    this.cornerKey = '';
    /** whether the 2-D canvas holds nothing (the viewer then leaves it alone) */
    this.blank = true;
  }

  /**
   * Sizes the 2-D canvas for a viewport and returns its context, cleared and scaled to CSS pixels.
   * @param {number} cssWidth
   * @param {number} cssHeight
   * @param {number} dpr
   */
  context2d(cssWidth, cssHeight, dpr) {
    const w = Math.max(1, Math.round(cssWidth * dpr)), h = Math.max(1, Math.round(cssHeight * dpr));
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
    const ctx = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext('2d'));
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.setTransform(w / cssWidth, 0, 0, h / cssHeight, 0, 0);
    return ctx;
  }

  /** @param {CornerItems} items */
  setCorners(items) {
    const key = JSON.stringify(items);
    if (key === this.cornerKey) return;
    this.cornerKey = key;
    // Only a corner whose text changed is rewritten: during a window drag that is one corner, not four relayouts.
    for (const corner of /** @type {const} */ (['tl', 'tr', 'bl', 'br'])) {
      const text = items[corner].map((i) => this.translate(`overlay.${i.key}`, i.value, i.params)).join('\n');
      if (this.corners[corner].textContent !== text) this.corners[corner].textContent = text;
    }
  }

  /** @param {import('./math/orientation.js').Markers | null} m */
  setMarkers(m) {
    for (const side of /** @type {const} */ (['left', 'right', 'top', 'bottom'])) {
      const text = m ? m[side] : '';
      if (this.markers[side].textContent !== text) this.markers[side].textContent = text;
    }
  }

  /** @param {string} text */
  setStatus(text) {
    if (this.status.textContent !== text) this.status.textContent = text;
  }

  /**
   * Places the measurement labels (creating and removing elements as needed).
   * @param {Label[]} labels
   */
  setLabels(labels) {
    const seen = new Set();
    for (const l of labels) {
      seen.add(l.id);
      let el = this.labels.get(l.id);
      if (!el) {
        el = this.container.ownerDocument.createElement('div');
        el.dataset.testid = 'measurement-value';
        el.dataset.measurementId = l.id;
        style(el.style, { ...TEXT, left: '0', top: '0', background: 'rgba(0, 0, 0, 0.45)', padding: '1px 4px', 'border-radius': '3px', color: '#ffe066' });
        this.labelLayer.appendChild(el);
        this.labels.set(l.id, el);
      }
      const text = l.lines.join('\n') + (l.caveat ? ' *' : '');
      if (el.textContent !== text) el.textContent = text;
      el.title = l.caveat ?? '';
      el.style.setProperty('transform', `translate(${Math.round(l.x)}px, ${Math.round(l.y)}px)`);
      el.style.setProperty('outline', l.selected ? '1px solid #ffe066' : 'none');
    }
    for (const [id, el] of this.labels) {
      if (!seen.has(id)) { el.remove(); this.labels.delete(id); }
    }
  }

  /** Removes the layer's elements. */
  dispose() {
    for (const el of [this.canvas, ...Object.values(this.corners), ...Object.values(this.markers), this.labelLayer, this.status]) el.remove();
  }
}
