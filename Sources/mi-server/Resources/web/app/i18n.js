// @ts-check
/**
 * Messages: one catalogue per language (`i18n/zh-CN.js`, the default, and `i18n/en.js`, fetched when first wanted),
 * flat keys, `{name}` placeholders. Every text the app shows comes from here; a unit test checks that both catalogues have the same
 * keys and placeholders and that every key the code uses exists.
 *
 * ```js
 * const i18n = new I18n(readLocale(localStorage));
 * i18n.t('worklist.total', { count: 12 });   // "共 12 项"
 * ```
 */

import zhCN from './i18n/zh-CN.js';

/** @typedef {Record<string, string>} Catalog */
/** @typedef {'zh-CN' | 'en'} Locale */

/** @type {Locale} */
export const DEFAULT_LOCALE = 'zh-CN';
export const LOCALE_KEY = 'mi.locale';
/** @type {readonly Locale[]} */
export const LOCALES = Object.freeze(['zh-CN', 'en']);

/**
 * The catalogues loaded so far. Chinese comes with the app; English is fetched when it is first wanted: every static
 * import is on the way to the first page, and most users read Chinese.
 * @type {Map<Locale, Catalog>}
 */
const loaded = new Map([[DEFAULT_LOCALE, zhCN]]);

/**
 * A locale's catalogue, fetched once.
 * @param {Locale} locale
 * @returns {Promise<Catalog>}
 */
export async function loadCatalog(locale) {
  const known = loaded.get(locale);
  if (known) return known;
  if (locale !== 'en') throw new RangeError(`no catalogue for ${locale}`);
  const catalog = (await import('./i18n/en.js')).default;
  loaded.set(locale, catalog);
  return catalog;
}

/**
 * Replaces `{name}` with `params.name`; unknown placeholders stay as they are.
 * @param {string} template
 * @param {Record<string, string | number>} [params]
 */
export function format(template, params) {
  if (!params) return template;
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/**
 * The placeholders of a message, sorted (for the completeness test).
 * @param {string} template
 */
export function placeholders(template) {
  return [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]).sort();
}

/**
 * The locale to start with: the one the user chose, else Chinese.
 * @param {{ getItem(key: string): string | null } | null | undefined} storage
 * @returns {Locale}
 */
export function readLocale(storage) {
  let stored = null;
  try { stored = storage?.getItem(LOCALE_KEY) ?? null; } catch { stored = null; }
  return stored === 'en' || stored === 'zh-CN' ? stored : DEFAULT_LOCALE;
}

export class I18n extends EventTarget {
  /**
   * Texts are in `locale` once `ready` has resolved (at once for Chinese); until then, and if its catalogue cannot be
   * fetched, in Chinese.
   * @param {Locale} [locale]
   */
  constructor(locale = DEFAULT_LOCALE) {
    super();
    /** @type {Locale} */
    this.locale = loaded.has(locale) ? locale : DEFAULT_LOCALE;
    /** @type {Promise<void>} */
    this.ready = this.locale === locale ? Promise.resolve() : loadCatalog(locale).then(() => { this.locale = locale; }, () => undefined);
  }

  /** @returns {Catalog} */
  get catalog() { return loaded.get(this.locale) ?? zhCN; }

  /**
   * @param {string} key
   * @param {Record<string, string | number>} [params]
   */
  t(key, params) {
    const template = this.catalog[key] ?? zhCN[key];
    return template === undefined ? key : format(template, params);
  }

  /**
   * Whether a key exists (the viewer asks with its own keys and falls back to its text).
   * @param {string} key
   */
  has(key) { return key in this.catalog; }

  /**
   * Switches to `locale` once its catalogue is in (`change` then); stays in the current one if it cannot be fetched.
   * @param {Locale} locale
   * @returns {Promise<void>}
   */
  async setLocale(locale) {
    if (!LOCALES.includes(locale) || locale === this.locale) return;
    try { await loadCatalog(locale); } catch { return; }
    if (locale === this.locale) return;
    this.locale = locale;
    this.dispatchEvent(new Event('change'));
  }
}
