// @ts-check
/**
 * The personal centre: professional information (hospital, department, title) with editing, the password change
 * (also where a temporary password set by an administrator must be replaced), the language, and sign-out.
 */

import { h, replace } from '../app/dom.js';
import { ApiError } from '../app/api.js';
import { appHeader, errorState, loading } from '../app/ui.js';
import { field, input, select } from './form.js';
import { checkName, checkPhone, checkPassword, checkConfirm, checkRequired, TITLES } from './validation.js';
import { localeSwitch } from './locale-switch.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */
/** @typedef {import('../app/context.js').UserAccount} UserAccount */

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx) {
  const { t } = ctx;
  const body = h('div', { class: 'profile-body' }, loading(t('state.loading')));
  const element = h('div', { class: 'page page-profile' }, appHeader(ctx, { title: t('profile.title'), active: 'profile' }), h('main', { class: 'content narrow' }, body));

  const load = async () => {
    replace(body, loading(t('state.loading')));
    try {
      const [me, hospitals] = await Promise.all([ctx.api.get('/api/v1/me'), ctx.hospitals().catch(() => [])]);
      const info = h('section', { class: 'card' });
      const showInfo = (/** @type {UserAccount} */ user) => replace(info, infoView(ctx, user, hospitals, () => replace(info, editForm(ctx, user, hospitals, showInfo))));
      showInfo(me);
      replace(body,
        me.mustChangePassword ? h('p', { class: 'notice warn', testid: 'must-change-password' }, t('profile.mustChangePassword')) : null,
        info, passwordCard(ctx),
        h('section', { class: 'card row-between' }, h('span', null, t('profile.language')), localeSwitch(ctx)),
        h('button', { class: 'btn danger block', type: 'button', testid: 'profile-logout', onclick: () => { ctx.logout(); } }, t('nav.logout')));
      if (location.hash === '#password') body.querySelector('#password-current')?.scrollIntoView();
    } catch (e) {
      replace(body, errorState(ctx, e, { onRetry: load }));
    }
  };
  load();
  return { element, title: t('profile.title') };
}

/**
 * @param {AppContext} ctx
 * @param {UserAccount} me
 * @param {import('../app/context.js').Hospital[]} hospitals
 * @param {() => void} onEdit
 */
function infoView(ctx, me, hospitals, onEdit) {
  const { t } = ctx;
  const hospital = hospitals.find((x) => x.id === me.hospitalId)?.name ?? me.hospitalId ?? '';
  const row = (/** @type {string} */ label, /** @type {string} */ value, /** @type {string} */ testid) => [h('dt', null, label), h('dd', { testid }, value || '—')];
  const roleNames = me.roles.map((r) => t(`role.${r}`)).join(' / ');
  return h('div', { testid: 'profile-info' },
    h('div', { class: 'profile-head' },
      h('div', { class: 'avatar' }, (me.name || me.username).slice(0, 1)),
      h('div', null, h('h2', { testid: 'profile-name' }, me.name || me.username), h('p', { class: 'muted' }, `${me.title} · ${roleNames}`))),
    h('dl', { class: 'summary' },
      row(t('profile.username'), me.username, 'profile-username'),
      row(t('register.hospital'), hospital, 'profile-hospital'),
      row(t('register.department'), me.department, 'profile-department'),
      row(t('register.jobTitle'), me.title, 'profile-title'),
      row(t('register.phone'), me.phone, 'profile-phone')),
    h('button', { class: 'btn', type: 'button', testid: 'profile-edit', onclick: onEdit }, t('profile.edit')));
}

/**
 * @param {AppContext} ctx
 * @param {UserAccount} me
 * @param {import('../app/context.js').Hospital[]} hospitals
 * @param {(user: UserAccount) => void} done
 */
function editForm(ctx, me, hospitals, done) {
  const { t } = ctx;
  const departments = hospitals.find((x) => x.id === me.hospitalId)?.departments ?? [];
  const name = field({ id: 'profile-edit-name', label: t('register.name'), control: input('text', { value: me.name, maxlength: 64 }) });
  const phone = field({ id: 'profile-edit-phone', label: t('register.phone'), control: input('tel', { value: me.phone, inputmode: 'tel' }) });
  const department = field({
    id: 'profile-edit-department', label: t('register.department'),
    control: departments.length ? select(departments.map((d) => ({ value: d, label: d })), me.department) : input('text', { value: me.department }),
  });
  const titleOptions = TITLES.map((x) => ({ value: x.value, label: t(x.key) }));
  if (me.title && !TITLES.some((x) => x.value === me.title)) titleOptions.unshift({ value: me.title, label: me.title });
  const title = field({ id: 'profile-edit-title', label: t('register.jobTitle'), control: select(titleOptions, me.title) });
  const general = h('p', { class: 'form-error', role: 'alert' });
  const v = (/** @type {{ element: HTMLElement }} */ f) => /** @type {HTMLInputElement} */ (f.element.querySelector('input, select')).value.trim();
  const form = h('form', { class: 'form', novalidate: true, testid: 'profile-form' },
    h('h2', null, t('profile.edit')), name.element, phone.element, department.element, title.element, general,
    h('div', { class: 'row-end' },
      h('button', { class: 'btn', type: 'button', onclick: () => done(me) }, t('action.cancel')),
      h('button', { class: 'btn primary', type: 'submit', testid: 'profile-save' }, t('action.save'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const errors = /** @type {const} */ ([[name, checkName(v(name))], [phone, checkPhone(v(phone))], [department, checkRequired(v(department))]]);
    let bad = false;
    for (const [f, k] of errors) { f.setError(k ? t(k) : null); bad ||= Boolean(k); }
    if (bad) return;
    try {
      const user = await ctx.api.patch('/api/v1/me', { name: v(name), phone: v(phone).replace(/[\s-]/g, ''), department: v(department), title: v(title) });
      ctx.toast(t('profile.saved'), 'success');
      done(user);
    } catch (err) {
      general.textContent = err instanceof Error ? err.message : String(err);
    }
  });
  return form;
}

/** @param {AppContext} ctx */
function passwordCard(ctx) {
  const { t } = ctx;
  const current = field({ id: 'password-current', label: t('profile.currentPassword'), control: input('password', { autocomplete: 'current-password' }) });
  const next = field({ id: 'password-new', label: t('profile.newPassword'), hint: t('register.passwordHint'), control: input('password', { autocomplete: 'new-password' }) });
  const confirm = field({ id: 'password-confirm', label: t('register.passwordConfirm'), control: input('password', { autocomplete: 'new-password' }) });
  const general = h('p', { class: 'form-error', role: 'alert', testid: 'password-error' });
  const v = (/** @type {{ element: HTMLElement }} */ f) => /** @type {HTMLInputElement} */ (f.element.querySelector('input')).value;
  const form = h('form', { class: 'card form', id: 'password', novalidate: true, testid: 'password-form' },
    h('h2', null, t('nav.changePassword')), current.element, next.element, confirm.element, general,
    h('button', { class: 'btn primary block', type: 'submit', testid: 'password-submit' }, t('profile.changePassword')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    general.textContent = '';
    const checks = /** @type {const} */ ([[current, checkRequired(v(current))], [next, checkPassword(v(next))], [confirm, checkConfirm(v(next), v(confirm))]]);
    let bad = false;
    for (const [f, k] of checks) { f.setError(k ? t(k) : null); bad ||= Boolean(k); }
    if (bad) return;
    try {
      await ctx.api.post('/api/v1/me/password', { currentPassword: v(current), newPassword: v(next) });
      form.reset();
      ctx.toast(t('profile.passwordChanged'), 'success');
      general.textContent = '';
      form.querySelector('.form-success')?.remove();
      form.appendChild(h('p', { class: 'form-success', testid: 'password-changed' }, t('profile.passwordChanged')));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.parameter === 'currentPassword' || err.code === 'unauthenticated')) current.setError(t('profile.wrongPassword'));
      else if (err instanceof ApiError && err.parameter) next.setError(err.message);
      else general.textContent = err instanceof Error ? err.message : String(err);
    }
  });
  return form;
}
