// @ts-check
/**
 * Integration clients (OAuth): the web and mobile apps, PACS/RIS integrations and gateways. A confidential client's
 * secret is shown once, when the client is made or its secret rotated; the server keeps only a digest.
 */

import { h, icon } from '../app/dom.js';
import { ICONS } from '../app/icons.js';
import { ApiError } from '../app/api.js';
import { field, input } from '../doctor/form.js';
import { adminShell, dateTime, listLoader } from './shell.js';
import { openDialog, showSecret, checkbox } from './dialog.js';
import { GRANT_TYPES, ROLES } from './admin-model.js';

/** @typedef {import('../app/context.js').AppContext} AppContext */
/**
 * @typedef {object} OAuthClient
 * @property {string} clientId
 * @property {string} name
 * @property {boolean} confidential
 * @property {string[]} redirectURIs
 * @property {string[]} grantTypes
 * @property {string[]} roles
 * @property {number} createdAt
 */

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx) {
  const { t } = ctx;
  const list = h('div', { class: 'admin-list', testid: 'clients', role: 'list', 'aria-busy': 'true' });
  const total = h('span', { class: 'total', testid: 'clients-total', role: 'status' });
  const element = adminShell(ctx, 'clients',
    h('div', { class: 'toolbar' }, total,
      h('button', { class: 'btn primary', type: 'button', testid: 'client-add', onclick: () => create(ctx, load) }, icon(ICONS.plus, { size: 18 }), t('clients.add'))),
    list);

  const load = listLoader(ctx, {
    list, total, fetch: () => ctx.api.get('/api/v1/clients'), row: (/** @type {OAuthClient} */ c) => row(ctx, c), empty: '', emptyTestid: 'clients-empty',
  });
  load();
  return { element, title: t('admin.clients.title') };
}

/** @param {AppContext} ctx @param {OAuthClient} c */
function row(ctx, c) {
  const { t } = ctx;
  return h('article', { class: 'admin-row card', role: 'listitem', testid: 'client-row', dataset: { clientId: c.clientId } },
    h('div', { class: 'admin-row-head' },
      h('strong', { class: 'admin-row-title' }, c.name), h('code', { class: 'muted' }, c.clientId),
      h('span', { class: 'status-badge' }, t(c.confidential ? 'clients.confidential' : 'clients.public'))),
    h('dl', { class: 'facts' },
      h('dt', null, t('clients.grants')), h('dd', null, c.grantTypes.map((g) => t(`grant.${g}`)).join(' / ')),
      c.roles.length ? [h('dt', null, t('admin.roles')), h('dd', null, c.roles.map((r) => t(`role.${r}`)).join(' / '))] : null,
      c.redirectURIs.length ? [h('dt', null, t('clients.redirects')), h('dd', { class: 'mono' }, c.redirectURIs.join(' '))] : null,
      h('dt', null, t('clients.created')), h('dd', null, dateTime(ctx, c.createdAt))),
    c.confidential
      ? h('div', { class: 'row-actions' }, h('button', { class: 'btn', type: 'button', testid: 'client-rotate', onclick: () => rotate(ctx, c) }, icon(ICONS.key, { size: 18 }), t('clients.rotate')))
      : null);
}

/** @param {AppContext} ctx @param {OAuthClient} c */
function rotate(ctx, c) {
  const { t } = ctx;
  openDialog(ctx, {
    title: t('clients.rotateTitle', { name: c.name }), testid: 'rotate-dialog',
    body: [h('p', null, t('clients.rotateExplain'))],
    confirm: {
      label: t('clients.rotate'), testid: 'rotate-confirm', danger: true,
      run: async () => {
        const { clientSecret } = await ctx.api.post(`/api/v1/clients/${encodeURIComponent(c.clientId)}/rotate-secret`);
        setTimeout(() => showSecret(ctx, { title: t('clients.secretTitle', { name: c.name }), testid: 'secret-dialog', valueTestid: 'client-secret', value: clientSecret, note: t('clients.secretNote') }), 0);
      },
    },
  });
}

/** @param {AppContext} ctx @param {() => void} reload */
function create(ctx, reload) {
  const { t } = ctx;
  const id = field({ id: 'client-new-id', label: t('clients.clientId'), hint: t('clients.clientIdHint'), control: input('text', { maxlength: 64, autocapitalize: 'none', spellcheck: 'false' }) });
  const name = field({ id: 'client-new-name', label: t('clients.name'), control: input('text', { maxlength: 64 }) });
  const grants = GRANT_TYPES.map((g) => ({ g, ...checkbox(t(`grant.${g}`), { checked: g === 'client_credentials', testid: `client-new-grant-${g}` }) }));
  const roles = ROLES.filter((r) => r !== 'patient').map((r) => ({ r, ...checkbox(t(`role.${r}`), { checked: r === 'integration', testid: `client-new-role-${r}` }) }));
  openDialog(ctx, {
    title: t('clients.add'), testid: 'client-dialog',
    body: [id.element, name.element,
      h('fieldset', { class: 'fieldset' }, h('legend', null, t('clients.grants')), h('div', { class: 'checks' }, grants.map((x) => x.element))),
      h('fieldset', { class: 'fieldset' }, h('legend', null, t('admin.roles')), h('div', { class: 'checks' }, roles.map((x) => x.element)))],
    confirm: {
      label: t('clients.create'), testid: 'client-create',
      run: async () => {
        const clientId = /** @type {HTMLInputElement} */ (id.element.querySelector('input')).value.trim();
        const clientName = /** @type {HTMLInputElement} */ (name.element.querySelector('input')).value.trim();
        id.setError(/^[A-Za-z0-9._-]{1,64}$/.test(clientId) ? null : t('clients.error.id'));
        name.setError(clientName ? null : t('validation.required'));
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(clientId) || !clientName) return false;
        const grantTypes = grants.filter((x) => x.box.checked).map((x) => x.g);
        if (!grantTypes.length) throw new Error(t('clients.error.grants'));
        try {
          const result = await ctx.api.post('/api/v1/clients', {
            clientId, name: clientName, confidential: true, grantTypes, roles: roles.filter((x) => x.box.checked).map((x) => x.r),
          });
          reload();
          if (result.clientSecret) setTimeout(() => showSecret(ctx, { title: t('clients.secretTitle', { name: clientName }), testid: 'secret-dialog', valueTestid: 'client-secret', value: result.clientSecret, note: t('clients.secretNote') }), 0);
        } catch (e) {
          if (e instanceof ApiError && e.status === 409) { id.setError(t('clients.error.taken')); return false; }
          throw e;
        }
      },
    },
  });
}
