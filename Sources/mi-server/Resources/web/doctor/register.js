// @ts-check
/**
 * Doctor sign-up: name, phone, hospital and department (from `GET /api/v1/hospitals`), title, user name and
 * password, checked at each field as the server would; sent to `POST /api/v1/registrations`; then the "waiting
 * for approval" state (login is refused until an administrator approves).
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { errorState, loading } from '../app/ui.js';
import { field, input, select } from './form.js';
import { checkName, checkPhone, checkUsername, checkPassword, checkConfirm, checkRequired, TITLES } from './validation.js';
import { localeSwitch } from './locale-switch.js';

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx) {
  const { t } = ctx;
  const body = h('div', { class: 'register-body' }, loading(t('state.loading')));
  const element = h('main', { class: 'page page-register' },
    h('header', { class: 'simple-header' },
      h('a', { href: '/', class: 'icon-btn', 'aria-label': t('action.back') }, icon(ICONS.back)),
      h('h1', null, t('register.title')), localeSwitch(ctx)),
    body);

  const load = async () => {
    replace(body, loading(t('state.loading')));
    try {
      const hospitals = await ctx.hospitals();
      replace(body, form(ctx, hospitals, (registration) => replace(body, waiting(ctx, registration))));
    } catch (e) {
      replace(body, errorState(ctx, e, { onRetry: load }));
    }
  };
  load();
  return { element, title: t('register.title') };
}

/**
 * @param {import('../app/context.js').AppContext} ctx
 * @param {import('../app/context.js').Hospital[]} hospitals
 * @param {(r: { name: string, username: string, hospital: string, department: string }) => void} done
 */
function form(ctx, hospitals, done) {
  const { t } = ctx;
  const name = field({ id: 'register-name', label: t('register.name'), control: input('text', { autocomplete: 'name', maxlength: 64 }) });
  const phone = field({ id: 'register-phone', label: t('register.phone'), control: input('tel', { autocomplete: 'tel', inputmode: 'tel', maxlength: 21 }) });
  const hospitalSelect = select([{ value: '', label: t('register.pickHospital') }, ...hospitals.map((x) => ({ value: x.id, label: x.name }))], hospitals.length === 1 ? hospitals[0].id : '');
  const hospital = field({ id: 'register-hospital', label: t('register.hospital'), control: hospitalSelect });
  const departmentSelect = select([]);
  const department = field({ id: 'register-department', label: t('register.department'), control: departmentSelect });
  const title = field({ id: 'register-title', label: t('register.jobTitle'), control: select([{ value: '', label: t('register.pickTitle') }, ...TITLES.map((x) => ({ value: x.value, label: t(x.key) }))]) });
  const username = field({ id: 'register-username', label: t('register.username'), hint: t('register.usernameHint'), control: input('text', { autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', maxlength: 32 }) });
  const password = field({ id: 'register-password', label: t('register.password'), hint: t('register.passwordHint'), control: input('password', { autocomplete: 'new-password', maxlength: 128 }) });
  const confirm = field({ id: 'register-password-confirm', label: t('register.passwordConfirm'), control: input('password', { autocomplete: 'new-password', maxlength: 128 }) });
  const general = h('p', { class: 'form-error', testid: 'register-error', role: 'alert' });
  const submit = h('button', { class: 'btn primary block', type: 'submit', testid: 'register-submit' }, t('register.submit'));

  const value = (/** @type {{ element: HTMLElement }} */ f) => /** @type {HTMLInputElement | HTMLSelectElement} */ (f.element.querySelector('input, select')).value;
  const fillDepartments = () => {
    const hosp = hospitals.find((x) => x.id === hospitalSelect.value);
    const options = [{ value: '', label: t('register.pickDepartment') }, ...(hosp?.departments ?? []).map((d) => ({ value: d, label: d }))];
    replace(departmentSelect, options.map((o) => h('option', { value: o.value }, o.label)));
    departmentSelect.disabled = !hosp;
  };
  hospitalSelect.addEventListener('change', fillDepartments);
  fillDepartments();

  /** @type {Array<[{ element: HTMLElement, setError: (m: string | null) => void }, () => string | null]>} */
  const checks = [
    [name, () => checkName(value(name))],
    [phone, () => checkPhone(value(phone))],
    [hospital, () => checkRequired(value(hospital))],
    [department, () => checkRequired(value(department))],
    [title, () => checkRequired(value(title))],
    [username, () => checkUsername(value(username))],
    [password, () => checkPassword(value(password))],
    [confirm, () => checkConfirm(value(password), value(confirm))],
  ];
  for (const [f, check] of checks) {
    const control = /** @type {HTMLElement} */ (f.element.querySelector('input, select'));
    // Tell about a mistake when the doctor leaves the field, not at every keystroke.
    control.addEventListener('blur', () => { if (value(f) !== '' || f.element.classList.contains('invalid')) { const k = check(); f.setError(k ? t(k) : null); } });
    control.addEventListener('input', () => { if (f.element.classList.contains('invalid')) { const k = check(); f.setError(k ? t(k) : null); } });
  }
  /** @type {Record<string, { setError: (m: string | null) => void }>} */
  const byParameter = { name, phone, hospitalId: hospital, department, title, username, password };

  const formEl = h('form', { class: 'card form', novalidate: true, testid: 'register-form' },
    h('p', { class: 'muted' }, t('register.intro')),
    name.element, phone.element, hospital.element, department.element, title.element, username.element, password.element, confirm.element,
    general, submit,
    h('p', { class: 'muted center' }, t('register.haveAccount'), ' ', h('a', { href: '#', testid: 'register-login', onclick: (/** @type {Event} */ e) => { e.preventDefault(); ctx.login('/worklist'); } }, t('action.signIn'))));

  formEl.addEventListener('submit', async (e) => {
    e.preventDefault();
    general.textContent = '';
    let firstBad = null;
    for (const [f, check] of checks) {
      const k = check();
      f.setError(k ? t(k) : null);
      if (k && !firstBad) firstBad = f;
    }
    if (firstBad) { /** @type {HTMLElement} */ (firstBad.element.querySelector('input, select')).focus(); return; }
    submit.disabled = true;
    submit.textContent = t('register.submitting');
    try {
      await ctx.api.post('/api/v1/registrations', {
        name: value(name).trim(), phone: value(phone).trim().replace(/[\s-]/g, ''), hospitalId: value(hospital), department: value(department),
        title: value(title), username: value(username), password: value(password),
      }, { auth: false });
      done({ name: value(name).trim(), username: value(username), hospital: hospitals.find((x) => x.id === value(hospital))?.name ?? '', department: value(department) });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) username.setError(t('register.usernameTaken'));
      else if (err instanceof ApiError && err.parameter && byParameter[err.parameter]) byParameter[err.parameter].setError(err.message);
      else general.textContent = err instanceof ApiError && err.kind === 'network' ? t('error.network.detail') : (err instanceof Error ? err.message : String(err));
      submit.disabled = false;
      submit.textContent = t('register.submit');
    }
  });
  return formEl;
}

/**
 * @param {import('../app/context.js').AppContext} ctx
 * @param {{ name: string, username: string, hospital: string, department: string }} r
 */
function waiting(ctx, r) {
  const { t } = ctx;
  return h('section', { class: 'card state-waiting', testid: 'register-waiting', role: 'status' },
    h('div', { class: 'waiting-icon' }, icon(ICONS.check, { size: 34 })),
    h('h2', null, t('register.waitingTitle')),
    h('p', null, t('register.waitingDetail', { name: r.name })),
    h('dl', { class: 'summary' },
      h('dt', null, t('register.username')), h('dd', null, r.username),
      h('dt', null, t('register.hospital')), h('dd', null, r.hospital),
      h('dt', null, t('register.department')), h('dd', null, r.department)),
    h('button', { class: 'btn primary block', type: 'button', testid: 'register-done-login', onclick: () => { ctx.login('/worklist'); } }, t('register.waitingLogin')));
}
