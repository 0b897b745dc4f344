// @ts-check
/**
 * The reports of an exam. A PDF opens in the browser's own viewer where there is one (desktop browsers:
 * `navigator.pdfViewerEnabled`), and as page images from the API everywhere else — phones, Android WeChat, iOS
 * (which shows only the first page of a framed PDF) — with a button to switch between the two. A text report
 * (from a structured report) is shown as text.
 *
 * The documents need the bearer token, so they are fetched with it and shown from blob: URLs (which also keeps
 * them out of the server's framing rules: `X-Frame-Options: DENY` applies to the server's own responses).
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { buildPath } from '../app/router.js';
import { errorState, loading } from '../app/ui.js';
import { displayName } from './study-model.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */
/**
 * @typedef {object} ReportRecord
 * @property {string} id
 * @property {string} title
 * @property {string} contentType
 * @property {string} author
 * @property {string} text
 * @property {number} createdAt epoch seconds
 * @property {boolean} hasDocument
 */

/** Whether this browser shows PDFs inline well enough to offer it first. */
export function inlinePDFSupported() {
  const nav = /** @type {Navigator & { pdfViewerEnabled?: boolean }} */ (navigator);
  const coarse = matchMedia('(pointer: coarse)').matches;
  return nav.pdfViewerEnabled === true && !coarse;
}

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  const uid = route.params.uid;
  /** @type {string[]} */
  const objectURLs = [];
  /** @type {AbortController} */
  const controller = new AbortController();
  const body = h('div', { class: 'reports-body' }, loading(t('state.loading')));
  const title = h('div', { class: 'study-summary' }, h('strong', null, t('study.reports')));
  const element = h('div', { class: 'page page-reports' },
    h('header', { class: 'viewer-header' },
      h('a', { class: 'icon-btn', href: buildPath('/studies/:uid', { uid }), testid: 'back-to-study', title: t('study.backToImages'), 'aria-label': t('study.backToImages') }, icon(ICONS.back)),
      title,
      h('a', { class: 'btn icon-text', href: buildPath('/studies/:uid', { uid }), testid: 'open-images' }, icon(ICONS.series, { size: 18 }), h('span', { class: 'hide-narrow' }, t('study.images')))),
    body);

  const load = async () => {
    replace(body, loading(t('state.loading')));
    try {
      const [study, page] = await Promise.all([
        ctx.api.get(`/api/v1/studies/${encodeURIComponent(uid)}`, undefined, { signal: controller.signal }),
        ctx.api.get(`/api/v1/studies/${encodeURIComponent(uid)}/reports`, undefined, { signal: controller.signal }),
      ]);
      replace(title, h('strong', null, displayName(study.patientName)), h('span', { class: 'muted' }, study.patientId ?? ''),
        h('span', { class: 'study-what' }, [study.modality, study.studyDate, study.description].filter((x) => x).join(' · ')));
      showReports(ctx, body, page.items, { objectURLs, signal: controller.signal, images: route.query.as === 'images' });
    } catch (e) {
      if (e instanceof ApiError && (e.kind === 'session' || e.kind === 'aborted')) return;
      replace(body, errorState(ctx, e, { onRetry: load }));
    }
  };
  load();
  return {
    element, title: t('study.reports'),
    destroy: () => { controller.abort(); for (const u of objectURLs) URL.revokeObjectURL(u); },
  };
}

/**
 * An exam's reports in `body`: a list when there are several, the newest shown first (also the patient's and a
 * share's report page).
 * @param {AppContext} ctx
 * @param {HTMLElement} body
 * @param {ReportRecord[]} reports
 * @param {{ objectURLs: string[], signal: AbortSignal, images?: boolean }} options `images`: page images even where a PDF would show
 */
export function showReports(ctx, body, reports, options) {
  const { t } = ctx;
  if (reports.length === 0) {
    replace(body, h('div', { class: 'state state-empty', testid: 'reports-empty' }, h('p', null, t('reports.none'))));
    return;
  }
  const viewHost = h('div', { class: 'report-host' });
  const list = h('nav', { class: 'report-list', testid: 'report-list' });
  /** @param {ReportRecord} r @param {'pdf' | 'images' | null} [mode] */
  const show = (r, mode = null) => {
    for (const b of list.querySelectorAll('button')) b.classList.toggle('active', b.getAttribute('data-report-id') === r.id);
    showReport(ctx, viewHost, r, mode ?? (inlinePDFSupported() && !options.images ? 'pdf' : 'images'), options.objectURLs, options.signal, show);
  };
  for (const r of reports) {
    list.appendChild(h('button', { class: 'report-item', type: 'button', testid: 'report-item', dataset: { reportId: r.id }, onclick: () => show(r) },
      icon(ICONS.report, { size: 18 }), h('span', null, r.title || t('reports.untitled')),
      h('small', { class: 'muted' }, [r.author, new Date(r.createdAt * 1000).toLocaleDateString(ctx.i18n.locale)].filter((x) => x).join(' · '))));
  }
  replace(body, reports.length > 1 ? list : null, viewHost);
  show(reports[reports.length - 1]);
}

/**
 * @param {AppContext} ctx
 * @param {HTMLElement} host
 * @param {ReportRecord} r
 * @param {'pdf' | 'images'} mode
 * @param {string[]} objectURLs
 * @param {AbortSignal} signal
 * @param {(r: ReportRecord, mode: 'pdf' | 'images') => void} reshow
 */
async function showReport(ctx, host, r, mode, objectURLs, signal, reshow) {
  const { t } = ctx;
  const base = `/api/v1/reports/${encodeURIComponent(r.id)}`;
  const view = h('div', { class: 'report-view', testid: 'report-view', dataset: { mode: r.hasDocument ? mode : 'text' } });
  const tools = h('div', { class: 'report-tools' },
    h('strong', null, r.title || t('reports.untitled')),
    // Phones get page images only: a framed PDF shows nothing (Android WeChat) or its first page (iOS).
    r.hasDocument && !matchMedia('(pointer: coarse)').matches ? h('button', { class: 'chip', type: 'button', testid: 'report-toggle', onclick: () => reshow(r, mode === 'pdf' ? 'images' : 'pdf') }, mode === 'pdf' ? t('reports.asImages') : t('reports.asPDF')) : null,
    r.hasDocument ? h('button', { class: 'chip', type: 'button', testid: 'report-download', onclick: () => download() }, t('reports.download')) : null);
  replace(host, tools, view);

  const download = async () => {
    try {
      const blob = await ctx.api.blob(`${base}/file`);
      const url = URL.createObjectURL(blob);
      objectURLs.push(url);
      const a = h('a', { href: url, download: `report-${r.id}.pdf` });
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (e) { ctx.toast(e instanceof Error ? e.message : String(e), 'error'); }
  };

  if (!r.hasDocument) {
    replace(view, h('pre', { class: 'report-text', testid: 'report-text' }, r.text));
    return;
  }
  replace(view, loading(t('reports.loading')));
  try {
    if (mode === 'pdf') {
      const blob = await ctx.api.blob(`${base}/file`, undefined, { signal });
      const url = URL.createObjectURL(new Blob([blob], { type: 'application/pdf' }));
      objectURLs.push(url);
      replace(view, h('iframe', { class: 'report-pdf', src: url, title: r.title || t('reports.untitled'), testid: 'report-pdf' }));
      return;
    }
    const pages = await ctx.api.get(`${base}/pages`, undefined, { signal });
    /** @type {Array<{ number: number, url: string }>} */
    const items = pages.items;
    const imgs = items.map((p) => h('img', { class: 'report-page', testid: 'report-page', alt: t('reports.page', { number: p.number, count: items.length }), dataset: { page: String(p.number) } }));
    replace(view, imgs.map((img, i) => h('figure', { class: 'report-figure' }, img, h('figcaption', null, t('reports.page', { number: i + 1, count: items.length })))));
    // Pages in order, a few at a time: the first page is what the doctor reads first.
    for (let i = 0; i < items.length; i++) {
      const blob = await ctx.api.blob(`${base}/pages/${items[i].number}`, undefined, { signal });
      const url = URL.createObjectURL(blob);
      objectURLs.push(url);
      imgs[i].src = url;
    }
  } catch (e) {
    if (e instanceof ApiError && (e.kind === 'aborted' || e.kind === 'session')) return;
    replace(view, errorState(ctx, e, { onRetry: () => reshow(r, mode) }));
  }
}
