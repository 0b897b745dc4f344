// @ts-check
/**
 * History routing: the app's paths (`/worklist`, `/studies/{uid}`, …) map to named routes with parameters. The
 * server answers each of these paths with index.html (`Routes/WebAppRoutes.swift` lists the same patterns), so that
 * a reload, a bookmark or a link in a message opens the app at that place.
 *
 * The pattern functions are pure (unit-tested in Node); `Router` binds them to `history` and link clicks.
 *
 * ```js
 * const router = new Router(ROUTES);
 * router.addEventListener('change', () => render(router.current));
 * router.start();
 * router.navigate('/studies/1.2.3');
 * ```
 */

/**
 * @typedef {object} RouteDef
 * @property {string} name
 * @property {string} pattern `/studies/:uid/reports`; `:name` matches one path segment (`/p/:token` and `/s/:token`
 *   are served by the server's PublicPageRoutes, which checks the link first)
 * @property {boolean} [public] reachable without signing in
 */

/**
 * @typedef {object} RouteMatch
 * @property {string} name
 * @property {Record<string, string>} params decoded path parameters
 * @property {Record<string, string>} query the first value of each query parameter
 * @property {string} path the path as matched (with its query), for "back to the same place"
 * @property {boolean} public
 */

/** The app's routes. Keep in step with `WebAppRoutes.paths` on the server. */
export const ROUTES = Object.freeze([
  { name: 'home', pattern: '/', public: true },
  { name: 'callback', pattern: '/app/callback', public: true },
  { name: 'register', pattern: '/register', public: true },
  { name: 'worklist', pattern: '/worklist' },
  { name: 'study', pattern: '/studies/:uid' },
  { name: 'reports', pattern: '/studies/:uid/reports' },
  { name: 'profile', pattern: '/me' },
  { name: 'admin-registrations', pattern: '/admin' },
  { name: 'admin-registrations', pattern: '/admin/registrations' },
  { name: 'admin-users', pattern: '/admin/users' },
  { name: 'admin-audit', pattern: '/admin/audit' },
  { name: 'admin-clients', pattern: '/admin/clients' },
  { name: 'admin-pacs', pattern: '/admin/pacs' },
  { name: 'admin-settings', pattern: '/admin/settings' },
  { name: 'admin-hospitals', pattern: '/admin/hospitals' },
  { name: 'messages', pattern: '/messages' },
  // Patients and share recipients: no account needed (their pages use a patient or share session).
  { name: 'patient', pattern: '/patient', public: true },
  { name: 'patientRetrieve', pattern: '/patient/retrieve', public: true },
  { name: 'patientExam', pattern: '/patient/exams/:uid', public: true },
  { name: 'patientImages', pattern: '/patient/exams/:uid/images', public: true },
  { name: 'patientReport', pattern: '/patient/exams/:uid/report', public: true },
  { name: 'patientLink', pattern: '/p/:token', public: true },
  { name: 'share', pattern: '/s/:token', public: true },
]);

/**
 * A pattern as a regular expression and its parameter names.
 * @param {string} pattern
 * @returns {{ regex: RegExp, keys: string[] }}
 */
export function compile(pattern) {
  /** @type {string[]} */
  const keys = [];
  const source = pattern.split('/').map((segment) => {
    if (segment.startsWith(':')) { keys.push(segment.slice(1)); return '([^/]+)'; }
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('/');
  return { regex: new RegExp(`^${source}/?$`), keys };
}

/**
 * The route a path belongs to, or null.
 * @param {ReadonlyArray<RouteDef>} routes
 * @param {string} pathAndQuery `/studies/1.2.3?x=1` (a hash is ignored)
 * @returns {RouteMatch | null}
 */
export function match(routes, pathAndQuery) {
  const [withoutHash] = pathAndQuery.split('#');
  const q = withoutHash.indexOf('?');
  const pathname = q >= 0 ? withoutHash.slice(0, q) : withoutHash;
  const search = q >= 0 ? withoutHash.slice(q + 1) : '';
  for (const route of routes) {
    const { regex, keys } = compile(route.pattern);
    const m = regex.exec(pathname === '' ? '/' : pathname);
    if (!m) continue;
    /** @type {Record<string, string>} */
    const params = {};
    try {
      keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
    } catch {
      return null;   // a malformed escape is no route of ours
    }
    return { name: route.name, params, query: parseQuery(search), path: withoutHash || '/', public: route.public === true };
  }
  return null;
}

/**
 * The first value of each parameter of a query string.
 * @param {string} search with or without the leading `?`
 * @returns {Record<string, string>}
 */
export function parseQuery(search) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [k, v] of new URLSearchParams(search.startsWith('?') ? search.slice(1) : search)) if (!(k in out)) out[k] = v;
  return out;
}

/**
 * A path for a pattern: parameters encoded, empty query values left out.
 * @param {string} pattern
 * @param {Record<string, string>} [params]
 * @param {Record<string, string | number | boolean | null | undefined>} [query]
 */
export function buildPath(pattern, params = {}, query = {}) {
  const path = pattern.split('/').map((segment) => {
    if (!segment.startsWith(':')) return segment;
    const value = params[segment.slice(1)];
    if (value === undefined || value === '') throw new RangeError(`missing parameter ${segment.slice(1)} for ${pattern}`);
    return encodeURIComponent(value);
  }).join('/');
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '' && v !== false) search.set(k, String(v));
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * A path is one of ours and safe to return to after signing in: same origin, absolute path, no scheme or
 * protocol-relative trickery (an open redirect would let a link send a doctor elsewhere after login).
 * @param {unknown} path
 * @param {ReadonlyArray<RouteDef>} [routes]
 */
export function safeReturnPath(path, routes = ROUTES) {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.includes('\\')) return null;
  const m = match(routes, path);
  if (!m || m.name === 'callback') return null;
  return path;
}

/** Binds the routes to the browser's history. Events: `change` after every navigation. */
export class Router extends EventTarget {
  /**
   * @param {ReadonlyArray<RouteDef>} routes
   * @param {Window} [win]
   */
  constructor(routes, win = window) {
    super();
    this.routes = routes;
    this.window = win;
    /** @type {RouteMatch | null} */
    this.current = null;
    this.onPopState = () => this.#update();
    /** @param {MouseEvent} e */
    this.onClick = (e) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const target = /** @type {Element | null} */ (e.target instanceof Element ? e.target.closest('a[href]') : null);
      if (!target || target.getAttribute('target') || target.hasAttribute('download')) return;
      const href = target.getAttribute('href') ?? '';
      if (!href.startsWith('/') || href.startsWith('//') || !match(this.routes, href)) return;
      e.preventDefault();
      this.navigate(href);
    };
  }

  start() {
    this.window.addEventListener('popstate', this.onPopState);
    this.window.document.addEventListener('click', this.onClick);
    this.#update();
  }

  /** The path with query of the page now. */
  location() {
    const l = this.window.location;
    return `${l.pathname}${l.search}`;
  }

  /**
   * @param {string} path
   * @param {{ replace?: boolean }} [options]
   */
  navigate(path, options = {}) {
    if (path === this.location() && !options.replace) { this.#update(); return; }
    if (options.replace) this.window.history.replaceState(null, '', path);
    else this.window.history.pushState(null, '', path);
    this.#update();
  }

  /**
   * Changes the query of the current page without a navigation event (a page remembering its filter in the URL).
   * @param {string} path
   */
  replaceQuietly(path) {
    this.window.history.replaceState(null, '', path);
    this.current = match(this.routes, path);
  }

  #update() {
    this.current = match(this.routes, this.location());
    this.dispatchEvent(new Event('change'));
  }
}
