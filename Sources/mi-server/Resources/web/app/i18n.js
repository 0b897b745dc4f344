// @ts-check
/**
 * Messages: one catalogue per language (`i18n/zh-CN.js`, the default, and `i18n/en.js`), flat keys, `{name}`
 * placeholders. Every text the app shows comes from here; a unit test checks that both catalogues have the same
 * keys and placeholders and that every key the code uses exists.
 *
 * ```js
 * const i18n = new I18n(readLocale(localStorage));
 * i18n.t('worklist.total', { count: 12 });   // "共 12 项"
 * ```
 */

import zhCN from './i18n/zh-CN.js';
import en from './i18n/en.js';

/** @typedef {Record<string, string>} Catalog */
/** @typedef {'zh-CN' | 'en'} Locale */

/** @type {Readonly<Record<Locale, Catalog>>} */
export const CATALOGS = Object.freeze({ 'zh-CN': zhCN, en });
/** @type {Locale} */
export const DEFAULT_LOCALE = 'zh-CN';
export const LOCALE_KEY = 'mi.locale';

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
  /** @param {Locale} [locale] */
  constructor(locale = DEFAULT_LOCALE) {
    super();
    /** @type {Locale} */
    this.locale = locale;
  }

  get catalog() { return CATALOGS[this.locale]; }

  /**
   * @param {string} key
   * @param {Record<string, string | number>} [params]
   */
  t(key, params) {
    const template = this.catalog[key] ?? CATALOGS[DEFAULT_LOCALE][key];
    return template === undefined ? key : format(template, params);
  }

  /**
   * Whether a key exists (the viewer asks with its own keys and falls back to its text).
   * @param {string} key
   */
  has(key) { return key in this.catalog; }

  /** @param {Locale} locale */
  setLocale(locale) {
    if (!(locale in CATALOGS) || locale === this.locale) return;
    this.locale = locale;
    this.dispatchEvent(new Event('change'));
  }
}
