// @ts-check
/**
 * The study page: the diagnostic viewer on original pixels. Series thumbnails to switch series (with each one's
 * loading progress), the viewer core (`/viewer/viewer.js`: WebGL2, decode workers, the loader's "slice under the
 * eye first" priority and memory budget), a toolbar with every tool, window presets per modality, palettes,
 * sharpening and cine, a stack slider, and a clear lossless/lossy indicator.
 *
 * The view (series, slice, window, zoom, measurements…) is kept in sessionStorage per study, so that coming back
 * from the reports, a reload, or a re-login after an expired session shows the same picture. `?series=UID&frame=N`
 * (N from 1) opens a given series and slice.
 *
 * States a doctor understands: loading, still arriving (ordered or images not yet received; checked again every
 * 15 s), permission denied, not found, network loss (retry; retried by itself when the browser is back online).
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { buildPath } from '../app/router.js';
import { errorState, loading } from '../app/ui.js';
import { Viewer, PALETTE_NAMES } from '../viewer/viewer.js';
import { WorkerPool, fetchBatchOnMainThread, fetchOnMainThread } from '../viewer/worker-client.js';
import { FrameFetchError, framesURL } from '../viewer/frame-fetch.js';
import { decodeFrame } from '../viewer/frame-format.js';
import { decodeWorkerCount } from '../viewer/worker-warmup.js';
import { SessionError } from '../app/session.js';
import { takeEarlyFirstFrame } from '../app/early-reads.js';
import { imageInstances, toStudyInfo, toSeriesInfo, viewableSeries, seriesQuality, stillArriving, displayName, ageAt } from './study-model.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */
/** @typedef {import('./study-model.js').StudyRecord} StudyRecord */
/** @typedef {import('./study-model.js').SeriesRecord} SeriesRecord */
/** @typedef {import('../viewer/viewer.js').InstanceMeta} InstanceMeta */

const ARRIVING_POLL_MS = 15_000;
/** The longest the series thumbnails wait for the viewer's first image. */
const THUMBNAIL_WAIT_MS = 2_000;
const STATE_PREFIX = 'mi.viewer.';
const CINE_RATES = [5, 10, 15, 20, 30];
const SHARPEN_LEVELS = [0, 1, 2, 3];

/** Pointer tools (one at a time) and the button test ids of the issue. */
const POINTER_TOOLS = /** @type {const} */ ([
  ['wwwl', 'tool-wwwl', ICONS.wwwl], ['probe', 'tool-probe', ICONS.probe], ['length', 'tool-length', ICONS.length],
  ['angle', 'tool-angle', ICONS.angle], ['ellipse', 'tool-ellipse', ICONS.ellipse], ['rectangle', 'tool-rectangle', ICONS.rectangle],
  ['zoom', 'tool-zoom', ICONS.zoom], ['pan', 'tool-pan', ICONS.pan], ['stack', 'tool-stack', ICONS.stack],
]);

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx, route) {
  const { t } = ctx;
  const uid = route.params.uid;
  const body = h('div', { class: 'study-body' }, loading(t('study.loading')));
  const element = h('div', { class: 'page page-study' }, body);
  /** @type {(() => void) | null} */
  let teardown = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let poll;
  let gone = false;

  const load = async () => {
    clearTimeout(poll);
    replace(body, loading(t('study.loading')));
    try {
      const [study, seriesPage] = await Promise.all([
        ctx.api.get(`/api/v1/studies/${encodeURIComponent(uid)}`),
        ctx.api.get(`/api/v1/studies/${encodeURIComponent(uid)}/series`),
      ]);
      if (gone) return;
      /** @type {SeriesRecord[]} */
      const series = seriesPage.items;
      if (stillArriving(study, series)) {
        replace(body, header(ctx, study, null), arriving(ctx, study, load));
        poll = setTimeout(load, ARRIVING_POLL_MS);
        return;
      }
      teardown = mountViewer(ctx, body, study, viewableSeries(series), route.query, { header: (quality, extra) => header(ctx, study, quality, extra) });
    } catch (e) {
      if (gone || (e instanceof ApiError && e.kind === 'session')) return;
      replace(body, errorState(ctx, e, { onRetry: load, what: t('study.notFound') }));
    }
  };
  const onOnline = () => { if (body.querySelector('[data-testid="error-network"]')) load(); };
  window.addEventListener('online', onOnline);
  load();
  return {
    element, title: t('study.title'),
    destroy: () => { gone = true; clearTimeout(poll); window.removeEventListener('online', onOnline); teardown?.(); },
  };
}

/**
 * The top bar: back, who and what, the quality indicator, the reports.
 * @param {AppContext} ctx
 * @param {StudyRecord} study
 * @param {HTMLElement | null} quality
 * @param {HTMLElement[]} [extra]
 */
function header(ctx, study, quality, extra = []) {
  const { t } = ctx;
  const age = ageAt(study.patientBirthDate, study.studyDate);
  const who = [displayName(study.patientName), study.patientSex ? t(`sex.${study.patientSex}`) : '', age !== null ? t('worklist.age', { age }) : ''].filter((x) => x).join(' · ');
  const what = [study.modality, study.studyDate, study.description].filter((x) => x).join(' · ');
  return h('header', { class: 'viewer-header' },
    h('a', { class: 'icon-btn', href: '/worklist', testid: 'back-to-worklist', title: t('nav.worklist'), 'aria-label': t('nav.worklist') }, icon(ICONS.back)),
    h('div', { class: 'study-summary', testid: 'study-summary' },
      h('strong', null, who), h('span', { class: 'muted' }, `${study.patientId ?? ''}`), h('span', { class: 'study-what' }, what)),
    quality, ...extra,
    study.status === 'report'
      ? h('a', { class: 'btn icon-text', href: buildPath('/studies/:uid/reports', { uid: study.studyInstanceUID }), testid: 'open-reports' }, icon(ICONS.report, { size: 18 }), h('span', { class: 'hide-narrow' }, t('study.reports')))
      : null);
}

/**
 * @param {AppContext} ctx
 * @param {StudyRecord} study
 * @param {() => void} retry
 */
function arriving(ctx, study, retry) {
  const { t } = ctx;
  return h('div', { class: 'state state-arriving', testid: 'study-arriving', role: 'status' },
    h('div', { class: 'spinner slow' }),
    h('h2', null, study.status === 'scheduled' ? t('study.scheduledTitle') : t('study.arrivingTitle')),
    h('p', null, study.status === 'scheduled' ? t('study.scheduledDetail') : t('study.arrivingDetail')),
    h('div', { class: 'state-actions' },
      h('button', { class: 'btn primary', type: 'button', testid: 'retry', onclick: retry }, icon(ICONS.refresh, { size: 18 }), t('study.checkAgain')),
      h('a', { class: 'btn', href: '/worklist' }, t('nav.worklist'))));
}

/**
 * How a page other than the doctor's uses the viewer: the patient's images and a share's (a simpler toolbar, their
 * own header, and the bearer token of a patient or share session instead of the signed-in account's).
 * @typedef {object} ViewerPageOptions
 * @property {(quality: HTMLElement, extra: HTMLElement[]) => HTMLElement} header the top bar
 * @property {'full' | 'simple'} [toolbar] `simple`: window/level, length, zoom, pan, fit and reset
 * @property {import('../app/api.js').TokenSource} [tokens] the frames' bearer tokens (default: the signed-in session)
 * @property {() => void} [onDenied] the session is over (default: sign in again, back here)
 * @property {() => void} [onGone] a frame answered 410: the share or link has ended
 */

/** The pointer tools of the simple toolbar (patients, share recipients). */
const SIMPLE_TOOLS = ['wwwl', 'length', 'zoom', 'pan'];

/**
 * Builds the viewer page for a study with images; returns its teardown.
 * @param {AppContext} ctx
 * @param {HTMLElement} body
 * @param {StudyRecord} study
 * @param {SeriesRecord[]} seriesList
 * @param {Record<string, string>} query
 * @param {ViewerPageOptions} options
 */
export function mountViewer(ctx, body, study, seriesList, query, options) {
  const { t } = ctx;
  const simple = options.toolbar === 'simple';
  const tokens = options.tokens ?? ctx.session;
  const onDenied = options.onDenied ?? (() => { ctx.login(location.pathname + location.search); });
  const stateKey = STATE_PREFIX + study.studyInstanceUID;
  /** @type {Map<string, Promise<InstanceMeta[]>>} */
  const instanceCache = new Map();
  /** @type {Map<string, { loaded: number, total: number }>} */
  const progressBySeries = new Map();
  /** @type {string[]} */
  const objectURLs = [];
  let panel = 'presets';
  let currentSeries = '';
  let frameFailed = false;
  let destroyed = false;

  // ---- frames: decode workers, the session's token, one silent refresh on 401
  /** @type {WorkerPool | null} */
  let pool = null;
  try { pool = new WorkerPool({ workers: decodeWorkerCount() }); } catch { pool = null; }
  /**
   * A frame request with the session's token, refreshed once on 401.
   * @template T
   * @param {(headers: Record<string, string>) => Promise<T>} send
   * @returns {Promise<T>}
   */
  const withSession = async (send) => {
    const attempt = async () => {
      const token = await tokens.accessToken().catch(() => null);
      /** @type {Record<string, string>} */
      const headers = token ? { Authorization: `Bearer ${token}` } : {};
      return { token, result: send(headers) };
    };
    const first = await attempt();
    try {
      return await first.result;
    } catch (e) {
      if (e instanceof FrameFetchError && e.code === 'http' && e.status === 410) options.onGone?.();
      if (!(e instanceof FrameFetchError && e.code === 'http' && e.status === 401) || !first.token) throw e;
      try { await tokens.refresh(first.token); } catch (se) {
        if (se instanceof SessionError && se.code === 'denied') onDenied();
        throw e;
      }
      return (await attempt()).result;
    }
  };
  let earlyFirst = takeEarlyFirstFrame();
  /** @param {import('../viewer/loader.js').FrameRef} ref @param {AbortSignal} signal */
  const fetchOwnFrame = (ref, signal) => withSession((headers) => (pool ? pool.fetch(ref.url, { headers, signal }) : fetchOnMainThread(ref.url, { headers, signal })));
  /** @type {import('../viewer/viewer.js').ViewerOptions['fetchFrame']} */
  const fetchFrame = (ref, signal) => {
    // The viewer's first frame, when the page's inline start-up script asked for the series' first frame
    // (app/early-reads.js) and the server's pick is this one: decoded here (half a millisecond) in the task that
    // asks; asked again the usual way if that answer failed, is another frame or is not a frame.
    const first = earlyFirst;
    earlyFirst = null;
    if (!first) return fetchOwnFrame(ref, signal);
    return first.then(({ url, body }) => {
      if (url !== ref.url) throw new Error(`the start-up script has ${url}`);
      return decodeFrame(body);
    }).catch(() => fetchOwnFrame(ref, signal));
  };
  /** @type {import('../viewer/viewer.js').ViewerOptions['fetchFrames']} */
  const fetchFrames = (refs, signal, onFrame) => withSession((headers) => (pool
    ? pool.fetchBatch(framesURL(refs), { headers, signal, onFrame })
    : fetchBatchOnMainThread(framesURL(refs), { headers, signal })));

  // ---- elements
  const quality = h('span', { class: 'quality', testid: 'quality-indicator', dataset: { quality: 'unknown' } }, '…');
  const seriesToggle = h('button', { class: 'icon-btn series-toggle', type: 'button', testid: 'toggle-series', title: t('study.series'), 'aria-label': t('study.series') }, icon(ICONS.series), h('span', { class: 'count' }, String(seriesList.length)));
  const host = h('div', { class: 'viewer-host', testid: 'viewer', tabindex: '0' });
  const progressBar = h('div', { class: 'bar' });
  const progressText = h('span', { class: 'progress-text' });
  const progress = h('div', { class: 'viewer-progress', testid: 'viewer-progress', role: 'progressbar', 'aria-valuemin': '0' }, progressBar, progressText);
  const retryButton = h('button', { class: 'btn primary viewer-retry', type: 'button', testid: 'viewer-retry', hidden: true }, icon(ICONS.refresh, { size: 18 }), t('action.retry'));
  const slider = h('input', { type: 'range', class: 'stack-slider', testid: 'stack-slider', min: '1', max: '1', value: '1', step: '1', 'aria-label': t('study.slice') });
  const frameLabel = h('span', { class: 'frame-label', testid: 'frame-label' });
  const contextBar = h('div', { class: 'context-bar', testid: 'context-bar' });
  const seriesPanel = h('aside', { class: 'series-panel', testid: 'series-list', 'aria-label': t('study.series') });

  /** @type {Map<string, HTMLButtonElement>} */
  const toolButtons = new Map();
  /**
   * @param {string} testid @param {string} iconPaths @param {string} label @param {() => void} action
   */
  const button = (testid, iconPaths, label, action) => {
    const b = h('button', { class: 'tool', type: 'button', testid, title: label, 'aria-label': label, onclick: action }, icon(iconPaths), h('span', { class: 'tool-label' }, label));
    toolButtons.set(testid, b);
    return b;
  };
  const toolbar = h('nav', { class: 'viewer-toolbar', role: 'toolbar', testid: 'viewer-toolbar', 'aria-label': t('study.tools') },
    POINTER_TOOLS.filter(([name]) => !simple || SIMPLE_TOOLS.includes(name)).map(([name, testid, paths]) => button(testid, paths, t(`tool.${name}`), () => {
      viewer.setTool(name);
      if (name === 'wwwl') panel = 'presets';
      else if (['probe', 'length', 'angle', 'ellipse', 'rectangle'].includes(name)) panel = 'measure';
      syncAll();
    })),
    simple ? null : [
      h('span', { class: 'tool-sep' }),
      button('tool-flip-h', ICONS.flipH, t('tool.flipH'), () => viewer.flipH()),
      button('tool-flip-v', ICONS.flipV, t('tool.flipV'), () => viewer.flipV()),
      button('tool-rotate', ICONS.rotate, t('tool.rotate'), () => viewer.rotate(1)),
      button('tool-invert', ICONS.invert, t('tool.invert'), () => viewer.invert()),
      button('tool-palette', ICONS.palette, t('tool.palette'), () => { panel = panel === 'palette' ? 'presets' : 'palette'; syncAll(); }),
      button('tool-sharpen', ICONS.sharpen, t('tool.sharpen'), () => { panel = panel === 'sharpen' ? 'presets' : 'sharpen'; syncAll(); }),
      button('tool-cine', ICONS.play, t('tool.cine'), () => { toggleCine(); panel = 'cine'; syncAll(); })],
    h('span', { class: 'tool-sep' }),
    button('tool-fit', ICONS.fit, t('tool.fit'), () => viewer.fit()),
    simple ? null : button('tool-one-to-one', 'M5 8l2-2v12|M17 8l2-2v12|c:12,10,.6|c:12,15,.6', t('tool.oneToOne'), () => viewer.actualSize()),
    button('tool-reset', ICONS.reset, t('tool.reset'), () => { viewer.cine(0); viewer.reset(); syncAll(); }),
    button('tool-clear', ICONS.trash, t('tool.clear'), () => viewer.clearMeasurements()));

  const stage = h('section', { class: 'viewer-stage' }, host, progress, retryButton);
  const stackBar = h('div', { class: 'stack-bar' },
    h('button', { class: 'icon-btn small', type: 'button', testid: 'frame-prev', 'aria-label': t('study.previous'), onclick: () => viewer.scrollBy(-1) }, '‹'),
    slider,
    h('button', { class: 'icon-btn small', type: 'button', testid: 'frame-next', 'aria-label': t('study.next'), onclick: () => viewer.scrollBy(1) }, '›'),
    frameLabel);
  const layout = h('div', { class: 'viewer-layout' }, seriesPanel, toolbar, contextBar, stage, stackBar);
  replace(body, options.header(quality, [seriesToggle]), layout);
  if (seriesList.length > 1) layout.classList.add('series-open');
  seriesToggle.addEventListener('click', () => layout.classList.toggle('series-open'));

  // ---- the viewer
  const viewer = new Viewer(host, {
    fetchFrame,
    fetchFrames,
    memoryBudget: (matchMedia('(pointer: coarse)').matches ? 192 : 768) * 1024 * 1024,
    // More fetches than the browser's six connections to a server: the rest wait in the browser, and each starts the
    // moment a connection is free, rather than after a worker has decoded the batch before it.
    concurrency: 12,
    // With the frames dealt out to all fetches in turn (viewer/loader.js), 12 × 24 covers a 288-slice series in one
    // wave that keeps the network busy to the end (the server allows 32 per batch).
    batchSize: 24,
    resolveSeries: async (seriesUID) => seriesInput(seriesUID),
    translate: (key, fallback, params) => (ctx.i18n.has(key) ? ctx.t(key, params) : fallback),
  });

  /** @param {string} seriesUID */
  const instancesOf = (seriesUID) => {
    let p = instanceCache.get(seriesUID);
    if (!p) {
      p = ctx.api.get(`/api/v1/series/${encodeURIComponent(seriesUID)}/instances`).then((page) => imageInstances(page.items));
      p.catch(() => instanceCache.delete(seriesUID));
      instanceCache.set(seriesUID, p);
    }
    return p;
  };
  /** @param {string} seriesUID */
  const seriesInput = async (seriesUID) => {
    const s = seriesList.find((x) => x.seriesInstanceUID === seriesUID);
    if (!s) throw new Error(`no series ${seriesUID}`);
    return { study: toStudyInfo(study), series: toSeriesInfo(s), instances: await instancesOf(seriesUID) };
  };

  /**
   * @param {string} seriesUID
   * @param {{ frame?: number, state?: any }} [at]
   */
  const openSeries = async (seriesUID, at = {}) => {
    currentSeries = seriesUID;
    frameFailed = false;
    syncThumbs();
    try {
      const input = await seriesInput(seriesUID);
      if (destroyed || currentSeries !== seriesUID) return;
      if (input.instances.length === 0) { viewer.overlay.setStatus(t('study.noImages')); return; }
      await viewer.openSeries(input, { frame: at.frame });
      if (at.state) await viewer.setState(at.state);
      const q = seriesQuality(input.instances);
      quality.dataset.quality = q;
      quality.textContent = t(`quality.${q}`);
      quality.title = t(`quality.${q}Hint`);
      slider.max = String(Math.max(viewer.stack.length, 1));
      syncAll();
    } catch (e) {
      if (destroyed) return;
      if (e instanceof ApiError && e.kind === 'session') return;
      replace(contextBar, h('span', { class: 'form-error' }, e instanceof Error ? e.message : String(e)),
        h('button', { class: 'chip', type: 'button', testid: 'series-retry', onclick: () => openSeries(seriesUID, at) }, t('action.retry')));
    }
  };

  // ---- series thumbnails
  // The server renders them: they are asked for once the first image is on screen (or after THUMBNAIL_WAIT_MS, when
  // it is not coming), so that their rendering does not compete with that image's (about 15 ms sooner at 30 Mbit/s).
  const firstImageShown = new Promise((resolve) => {
    viewer.addEventListener('firstimage', resolve, { once: true });
    setTimeout(resolve, THUMBNAIL_WAIT_MS);
  });
  /** @type {Map<string, { el: HTMLElement, bar: HTMLElement }>} */
  const thumbs = new Map();
  for (const s of seriesList) {
    const img = h('img', { alt: '', loading: 'lazy', decoding: 'async' });
    const bar = h('span', { class: 'thumb-progress', testid: 'series-progress' });
    const el = h('button', { class: 'series-thumb', type: 'button', testid: 'series-thumb', dataset: { seriesUid: s.seriesInstanceUID }, title: s.description ?? '' },
      h('span', { class: 'thumb-image' }, img, h('span', { class: 'thumb-count' }, String(s.instanceCount ?? ''))),
      h('span', { class: 'thumb-label' }, [s.seriesNumber != null ? `#${s.seriesNumber}` : '', s.modality, s.description].filter((x) => x).join(' ')),
      bar);
    el.addEventListener('click', () => { if (s.seriesInstanceUID !== currentSeries) openSeries(s.seriesInstanceUID); if (matchMedia('(max-width: 899px)').matches) layout.classList.remove('series-open'); });
    seriesPanel.appendChild(el);
    thumbs.set(s.seriesInstanceUID, { el, bar });
    const thumbnail = s.thumbnailInstanceUID;
    if (thumbnail) {
      firstImageShown.then(() => (destroyed ? Promise.reject(new Error('page left')) : ctx.api.blob(`/api/v1/instances/${encodeURIComponent(thumbnail)}/rendered`, { size: 160, format: 'jpeg' })))
        .then((blob) => { if (destroyed) return; const url = URL.createObjectURL(blob); objectURLs.push(url); img.src = url; })
        .catch(() => el.classList.add('no-thumb'));
    }
  }
  const syncThumbs = () => {
    for (const [suid, { el, bar }] of thumbs) {
      el.classList.toggle('active', suid === currentSeries);
      el.setAttribute('aria-pressed', String(suid === currentSeries));
      const p = progressBySeries.get(suid);
      bar.style.setProperty('--progress', p && p.total ? `${(100 * p.loaded) / p.total}%` : '0%');
      bar.classList.toggle('done', Boolean(p && p.total && p.loaded >= p.total));
    }
  };

  // ---- the context bar: presets, palettes, sharpening, cine, measuring hints
  const chip = (/** @type {string} */ testid, /** @type {string} */ label, /** @type {boolean} */ active, /** @type {() => void} */ action) =>
    h('button', { class: `chip${active ? ' active' : ''}`, type: 'button', testid, 'aria-pressed': String(active), onclick: action }, label);
  let contextKey = '';
  /** @type {HTMLElement | null} the presets panel's window readout, updated in place */
  let windowReadout = null;
  /** @type {HTMLElement[]} the presets panel's chips, in `viewer.presets()` order */
  let presetChips = [];
  const syncContext = () => {
    const s = viewer.getState();
    const w = viewer.effectiveWindow();
    const presets = viewer.presets();
    const key = JSON.stringify([panel, s.palette, s.sharpen, viewer.cineFps, presets.map((p) => p.name), ctx.i18n.locale]);
    if (key === contextKey && panel === 'presets') {
      // Only the window moved (a drag: every animation frame): the readout's text and the chips' marks, in place.
      const readout = w ? t('study.window', { width: Math.round(w.width), center: Math.round(w.center) }) : '';
      if (windowReadout && windowReadout.textContent !== readout) windowReadout.textContent = readout;
      presets.forEach((p, i) => {
        const el = presetChips[i], on = isPreset(p, s.window);
        if (el && el.classList.contains('active') !== on) { el.classList.toggle('active', on); el.setAttribute('aria-pressed', String(on)); }
      });
      return;
    }
    if (key === contextKey) return;  // the other panels do not show the window
    contextKey = key;
    windowReadout = null;
    presetChips = [];
    /** @type {Array<HTMLElement | string>} */
    let items = [];
    if (panel === 'palette') {
      items = PALETTE_NAMES.map((p) => chip(`palette-${p}`, t(`palette.${p}`), s.palette === p, () => viewer.setPalette(p)));
    } else if (panel === 'sharpen') {
      items = [h('span', { class: 'filter-label' }, t('tool.sharpen')), ...SHARPEN_LEVELS.map((n) => chip(`sharpen-${n}`, t(`sharpen.${n}`), s.sharpen === n, () => viewer.setSharpen(n)))];
    } else if (panel === 'cine') {
      items = [
        h('button', { class: 'chip', type: 'button', testid: 'cine-play', onclick: () => toggleCine() }, viewer.cineFps > 0 ? t('cine.pause') : t('cine.play')),
        ...CINE_RATES.map((r) => chip(`cine-fps-${r}`, t('cine.fps', { fps: r }), cineRate === r, () => { cineRate = r; if (viewer.cineFps > 0) viewer.cine(r); syncAll(); })),
      ];
    } else if (panel === 'measure') {
      items = [h('span', { class: 'hint' }, t('study.measureHint'))];
    } else {
      windowReadout = h('span', { class: 'window-readout', testid: 'window-readout' }, w ? t('study.window', { width: Math.round(w.width), center: Math.round(w.center) }) : '');
      presetChips = presets.map((p) => chip(`preset-${p.name}`, ctx.i18n.has(`preset.${p.name}`) ? t(`preset.${p.name}`) : p.label, isPreset(p, s.window), () => viewer.applyPreset(p.name)));
      items = [windowReadout, ...presetChips];
    }
    replace(contextBar, ...items);
  };
  /**
   * @param {{ name: string, window: { center: number, width: number } | null }} p
   * @param {{ center: number, width: number } | null} w
   */
  const isPreset = (p, w) => (p.name === 'default' ? w === null : Boolean(w && p.window && p.window.center === w.center && p.window.width === w.width && p.name !== 'auto'));

  let cineRate = 10;
  const toggleCine = () => { viewer.cine(viewer.cineFps > 0 ? 0 : cineRate); syncAll(); };

  // ---- state → controls
  const syncAll = () => {
    const s = viewer.getState();
    for (const [name, testid] of POINTER_TOOLS) {
      const b = toolButtons.get(testid);
      b?.classList.toggle('active', viewer.toolName === name);
      b?.setAttribute('aria-pressed', String(viewer.toolName === name));
    }
    /** @type {Array<[string, boolean]>} */
    const toggles = [['tool-flip-h', s.flipH], ['tool-flip-v', s.flipV], ['tool-invert', s.invert], ['tool-palette', s.palette !== 'gray' || panel === 'palette'],
      ['tool-sharpen', s.sharpen > 0 || panel === 'sharpen'], ['tool-cine', viewer.cineFps > 0], ['tool-rotate', s.rotation !== 0]];
    for (const [testid, on] of toggles) { toolButtons.get(testid)?.classList.toggle('on', on); toolButtons.get(testid)?.setAttribute('aria-pressed', String(on)); }
    const playing = viewer.cineFps > 0;
    const cineIcon = toolButtons.get('tool-cine')?.querySelector('svg');
    if (cineIcon && cineIcon.dataset.playing !== String(playing)) {
      const next = icon(playing ? ICONS.pause : ICONS.play);
      next.dataset.playing = String(playing);
      cineIcon.replaceWith(next);
    }
    const count = viewer.stack.length;
    // Written only when changed: this runs every animation frame of a drag.
    if (slider.max !== String(Math.max(count, 1))) slider.max = String(Math.max(count, 1));
    if (slider.value !== String(s.frame + 1)) slider.value = String(s.frame + 1);
    slider.disabled = count < 2;
    const frameText = count ? `${s.frame + 1} / ${count}` : '';
    if (frameLabel.textContent !== frameText) frameLabel.textContent = frameText;
    retryButton.hidden = !frameFailed;
    syncContext();
  };

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let saveTimer;
  viewer.addEventListener('statechange', () => {
    syncAll();
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveState, 300);
  });
  const saveState = () => { try { sessionStorage.setItem(stateKey, JSON.stringify(viewer.getState())); } catch { /* full or private */ } };
  viewer.addEventListener('progress', (e) => {
    const d = /** @type {CustomEvent<{ seriesUID: string, loaded: number, cached: number, failed: number, total: number }>} */ (e).detail;
    progressBySeries.set(d.seriesUID, { loaded: d.loaded, total: d.total });
    if (d.seriesUID === currentSeries) {
      const done = d.total > 0 && d.loaded >= d.total;
      progressBar.style.setProperty('--progress', d.total ? `${(100 * d.loaded) / d.total}%` : '0%');
      progressText.textContent = done ? t('study.loaded', { total: d.total }) : t('study.loadingProgress', { loaded: d.loaded, total: d.total });
      progress.setAttribute('aria-valuemax', String(d.total));
      progress.setAttribute('aria-valuenow', String(d.loaded));
      progress.classList.toggle('done', done);
      progress.dataset.loaded = String(d.loaded);
      progress.dataset.total = String(d.total);
    }
    syncThumbs();
  });
  viewer.addEventListener('frameerror', (e) => {
    const d = /** @type {CustomEvent<{ index: number, error: Error }>} */ (e).detail;
    if (d.index === viewer.getState().frame) { frameFailed = true; retryButton.hidden = false; }
  });
  const retryFrame = () => { frameFailed = false; retryButton.hidden = true; viewer.setFrame(viewer.getState().frame); };
  retryButton.addEventListener('click', retryFrame);
  const onOnline = () => { if (frameFailed) retryFrame(); };
  window.addEventListener('online', onOnline);
  slider.addEventListener('input', () => viewer.setFrame(Number(slider.value) - 1));

  // ---- where to start: the URL, else the view kept for this study, else the first series
  /** @type {any} */
  let saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(stateKey) ?? 'null'); } catch { saved = null; }
  const fromURL = seriesList.find((x) => x.seriesInstanceUID === query.series);
  const frameFromURL = Number(query.frame) >= 1 ? Math.floor(Number(query.frame)) - 1 : undefined;
  if (fromURL) openSeries(fromURL.seriesInstanceUID, { frame: frameFromURL });
  else if (saved && seriesList.some((x) => x.seriesInstanceUID === saved.seriesUID)) openSeries(saved.seriesUID, { state: saved });
  else if (seriesList.length) openSeries(seriesList[0].seriesInstanceUID, { frame: frameFromURL });
  syncAll();
  host.focus({ preventScroll: true });

  return () => {
    destroyed = true;
    saveState();
    clearTimeout(saveTimer);
    window.removeEventListener('online', onOnline);
    viewer.destroy();
    pool?.terminate();
    for (const url of objectURLs) URL.revokeObjectURL(url);
  };
}
