// @ts-check
/**
 * The share sheet of the patient home: how long (1 h, 24 h, 3 d, 7 d or a custom end), an optional 4–6 digit
 * access code, then the link and its QR code to show or save; below, the exam's running shares with their end and
 * view count, each revocable with an in-page confirmation (never `window.confirm`, which WeChat's browser blocks).
 *
 * The server caps the length (its security settings); when it refuses an end as too late, the sheet says the cap
 * it gave and keeps it for the custom end field.
 */

import { h, replace, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { SHARE_DURATIONS, shareEnd, accessCode, toLocalDateTime, maxSecondsFromMessage } from './share-duration.js';
import { activeSharesOf } from './patient-model.js';
import { when } from './patient-context.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */
/**
 * @typedef {object} ShareRecord
 * @property {string} id
 * @property {string} url
 * @property {string} studyInstanceUID
 * @property {string} createdAt
 * @property {string} expiresAt
 * @property {boolean} requiresAccessCode
 * @property {number} viewCount
 * @property {string} [lastViewedAt]
 * @property {string} [png]
 */

/** The longest share when the server has not said otherwise (the default security setting). */
const DEFAULT_MAX_SECONDS = 30 * 86_400;

/**
 * @param {AppContext} ctx its `api` carries the patient's token
 * @param {string} studyUID
 * @param {{ onClose: () => void }} options
 */
export function shareDialog(ctx, studyUID, options) {
  const { t } = ctx;
  let maxSeconds = DEFAULT_MAX_SECONDS;
  const duration = h('select', { class: 'input', id: 'share-duration', testid: 'share-duration' },
    SHARE_DURATIONS.map((d) => h('option', { value: d, selected: d === '24h' }, t(`share.duration.${d}`))));
  const customEnd = h('input', { class: 'input', type: 'datetime-local', id: 'share-custom-end', testid: 'share-custom-end' });
  const customField = h('div', { class: 'field', hidden: true }, h('label', { for: 'share-custom-end' }, t('share.customEnd')), customEnd);
  const code = h('input', { class: 'input', type: 'text', id: 'share-code', testid: 'share-code', inputmode: 'numeric', maxlength: '6', autocomplete: 'off', placeholder: t('share.codePlaceholder') });
  const error = h('p', { class: 'form-error', testid: 'share-error', role: 'alert' });
  const create = h('button', { class: 'btn primary block', type: 'submit', testid: 'share-create' }, t('share.create'));
  const result = h('div', { class: 'share-result', testid: 'share-result', hidden: true });
  const list = h('ul', { class: 'share-list', testid: 'share-list' });
  const form = h('form', { class: 'form share-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'share-duration' }, t('share.duration')), duration),
    customField,
    h('div', { class: 'field' }, h('label', { for: 'share-code' }, t('share.code')), code, h('p', { class: 'field-hint' }, t('share.codeHint'))),
    error, create);
  const close = h('button', { class: 'icon-btn', type: 'button', testid: 'share-close', title: t('action.close'), 'aria-label': t('action.close'), onclick: () => options.onClose() }, icon(ICONS.close));
  const sheet = h('div', { class: 'sheet', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'share-title', testid: 'share-dialog' },
    h('div', { class: 'sheet-head' }, h('h2', { id: 'share-title' }, t('share.title')), close),
    h('p', { class: 'muted' }, t('share.intro')),
    form, result,
    h('h3', { class: 'share-list-title' }, t('share.active')), list);
  const element = h('div', { class: 'sheet-backdrop', onclick: (/** @type {MouseEvent} */ e) => { if (e.target === element) options.onClose(); } }, sheet);

  const syncCustom = () => {
    const custom = duration.value === 'custom';
    customField.hidden = !custom;
    const now = Date.now();
    customEnd.min = toLocalDateTime(now + 2 * 60_000);
    customEnd.max = toLocalDateTime(now + maxSeconds * 1000);
    if (custom && !customEnd.value) customEnd.value = toLocalDateTime(now + 2 * 86_400_000);
  };
  duration.addEventListener('change', syncCustom);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const end = shareEnd(duration.value, customEnd.value, Date.now(), maxSeconds);
    if (!end.ok) { error.textContent = t(`share.${end.error}`, { days: Math.round(maxSeconds / 86_400) }); return; }
    const c = accessCode(code.value);
    if (!c.ok) { error.textContent = t('share.codeInvalid'); code.focus(); return; }
    create.disabled = true;
    try {
      /** @type {ShareRecord} */
      const share = await ctx.api.post('/api/v1/shares', { studyUID, ...end.body, ...(c.code ? { accessCode: c.code } : {}) });
      showResult(share, c.code);
      loadList();
    } catch (err) {
      if (err instanceof ApiError && (err.parameter === 'expiresIn' || err.parameter === 'expiresAt')) {
        const cap = maxSecondsFromMessage(err.message);
        if (cap) { maxSeconds = cap; syncCustom(); error.textContent = t('share.endTooLate', { days: Math.round(cap / 86_400) }); }
        else error.textContent = err.message;
      } else if (err instanceof ApiError && err.parameter === 'accessCode') error.textContent = t('share.codeInvalid');
      else error.textContent = err instanceof ApiError && err.kind === 'network' ? t('error.network.detail') : (err instanceof Error ? err.message : String(err));
    } finally { create.disabled = false; }
  });

  /** @param {ShareRecord} share @param {string | null} withCode */
  const showResult = (share, withCode) => {
    const link = h('a', { class: 'share-link', href: share.url, testid: 'share-link', target: '_blank', rel: 'noopener' }, share.url);
    const copy = h('button', { class: 'chip', type: 'button', testid: 'share-copy' }, t('share.copy'));
    copy.addEventListener('click', async () => {
      try { await navigator.clipboard.writeText(share.url); ctx.toast(t('share.copied'), 'success'); } catch { ctx.toast(t('share.copyFailed'), 'error'); }
    });
    result.hidden = false;
    replace(result,
      h('p', { class: 'form-success' }, t('share.created', { end: when(share.expiresAt, ctx.i18n.locale) })),
      share.png ? h('img', { class: 'share-qr', testid: 'share-qr', src: `data:image/png;base64,${share.png}`, alt: t('share.qrAlt'), width: '200', height: '200' }) : null,
      h('div', { class: 'share-link-row' }, link, copy),
      withCode ? h('p', { class: 'muted' }, t('share.codeReminder', { code: withCode })) : null,
      h('p', { class: 'field-hint' }, t('share.saveHint')));
  };

  const loadList = async () => {
    try {
      const page = await ctx.api.get('/api/v1/shares');
      /** @type {ShareRecord[]} */
      const shares = activeSharesOf(page.items, studyUID);
      if (shares.length === 0) { replace(list, h('li', { class: 'muted', testid: 'share-list-empty' }, t('share.none'))); return; }
      replace(list, shares.map((s) => shareRow(s)));
    } catch (err) {
      replace(list, h('li', { class: 'form-error' }, err instanceof Error ? err.message : String(err)));
    }
  };

  /** @param {ShareRecord} s */
  const shareRow = (s) => {
    const actions = h('div', { class: 'share-actions' });
    const row = h('li', { class: 'share-item', testid: 'share-list-item', dataset: { shareId: s.id, viewCount: String(s.viewCount) } },
      h('div', { class: 'share-item-main' },
        h('a', { href: s.url, class: 'share-item-link', target: '_blank', rel: 'noopener' }, s.url.replace(/^https?:\/\//, '')),
        h('small', { class: 'muted' },
          h('span', { testid: 'share-end' }, t('share.until', { end: when(s.expiresAt, ctx.i18n.locale) })), ' · ',
          h('span', { testid: 'share-views' }, t('share.views', { count: s.viewCount })),
          s.requiresAccessCode ? ` · ${t('share.withCode')}` : '')),
      actions);
    const idle = () => replace(actions, h('button', { class: 'btn subtle', type: 'button', testid: 'share-revoke', onclick: confirming }, t('share.revoke')));
    const confirming = () => replace(actions,
      h('span', { class: 'confirm-text' }, t('share.revokeAsk')),
      h('button', { class: 'btn danger', type: 'button', testid: 'share-revoke-confirm', onclick: revoke }, t('share.revokeConfirm')),
      h('button', { class: 'btn subtle', type: 'button', testid: 'share-revoke-cancel', onclick: idle }, t('action.cancel')));
    const revoke = async () => {
      try {
        await ctx.api.request('DELETE', `/api/v1/shares/${encodeURIComponent(s.id)}`);
        ctx.toast(t('share.revoked'), 'success');
        loadList();
      } catch (err) { ctx.toast(err instanceof Error ? err.message : String(err), 'error'); idle(); }
    };
    idle();
    return row;
  };

  syncCustom();
  loadList();
  return { element, focus: () => duration.focus(), refresh: loadList };
}
