/** A tenant's Alertmanager configuration and templates, read-only. */

import { h, replace } from '../dom.js';
import { isNotFound } from '../errors.js';
import type { Ctx } from '../page.js';
import { notice } from '../ui.js';

export function alertmanagerTab(ctx: Ctx, tenantId: string): HTMLElement {
  const status = notice();
  const content = h('div', { 'aria-busy': 'true' }, 'Loading…');
  ctx.admin
    .getAlertmanagerConfig({ tenantId }, { signal: ctx.signal })
    .then((res) => {
      content.removeAttribute('aria-busy');
      const c = res.alertmanagerConfig;
      const templates = Object.entries(c?.templates ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
      replace(
        content,
        h(
          'section',
          { class: 'card' },
          h('h2', null, `Configuration (revision ${c?.revision ?? 0n})`),
          h('pre', { class: 'yaml', tabindex: 0 }, c?.config ?? ''),
        ),
        templates.map(([name, text]) =>
          h('section', { class: 'card' }, h('h2', null, `Template ${name}`), h('pre', { tabindex: 0 }, text)),
        ),
      );
    })
    .catch((err) => {
      content.removeAttribute('aria-busy');
      if (isNotFound(err)) {
        replace(
          content,
          h('p', { class: 'muted' }, 'No Alertmanager configuration. Set one with `cortexctl alertmanager push`.'),
        );
        return;
      }
      replace(content);
      ctx.fail(err, (m) => status.error(`Could not read the Alertmanager configuration: ${m}`));
    });
  return h('div', null, status.el, content);
}
