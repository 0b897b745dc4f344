// @ts-check
/**
 * Modal dialogs of the administration pages (native `<dialog>`, Safari 15.4+): a form with a confirm button that
 * runs an action and shows its error in place, or a notice with one button (a secret shown once).
 *
 * ```js
 * openDialog(ctx, { title, testid: 'reject-dialog', body: [reason], confirm: { label, testid: 'reject-confirm', run: async () => { … } } });
 * ```
 */

import { h } from '../app/dom.js';
import { errorText } from './shell.js';

/** @typedef {import('../app/dom.js').Child} Child */

/**
 * @typedef {object} DialogOptions
 * @property {string} title
 * @property {string} testid
 * @property {Array<Child | Child[]>} body
 * @property {{ label: string, testid: string, danger?: boolean, run: () => Promise<boolean | void> }} [confirm] `run` returns false to keep the dialog open
 * @property {string} [closeLabel] the other button (cancel, or "done" without `confirm`)
 * @property {() => void} [onClose]
 */

/**
 * @param {import('../app/context.js').AppContext} ctx
 * @param {DialogOptions} o
 */
export function openDialog(ctx, o) {
  const error = h('p', { class: 'form-error', role: 'alert', testid: `${o.testid}-error` });
  const confirm = o.confirm
    ? h('button', { class: `btn ${o.confirm.danger ? 'danger-solid' : 'primary'}`, type: 'submit', testid: o.confirm.testid }, o.confirm.label)
    : null;
  const closeButton = h('button', { class: 'btn', type: 'button', testid: `${o.testid}-close`, onclick: () => close() },
    o.closeLabel ?? ctx.t(o.confirm ? 'action.cancel' : 'action.done'));
  const form = h('form', { class: 'dialog-form form', novalidate: true },
    h('h2', null, o.title), h('div', { class: 'dialog-body' }, ...o.body), error, h('div', { class: 'row-end dialog-actions' }, closeButton, confirm));
  const dialog = h('dialog', { class: 'dialog', testid: o.testid, 'aria-label': o.title }, form);
  const close = () => {
    if (dialog.open) dialog.close();
  };
  dialog.addEventListener('close', () => { dialog.remove(); o.onClose?.(); });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!o.confirm || !confirm) return;
    error.textContent = '';
    confirm.disabled = true;
    try {
      const keep = (await o.confirm.run()) === false;
      if (!keep) close();
    } catch (err) {
      error.textContent = errorText(ctx, err);
    } finally {
      confirm.disabled = false;
    }
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  return { element: dialog, close, setError: (/** @type {string} */ m) => { error.textContent = m; } };
}

/**
 * A secret shown once (temporary password, client secret): the value, a copy button, and the warning that it will
 * not be shown again.
 * @param {import('../app/context.js').AppContext} ctx
 * @param {{ title: string, testid: string, valueTestid: string, value: string, note: string }} o
 */
export function showSecret(ctx, o) {
  const { t } = ctx;
  const copied = h('span', { class: 'muted copy-state', 'aria-live': 'polite' });
  const copy = async () => {
    try { await navigator.clipboard.writeText(o.value); copied.textContent = t('admin.copied'); } catch { copied.textContent = t('admin.copyFailed'); }
  };
  return openDialog(ctx, {
    title: o.title, testid: o.testid, closeLabel: t('action.done'),
    body: [
      h('p', { class: 'notice warn' }, o.note),
      h('div', { class: 'secret-box' },
        h('code', { class: 'secret', testid: o.valueTestid }, o.value),
        h('button', { class: 'btn', type: 'button', testid: `${o.valueTestid}-copy`, onclick: copy }, t('admin.copy'))),
      copied,
    ],
  });
}

/**
 * A labelled checkbox.
 * @param {string} label
 * @param {{ checked?: boolean, testid?: string, value?: string }} [o]
 */
export function checkbox(label, o = {}) {
  const box = h('input', { type: 'checkbox', checked: Boolean(o.checked), testid: o.testid, value: o.value });
  return { element: h('label', { class: 'check' }, box, h('span', null, label)), box };
}
