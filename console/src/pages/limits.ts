/**
 * A tenant's limits: every limit with its effective value and the cluster default; edited values
 * are sent as overrides (SetLimits), and the server's validation message, with its error ID, is
 * shown as it is. Reset removes an override.
 */

import type { Limits, LimitValue } from '../../../gen/cortex/admin/v1/admin_pb.js';
import { h, replace } from '../dom.js';
import { limitCase, limitText, limitValue } from '../limit-values.js';
import type { Ctx } from '../page.js';
import { notice, scroller } from '../ui.js';

export function limitsTab(ctx: Ctx, tenantId: string): HTMLElement {
  const status = notice();
  const body = h('tbody');
  const save = h('button', { type: 'submit' }, 'Save limits');
  let inputs: { key: string; input: HTMLInputElement; initial: string; kind: string | undefined }[] = [];

  const draw = (l: Limits) => {
    const overridden = new Set(l.overridden);
    inputs = [];
    const rows = Object.keys(l.limits)
      .sort()
      .map((key) => {
        const value = l.limits[key];
        const initial = limitText(value);
        const kind = limitCase(value);
        const numeric = kind === 'number';
        const input = h('input', {
          type: 'text',
          inputmode: numeric ? 'decimal' : 'text',
          value: initial,
          'aria-label': key,
          class: 'mono',
          spellcheck: 'false',
        });
        inputs.push({ key, input, initial, kind });
        return h(
          'tr',
          { class: overridden.has(key) ? 'overridden' : undefined },
          h('th', { scope: 'row', class: 'mono' }, key),
          h('td', null, input),
          h('td', { class: 'mono muted' }, limitText(l.defaults[key])),
          h(
            'td',
            { class: 'actions' },
            overridden.has(key)
              ? h('button', { type: 'button', 'aria-label': `Reset ${key}`, onclick: () => reset(key) }, 'Reset')
              : h('span', { class: 'muted' }, 'default'),
          ),
        );
      });
    replace(body, rows);
  };

  const reset = async (key: string) => {
    status.clear();
    try {
      const res = await ctx.admin.resetLimits({ tenantId, keys: [key] }, { signal: ctx.signal });
      if (res.limits) draw(res.limits);
      status.info(`${key} is back to the default.`);
    } catch (err) {
      ctx.fail(err, (m) => status.error(m));
    }
  };

  const form = h(
    'form',
    {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        status.clear();
        const changed: Record<string, LimitValue> = {};
        for (const i of inputs)
          if (i.input.value.trim() !== i.initial) changed[i.key] = limitValue(i.kind, i.input.value);
        const keys = Object.keys(changed);
        if (keys.length === 0) {
          status.info('Nothing changed.');
          return;
        }
        save.disabled = true;
        try {
          const res = await ctx.admin.setLimits({ tenantId, limits: changed }, { signal: ctx.signal });
          if (res.limits) draw(res.limits);
          status.info(`Saved ${keys.join(', ')}.`);
        } catch (err) {
          ctx.fail(err, (m) => status.error(m));
        } finally {
          save.disabled = false;
        }
      },
    },
    scroller(
      h(
        'table',
        { 'aria-label': 'Limits' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Limit'),
            h('th', { scope: 'col' }, 'Value'),
            h('th', { scope: 'col' }, 'Default'),
            h('th', { scope: 'col' }, 'Override'),
          ),
        ),
        body,
      ),
    ),
    h('div', { class: 'sticky-actions' }, save, status.el),
  );

  ctx.admin
    .getLimits({ tenantId }, { signal: ctx.signal })
    .then((res) => res.limits && draw(res.limits))
    .catch((err) => ctx.fail(err, (m) => status.error(`Could not read limits: ${m}`)));
  return h('div', null, form);
}
