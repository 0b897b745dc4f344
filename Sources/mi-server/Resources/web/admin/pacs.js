// @ts-check
/**
 * PACS links: the DICOM peers the platform asks for studies (AE title, host, port), with "test connection" (a
 * C-ECHO through our own network stack, run by the server) showing success and the round trip, or the error.
 */

import { h, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { field, input } from '../doctor/form.js';
import { adminShell, errorText, listLoader } from './shell.js';
import { openDialog } from './dialog.js';
import { checkPacsNode } from './admin-model.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */
/** @typedef {{ id: string, name: string, aeTitle: string, host: string, port: number }} PACSNode */

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx) {
  const { t } = ctx;
  const list = h('div', { class: 'admin-list', testid: 'pacs-nodes', role: 'list', 'aria-busy': 'true' });
  const total = h('span', { class: 'total', testid: 'pacs-total', role: 'status' });
  const element = adminShell(ctx, 'pacs',
    h('div', { class: 'toolbar' }, total,
      h('button', { class: 'btn primary', type: 'button', testid: 'pacs-add', onclick: () => edit(ctx, null, load) }, icon(ICONS.plus, { size: 18 }), t('pacs.add'))),
    list);

  const load = listLoader(ctx, {
    list, total, fetch: () => ctx.api.get('/api/v1/pacs-nodes'), row: (/** @type {PACSNode} */ n, reload) => row(ctx, n, reload),
    empty: t('pacs.empty'), emptyTestid: 'pacs-empty',
  });
  load();
  return { element, title: t('admin.pacs.title') };
}

/** @param {AppContext} ctx @param {PACSNode} n @param {() => void} reload */
function row(ctx, n, reload) {
  const { t } = ctx;
  const result = h('p', { class: 'echo-result', testid: 'pacs-echo-result', role: 'status', hidden: true });
  const echo = h('button', { class: 'btn', type: 'button', testid: 'pacs-echo' }, t('pacs.echo'));
  echo.addEventListener('click', async () => {
    echo.disabled = true;
    result.hidden = false;
    result.className = 'echo-result pending';
    result.dataset.success = '';
    result.textContent = t('pacs.echoing');
    try {
      /** @type {{ success: boolean, message: string, roundTripMs?: number }} */
      const r = await ctx.api.post(`/api/v1/pacs-nodes/${encodeURIComponent(n.id)}/echo`);
      result.dataset.success = String(r.success);
      result.className = `echo-result ${r.success ? 'ok' : 'fail'}`;
      result.textContent = r.success ? t('pacs.echoOk', { ms: r.roundTripMs ?? 0 }) : t('pacs.echoFailed', { message: r.message });
    } catch (e) {
      result.dataset.success = 'false';
      result.className = 'echo-result fail';
      result.textContent = t('pacs.echoFailed', { message: errorText(ctx, e) });
    } finally {
      echo.disabled = false;
    }
  });
  return h('article', { class: 'admin-row card', role: 'listitem', testid: 'pacs-row', dataset: { id: n.id, aeTitle: n.aeTitle } },
    h('div', { class: 'admin-row-head' }, h('strong', { class: 'admin-row-title' }, n.name)),
    h('dl', { class: 'facts' },
      h('dt', null, t('pacs.aeTitle')), h('dd', { class: 'mono', testid: 'pacs-ae' }, n.aeTitle),
      h('dt', null, t('pacs.address')), h('dd', { class: 'mono', testid: 'pacs-address' }, `${n.host}:${n.port}`)),
    result,
    h('div', { class: 'row-actions' },
      h('button', { class: 'btn danger', type: 'button', testid: 'pacs-delete', onclick: () => remove(ctx, n, reload) }, icon(ICONS.trash, { size: 18 }), t('pacs.delete')),
      h('button', { class: 'btn', type: 'button', testid: 'pacs-edit', onclick: () => edit(ctx, n, reload) }, icon(ICONS.edit, { size: 18 }), t('pacs.edit')),
      echo));
}

/** @param {AppContext} ctx @param {PACSNode} n @param {() => void} reload */
function remove(ctx, n, reload) {
  const { t } = ctx;
  openDialog(ctx, {
    title: t('pacs.deleteTitle', { name: n.name }), testid: 'pacs-delete-dialog', body: [h('p', null, t('pacs.deleteExplain'))],
    confirm: { label: t('pacs.delete'), testid: 'pacs-delete-confirm', danger: true, run: async () => { await ctx.api.request('DELETE', `/api/v1/pacs-nodes/${encodeURIComponent(n.id)}`); reload(); } },
  });
}

/** @param {AppContext} ctx @param {PACSNode | null} n @param {() => void} reload */
function edit(ctx, n, reload) {
  const { t } = ctx;
  const fields = {
    name: field({ id: 'pacs-name', label: t('pacs.name'), control: input('text', { value: n?.name ?? '', maxlength: 64 }) }),
    aeTitle: field({ id: 'pacs-ae-title', label: t('pacs.aeTitle'), hint: t('pacs.aeTitleHint'), control: input('text', { value: n?.aeTitle ?? '', maxlength: 16, autocapitalize: 'characters', spellcheck: 'false' }) }),
    host: field({ id: 'pacs-host', label: t('pacs.host'), control: input('text', { value: n?.host ?? '', maxlength: 253, autocapitalize: 'none', spellcheck: 'false', inputmode: 'url' }) }),
    port: field({ id: 'pacs-port', label: t('pacs.port'), control: input('number', { value: n ? String(n.port) : '104', min: 1, max: 65535, inputmode: 'numeric' }) }),
  };
  const value = (/** @type {keyof typeof fields} */ k) => /** @type {HTMLInputElement} */ (fields[k].element.querySelector('input')).value;
  openDialog(ctx, {
    title: n ? t('pacs.editTitle', { name: n.name }) : t('pacs.add'), testid: 'pacs-dialog',
    body: [fields.name.element, fields.aeTitle.element, fields.host.element, fields.port.element],
    confirm: {
      label: t('action.save'), testid: 'pacs-save',
      run: async () => {
        const node = { name: value('name'), aeTitle: value('aeTitle'), host: value('host'), port: value('port') };
        const errors = checkPacsNode(node);
        for (const k of /** @type {Array<keyof typeof fields>} */ (Object.keys(fields))) fields[k].setError(errors[k] ? t(errors[k]) : null);
        if (Object.keys(errors).length) return false;
        const body = { name: node.name.trim(), aeTitle: node.aeTitle, host: node.host.trim(), port: Number(node.port) };
        try {
          if (n) await ctx.api.patch(`/api/v1/pacs-nodes/${encodeURIComponent(n.id)}`, body);
          else await ctx.api.post('/api/v1/pacs-nodes', body);
        } catch (e) {
          const k = e instanceof ApiError ? /** @type {keyof typeof fields | null} */ (e.parameter) : null;
          if (k && k in fields) { fields[k].setError(/** @type {Error} */ (e).message); return false; }
          throw e;
        }
        ctx.toast(t('pacs.saved'), 'success');
        reload();
      },
    },
  });
}
