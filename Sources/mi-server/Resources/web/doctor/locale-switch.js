// @ts-check
/** The language switch (Chinese by default, English on request); the choice is remembered. */

import { h } from '../app/dom.js';

/** @param {import('../app/context.js').AppContext} ctx */
export function localeSwitch(ctx) {
  const select = h('select', { class: 'locale-switch', testid: 'locale-switch', 'aria-label': ctx.t('profile.language') },
    h('option', { value: 'zh-CN', selected: ctx.i18n.locale === 'zh-CN' }, '中文'),
    h('option', { value: 'en', selected: ctx.i18n.locale === 'en' }, 'English'));
  select.addEventListener('change', () => ctx.i18n.setLocale(select.value === 'en' ? 'en' : 'zh-CN'));
  return select;
}
