// @ts-check
/** Form fields with a label, a hint and an error line, shared by sign-up and the personal centre. */

import { h } from '../app/dom.js';

/**
 * @param {object} o
 * @param {string} o.id element id and the test id of the control
 * @param {string} o.label
 * @param {HTMLElement} o.control input or select (its id is set here)
 * @param {string} [o.hint]
 */
export function field({ id, label, control, hint }) {
  control.id = id;
  control.dataset.testid = id;
  const error = h('p', { class: 'field-error', id: `${id}-error`, testid: `${id}-error`, 'aria-live': 'polite' });
  control.setAttribute('aria-describedby', `${id}-error`);
  const wrapper = h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { class: 'field-hint' }, hint) : null, error);
  return {
    element: wrapper,
    /** @param {string | null} message */
    setError(message) {
      error.textContent = message ?? '';
      wrapper.classList.toggle('invalid', Boolean(message));
      if (message) control.setAttribute('aria-invalid', 'true'); else control.removeAttribute('aria-invalid');
    },
  };
}

/**
 * @param {string} type
 * @param {Record<string, unknown>} [attrs]
 */
export function input(type, attrs = {}) {
  return h('input', { type, class: 'input', ...attrs });
}

/**
 * @param {Array<{ value: string, label: string }>} options
 * @param {string} [selected]
 * @param {Record<string, unknown>} [attrs]
 */
export function select(options, selected = '', attrs = {}) {
  return h('select', { class: 'input', ...attrs }, options.map((o) => h('option', { value: o.value, selected: o.value === selected }, o.label)));
}
