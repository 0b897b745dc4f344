// @ts-check
/**
 * What every page gets: the API, the session, messages, navigation, and the signed-in user.
 *
 * @typedef {object} AppContext
 * @property {import('./api.js').ApiClient} api
 * @property {import('./session.js').Session} session
 * @property {import('./i18n.js').I18n} i18n
 * @property {(key: string, params?: Record<string, string | number>) => string} t
 * @property {(path: string, options?: { replace?: boolean, quiet?: boolean }) => void} navigate `quiet`: change the URL without a page change
 * @property {(returnTo?: string) => Promise<void>} login sends the browser to the login page; back to `returnTo` after
 * @property {() => Promise<void>} logout
 * @property {() => Promise<UserAccount>} me the signed-in user (cached)
 * @property {() => Promise<Hospital[]>} hospitals (cached)
 * @property {(message: string, kind?: 'info' | 'error' | 'success') => void} toast
 */

/**
 * @typedef {object} UserAccount
 * @property {string} id
 * @property {string} username
 * @property {string} name
 * @property {string} phone
 * @property {string | null} hospitalId
 * @property {string} department
 * @property {string} title
 * @property {string[]} roles
 * @property {string} scope
 * @property {string} status
 * @property {boolean} mustChangePassword
 */

/** @typedef {{ id: string, name: string, departments: string[] }} Hospital */

/**
 * A mounted page: its element and what to undo when the user leaves.
 * @typedef {object} Page
 * @property {HTMLElement} element
 * @property {() => void} [destroy]
 * @property {string} [title]
 */

/** @typedef {(ctx: AppContext, route: import('./router.js').RouteMatch) => Page} PageFactory */

export {};
