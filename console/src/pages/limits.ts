/**
 * A tenant's limits: every limit with its effective value and the cluster default; edited values
 * are sent as overrides (SetLimits), and the server's validation message, with its error ID, is
 * shown as it is. Reset removes an override.
 */

import { limitMapToProto, limitValueFromProto } from '../../../control-plane/api/proto-values.js';
import type { Limits, LimitValue } from '../../../gen/cortex/admin/v1/admin_pb.js';
import { h, replace } from '../dom.js';
import type { Ctx } from '../page.js';
import { notice, scroller } from '../ui.js';

const show = (v: LimitValue | undefined): string => {
  const x = v === undefined ? undefined : limitValueFromProto(v);
  return x === undefined ? '' : String(x);
};

/**
 * What to send for an edited field: a number for a numeric limit when the text is one; anything
 * else as text, so the server judges it (durations, and mistakes get the server's message).
 */
export function parseLimitInput(text: string, numeric: boolean): number | string {
  const t = text.trim();
  if (numeric && t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t;
}

export function limitsTab(ctx: Ctx, tenantId: string): HTMLElement {
  const status = notice();
  const body = h('tbody');
  const save = h('button', { type: 'submit' }, 'Save limits');
  let inputs: { key: string; input: HTMLInputElement; initial: string; numeric: boolean }[] = [];

  const draw = (l: Limits) => {
    const overridden = new Set(l.overridden);
    inputs = [];
    const rows = Object.keys(l.limits)
      .sort()
      .map((key) => {
        const value = l.limits[key];
        const initial = show(value);
        const numeric = value?.kind.case === 'number';
        const input = h('input', {
          type: 'text',
          inputmode: numeric ? 'decimal' : 'text',
          value: initial,
          'aria-label': key,
          class: 'mono',
          spellcheck: 'false',
        });
        inputs.push({ key, input, initial, numeric });
        return h(
          'tr',
          { class: overridden.has(key) ? 'overridden' : undefined },
          h('th', { scope: 'row', class: 'mono' }, key),
          h('td', null, input),
          h('td', { class: 'mono muted' }, show(l.defaults[key])),
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
        const changed: Record<string, number | string> = {};
        for (const i of inputs)
          if (i.input.value.trim() !== i.initial) changed[i.key] = parseLimitInput(i.input.value, i.numeric);
        const keys = Object.keys(changed);
        if (keys.length === 0) {
          status.info('Nothing changed.');
          return;
        }
        save.disabled = true;
        try {
          const res = await ctx.admin.setLimits({ tenantId, limits: limitMapToProto(changed) }, { signal: ctx.signal });
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
