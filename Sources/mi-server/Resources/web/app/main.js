// @ts-check
/**
 * The web app: boots the session, messages and router, and mounts one page at a time into `#app`.
 *
 * Doctors land in the worklist, administrators (who are not also doctors) in the administration pages
 * (`roles.js`); the server decides what each may do.
 *
 * Routes needing a signed-in user send a signed-out visitor to the login page and back afterwards; an API call that
 * finds the session expired does the same from wherever the user was. Going offline shows a banner, and coming
 * back online tells the page to retry (the `online` event on `window`).
 */

import { I18n, readLocale, LOCALE_KEY } from './i18n.js';
import { Session, STORAGE_KEY } from './session.js';
import { ApiClient } from './api.js';
import { Router, ROUTES, safeReturnPath } from './router.js';
import { h, replace } from './dom.js';
import { toast, errorState, loading } from './ui.js';
import { landingPath, redirectFor } from './roles.js';
import { preloadPage } from './preload.js';
import { prefetchStudyReads } from '../doctor/study-reads.js';
import { takeEarlyReads } from './early-reads.js';

/** @typedef {import('./context.js').AppContext} AppContext */
/** @typedef {import('./context.js').Page} Page */
/** @typedef {import('./context.js').PageFactory} PageFactory */

/** @type {Record<string, () => Promise<{ render: PageFactory }>>} */
const PAGES = {
  home: () => import('../doctor/home.js'),
  register: () => import('../doctor/register.js'),
  worklist: () => import('../doctor/worklist.js'),
  study: () => import('../doctor/study.js'),
  reports: () => import('../doctor/reports.js'),
  profile: () => import('../doctor/profile.js'),
  'admin-registrations': () => import('../admin/registrations.js'),
  'admin-users': () => import('../admin/users.js'),
  'admin-audit': () => import('../admin/audit.js'),
  'admin-clients': () => import('../admin/clients.js'),
  'admin-pacs': () => import('../admin/pacs.js'),
  'admin-settings': () => import('../admin/settings.js'),
  'admin-hospitals': () => import('../admin/hospitals.js'),
  messages: () => import('../doctor/inbox.js'),
  patient: () => import('../patient/entry.js'),
  patientRetrieve: () => import('../patient/retrieve.js'),
  patientExam: () => import('../patient/home.js'),
  patientImages: () => import('../patient/images.js'),
  patientReport: () => import('../patient/report.js'),
  patientLink: () => import('../patient/link.js'),
  share: () => import('../patient/share.js'),
};

/**
 * The API reads a page makes first, by route: started with the page's modules (`ApiClient.prefetch`) rather than
 * after them, a round trip or more earlier on a slow network. The page asks with `api.get(path)` as usual.
 * @type {Record<string, (route: import('./router.js').RouteMatch) => void>}
 */
const PAGE_READS = {
  study: (route) => prefetchStudyReads(api, route.params.uid, route.query),
};

/** Where a signed-in user starts (`landingPath`): patients at their exams, administrators in the administration, doctors at the worklist. */
async function startPath() {
  try {
    return landingPath((await ctx.me()).roles ?? []);
  } catch { return '/worklist'; }
}

const root = /** @type {HTMLElement} */ (document.getElementById('app'));
const i18n = new I18n(readLocale(globalThis.localStorage));
const session = new Session();
const router = new Router(ROUTES);
let redirecting = false;

/** @param {string} [returnTo] */
async function login(returnTo) {
  if (redirecting) return;
  redirecting = true;
  const back = safeReturnPath(returnTo ?? router.location()) ?? '/worklist';
  location.assign(await session.beginLogin(back));
}

const api = new ApiClient({
  session,
  early: takeEarlyReads(),
  onSessionExpired: () => { login(router.location()); },
  onNetworkError: () => showOffline(!navigator.onLine),
});

/** @type {import('./context.js').UserAccount | null} */
let meCache = null;
/** @type {Promise<import('./context.js').Hospital[]> | null} */
let hospitalsCache = null;

/** @type {AppContext} */
const ctx = {
  api, session, i18n,
  t: (key, params) => i18n.t(key, params),
  navigate: (path, options) => (options?.quiet ? router.replaceQuietly(path) : router.navigate(path, options)),
  login,
  logout: async () => {
    await session.logout();
    meCache = null;
    router.navigate('/', { replace: true });
    toast(i18n.t('toast.signedOut'), 'success');
  },
  me: async () => {
    if (!meCache) meCache = await api.get('/api/v1/me');
    return /** @type {import('./context.js').UserAccount} */ (meCache);
  },
  hospitals: () => {
    if (!hospitalsCache) {
      hospitalsCache = api.get('/api/v1/hospitals', undefined, { auth: false }).then((p) => p.items);
      hospitalsCache.catch(() => { hospitalsCache = null; });
    }
    return hospitalsCache;
  },
  toast,
};

/** @type {Page | null} */
let current = null;
let generation = 0;

async function show() {
  await i18n.ready;   // a stored English (its catalogue is fetched first)
  const route = router.current;
  const mine = ++generation;
  current?.destroy?.();
  current = null;
  document.documentElement.lang = i18n.locale;
  if (!route) {
    replace(root, errorState(ctx, new Error(i18n.t('error.notFound.detail'))));
    return;
  }
  if (route.name === 'callback') { await finishLogin(route.query); return; }
  if (!route.public && !session.isSignedIn()) {
    replace(root, loading(i18n.t('state.redirectingToLogin')));
    await login(route.path);
    return;
  }
  // The page's whole module graph is fetched while the profile and the page's first reads are asked for: on a slow
  // network each import level and each of those is a round trip or more. The reads go first, so that they are not
  // queued behind the modules for the browser's few connections to the server.
  const signedInArea = session.isSignedIn() && (route.name === 'home' || !route.public);
  const redirect = signedInArea ? areaRedirect(route.name) : null;
  if (signedInArea) PAGE_READS[route.name]?.(route);
  // A task later: the reads' requests (each after the token's microtasks) are then ahead of the modules' preloads.
  setTimeout(() => preloadPage(route.name), 0);
  if (redirect) {
    const to = await redirect;
    if (mine !== generation) return;
    if (to) { router.navigate(to, { replace: true }); return; }
  }
  root.dataset.route = route.name;
  if (!root.firstElementChild) replace(root, loading(i18n.t('state.loading')));
  try {
    const module = await PAGES[route.name]();
    if (mine !== generation) return;
    const page = module.render(ctx, route);
    current = page;
    replace(root, page.element);
    document.title = page.title ? `${page.title} · ${i18n.t('app.title')}` : i18n.t('app.title');
  } catch (e) {
    if (mine !== generation) return;
    replace(root, errorState(ctx, e, { onRetry: () => show() }));
  }
}

/**
 * The path a signed-in user should see instead of this route (their area), or null.
 * @param {string} routeName
 */
async function areaRedirect(routeName) {
  try {
    const me = await ctx.me();
    return redirectFor(routeName, me.roles ?? []);
  } catch {
    // No profile (network, expired session): the page itself shows what is wrong; home goes to the worklist as before.
    return routeName === 'home' ? '/worklist' : null;
  }
}

/** @param {Record<string, string>} query */
async function finishLogin(query) {
  replace(root, loading(i18n.t('state.signingIn')));
  try {
    const back = await session.completeLogin(query);
    meCache = null;
    const start = await startPath();
    // A patient whose sign-in began at a doctor's page (the home's default) goes to their own exams.
    router.navigate(safeReturnPath(start === '/patient' && back === '/worklist' ? start : back) ?? start, { replace: true });
  } catch (e) {
    replace(root, h('div', { class: 'state state-error', testid: 'error-login', role: 'alert' },
      h('h2', null, i18n.t('error.login.title')),
      h('p', null, e instanceof Error ? e.message : String(e)),
      h('div', { class: 'state-actions' }, h('button', { class: 'btn primary', type: 'button', onclick: () => { redirecting = false; login('/worklist'); } }, i18n.t('action.signIn')))));
  }
}

/** @param {boolean} offline */
function showOffline(offline) {
  let banner = document.querySelector('.offline-banner');
  if (offline && !banner) {
    banner = h('div', { class: 'offline-banner', testid: 'offline-banner', role: 'status' }, i18n.t('state.offline'));
    document.body.appendChild(banner);
  } else if (!offline && banner) banner.remove();
}

// Back from the login page with the browser's back button (page restored from the back-forward cache).
window.addEventListener('pageshow', () => { redirecting = false; });
window.addEventListener('offline', () => showOffline(true));
window.addEventListener('online', () => { showOffline(false); toast(i18n.t('state.online'), 'success'); });
window.addEventListener('storage', (e) => {
  if (e.key === STORAGE_KEY) {
    const was = session.isSignedIn();
    session.reload();
    if (was && !session.isSignedIn()) router.navigate('/', { replace: true });   // signed out in another tab
  }
  if (e.key === LOCALE_KEY && (e.newValue === 'en' || e.newValue === 'zh-CN')) i18n.setLocale(e.newValue);
});
i18n.addEventListener('change', () => {
  try { localStorage.setItem(LOCALE_KEY, i18n.locale); } catch { /* private mode */ }
  show();
});
router.addEventListener('change', () => { show(); });
router.start();
