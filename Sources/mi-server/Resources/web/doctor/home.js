// @ts-check
/** The page of a signed-out visitor: sign in, sign up as a doctor, the patients' way in, language. */

import { h } from '../app/dom.js';
import { localeSwitch } from './locale-switch.js';

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx) {
  const { t } = ctx;
  const element = h('main', { class: 'page page-home' },
    h('section', { class: 'home-card' },
      h('div', { class: 'home-mark' }, 'MI'),
      h('h1', null, t('app.title')),
      h('p', { class: 'muted' }, t('home.tagline')),
      h('button', { class: 'btn primary block', type: 'button', testid: 'home-login', onclick: () => { ctx.login('/worklist'); } }, t('action.signIn')),
      h('a', { class: 'btn block', href: '/register', testid: 'home-register' }, t('home.register')),
      h('a', { class: 'btn subtle block', href: '/patient', testid: 'home-patient' }, t('home.patient')),
      h('div', { class: 'home-footer' }, localeSwitch(ctx))));
  return { element, title: t('home.title') };
}
