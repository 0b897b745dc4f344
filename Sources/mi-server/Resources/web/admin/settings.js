// @ts-check
/**
 * Security settings: the password policy (length, character classes), lockout after failed logins, session and
 * token lifetimes, and the longest share a patient may create. Checked here as the server checks them; every change
 * is audited by the server.
 */

import { h, replace } from '../app/dom.js';
import { ApiError } from '../app/api.js';
import { errorState, loading } from '../app/ui.js';
import { field, input } from '../doctor/form.js';
import { adminShell, errorText } from './shell.js';
import { POLICY_FIELDS, policyToForm, formToPolicy } from './admin-model.js';

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx) {
  const { t } = ctx;
  const body = h('div', { class: 'settings-body' }, loading(t('state.loading')));
  const element = adminShell(ctx, 'settings', body);

  const load = async () => {
    replace(body, loading(t('state.loading')));
    try {
      const policy = await ctx.api.get('/api/v1/settings/security');
      replace(body, form(ctx, policy));
    } catch (e) {
      replace(body, errorState(ctx, e, { onRetry: load }));
    }
  };
  load();
  return { element, title: t('admin.settings.title') };
}

/**
 * @param {import('../app/context.js').AppContext} ctx
 * @param {Record<string, number>} policy
 */
function form(ctx, policy) {
  const { t } = ctx;
  const values = policyToForm(policy);
  const fields = POLICY_FIELDS.map((f) => ({
    f,
    ...field({
      id: `settings-${f.key}`, label: t(`settings.${f.key}`), hint: t('settings.range', { min: f.min, max: f.max, unit: t(`unit.${f.unit}`) }),
      control: input('number', { value: values[f.key], min: f.min, max: f.max, step: 'any', inputmode: 'decimal' }),
    }),
  }));
  const control = (/** @type {typeof fields[number]} */ x) => /** @type {HTMLInputElement} */ (x.element.querySelector('input'));
  const general = h('p', { class: 'form-error', role: 'alert', testid: 'settings-error' });
  const saved = h('p', { class: 'form-success', testid: 'settings-saved', role: 'status', hidden: true }, t('settings.saved'));
  const save = h('button', { class: 'btn primary', type: 'submit', testid: 'settings-save' }, t('action.save'));
  const group = (/** @type {string} */ title, /** @type {string[]} */ keys) => h('fieldset', { class: 'card fieldset settings-group' }, h('legend', null, title),
    fields.filter((x) => keys.includes(x.f.key)).map((x) => h('div', { class: 'unit-field' }, x.element, h('span', { class: 'unit' }, t(`unit.${x.f.unit}`)))));
  const el = h('form', { class: 'form settings-form', novalidate: true, testid: 'settings-form' },
    group(t('settings.passwords'), ['passwordMinLength', 'passwordMinClasses']),
    group(t('settings.lockout'), ['lockoutThreshold', 'lockoutSeconds']),
    group(t('settings.sessions'), ['accessTokenSeconds', 'refreshTokenSeconds']),
    group(t('settings.shares'), ['shareMaximumSeconds']),
    h('p', { class: 'muted' }, t('settings.audited')),
    general, saved, h('div', { class: 'row-end' }, save));
  for (const x of fields) control(x).addEventListener('input', () => { saved.hidden = true; });
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    general.textContent = '';
    saved.hidden = true;
    /** @type {Record<string, string>} */
    const form = {};
    for (const x of fields) form[x.f.key] = control(x).value;
    const { policy: next, errors } = formToPolicy(form);
    for (const x of fields) x.setError(errors[x.f.key] ? t(errors[x.f.key], { min: x.f.min, max: x.f.max }) : null);
    if (!next) { control(fields.find((x) => errors[x.f.key]) ?? fields[0]).focus(); return; }
    save.disabled = true;
    try {
      await ctx.api.request('PUT', '/api/v1/settings/security', { json: { ...policy, ...next } });
      saved.hidden = false;
      ctx.toast(t('settings.saved'), 'success');
    } catch (err) {
      general.textContent = err instanceof ApiError && err.status === 400 ? t('settings.rejected', { message: err.message }) : errorText(ctx, err);
    } finally {
      save.disabled = false;
    }
  });
  return el;
}
