/** A tenant's API tokens: create (the secret is shown once, with a copy button) and revoke. */
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { Token } from '../../../gen/cortex/admin/v1/admin_pb.js';
import { field, h, replace } from '../dom.js';
import type { Ctx } from '../page.js';
import { confirmAction, formatTime, notice, scroller } from '../ui.js';

/** The scopes a token can carry (DESIGN.md); the server validates them again. */
export const SCOPES = ['metrics:write', 'metrics:read', 'rules:read', 'rules:write', 'alerts:read', 'alerts:write'];
const DAY_MS = 86_400_000;

export function tokensTab(ctx: Ctx, tenantId: string): HTMLElement {
  const status = notice();
  const secretBox = h('div', { class: 'secret', hidden: true });
  const body = h('tbody');

  const name = h('input', { type: 'text', maxlength: 128, autocomplete: 'off' });
  const days = h('input', { type: 'number', min: 1, step: 1, placeholder: 'never' });
  const scopeBoxes = SCOPES.map((s) => h('input', { type: 'checkbox', value: s, checked: s.startsWith('metrics:') }));
  const createButton = h('button', { type: 'submit' }, 'Create token');

  const showSecret = (secret: string, token: Token | undefined) => {
    const value = h('input', { type: 'text', readOnly: true, value: secret, class: 'mono', spellcheck: 'false' });
    const copied = h('span', { class: 'muted', 'aria-live': 'polite' });
    const copy = async () => {
      try {
        await navigator.clipboard.writeText(secret);
      } catch {
        // Clipboard API refused (no secure context): select it so the user can copy by hand.
        value.select();
        document.execCommand('copy');
      }
      copied.textContent = 'Copied.';
    };
    replace(
      secretBox,
      h('h2', null, `New token ${token?.name || token?.prefix || ''}`),
      h('p', null, 'Copy the secret now: it is shown only this once and cannot be retrieved later.'),
      h(
        'div',
        { class: 'copy-row' },
        field('Token secret', value),
        h('button', { type: 'button', onclick: copy }, 'Copy'),
        copied,
      ),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            secretBox.hidden = true;
            secretBox.replaceChildren();
          },
        },
        'Done',
      ),
    );
    secretBox.hidden = false;
  };

  const revoke = async (t: Token) => {
    const label = t.name || t.prefix;
    if (
      !(await confirmAction(`Revoke token ${label}? It stops working everywhere within 5 seconds.`, 'Revoke token'))
    ) {
      return;
    }
    status.clear();
    try {
      await ctx.admin.revokeToken({ tenantId, tokenId: t.id }, { signal: ctx.signal });
      status.info(`Token ${label} revoked.`);
      await load();
    } catch (err) {
      ctx.fail(err, (m) => status.error(m));
    }
  };

  const load = async () => {
    const res = await ctx.admin.listTokens({ tenantId }, { signal: ctx.signal });
    const rows = res.tokens.map((t) => {
      const revoked = t.revokeTime !== undefined;
      return h(
        'tr',
        { class: revoked ? 'revoked' : undefined },
        h('th', { scope: 'row' }, t.name || h('span', { class: 'muted' }, '(unnamed)')),
        h('td', { class: 'mono' }, `${t.prefix}…`),
        h(
          'td',
          null,
          t.scopes.join(', '),
          t.federate.length ? h('div', { class: 'muted' }, `federates ${t.federate.join(', ')}`) : null,
        ),
        h('td', null, formatTime(t.createTime), t.createdBy ? h('div', { class: 'muted' }, `by ${t.createdBy}`) : null),
        h('td', null, formatTime(t.lastUseTime)),
        h('td', null, t.expireTime ? formatTime(t.expireTime) : 'never'),
        h('td', null, revoked ? `revoked ${formatTime(t.revokeTime)}` : 'active'),
        h(
          'td',
          { class: 'actions' },
          revoked
            ? null
            : h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  'aria-label': `Revoke ${t.name || t.prefix}`,
                  onclick: () => revoke(t),
                },
                'Revoke',
              ),
        ),
      );
    });
    replace(body, rows.length ? rows : h('tr', null, h('td', { colspan: 8, class: 'muted' }, 'No tokens.')));
  };
  load().catch((err) => ctx.fail(err, (m) => status.error(`Could not list tokens: ${m}`)));

  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        status.clear();
        createButton.disabled = true;
        try {
          const n = Number(days.value);
          const res = await ctx.admin.createToken(
            {
              tenantId,
              name: name.value.trim(),
              scopes: scopeBoxes.filter((b) => b.checked).map((b) => b.value),
              ...(days.value === '' ? {} : { expireTime: timestampFromMs(Date.now() + n * DAY_MS) }),
            },
            { signal: ctx.signal },
          );
          showSecret(res.secret, res.token);
          name.value = '';
          await load();
        } catch (err) {
          ctx.fail(err, (m) => status.error(m));
        } finally {
          createButton.disabled = false;
        }
      },
    },
    h('h2', null, 'New token'),
    h('div', { class: 'row' }, field('Token name', name), field('Expires in days', days)),
    h(
      'fieldset',
      null,
      h('legend', null, 'Scopes'),
      scopeBoxes.map((b) => h('label', { class: 'check' }, b, ` ${b.value}`)),
    ),
    createButton,
  );

  const table = h(
    'table',
    { 'aria-label': 'Tokens' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Name', 'Prefix', 'Scopes', 'Created', 'Last used', 'Expires', 'State'].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
      ),
    ),
    body,
  );
  return h('div', null, status.el, secretBox, scroller(table), form);
}
