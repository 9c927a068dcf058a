/** One tenant: its header (status, suspend/resume) and tabs for tokens, limits, rules, Alertmanager and usage. */

import { h } from '../dom.js';
import type { Ctx, Page } from '../page.js';
import { notice } from '../ui.js';
import { alertmanagerTab } from './alertmanager.js';
import { limitsTab } from './limits.js';
import { rulesTab } from './rules.js';
import { STATUS_TEXT } from './tenants.js';
import { tokensTab } from './tokens.js';
import { tenantUsageTab } from './usage.js';

export const TENANT_TABS = ['tokens', 'limits', 'rules', 'alertmanager', 'usage'] as const;
export type TenantTab = (typeof TENANT_TABS)[number];

const TAB_LABEL: Readonly<Record<TenantTab, string>> = {
  tokens: 'Tokens',
  limits: 'Limits',
  rules: 'Rule groups',
  alertmanager: 'Alertmanager',
  usage: 'Usage',
};

const TABS: Readonly<Record<TenantTab, (ctx: Ctx, tenantId: string) => HTMLElement>> = {
  tokens: tokensTab,
  limits: limitsTab,
  rules: rulesTab,
  alertmanager: alertmanagerTab,
  usage: tenantUsageTab,
};

export function tenantPage(ctx: Ctx, tenantId: string, tab: TenantTab): Page {
  const status = notice();
  const state = h('span', { class: 'status' }, '…');
  ctx.admin
    .getTenant({ id: tenantId }, { signal: ctx.signal })
    .then((res) => {
      const text = res.tenant ? STATUS_TEXT[res.tenant.state] : 'unknown';
      state.textContent = text;
      state.className = `status ${text}`;
    })
    .catch((err) => ctx.fail(err, (m) => status.error(m)));
  return {
    title: `${tenantId} · ${TAB_LABEL[tab]}`,
    el: h(
      'section',
      null,
      h('p', { class: 'crumbs' }, h('a', { href: '#/tenants' }, 'Tenants'), ' / '),
      h('h1', null, `Tenant ${tenantId} `, state),
      status.el,
      h(
        'nav',
        { class: 'tabs', 'aria-label': `Tenant ${tenantId}` },
        TENANT_TABS.map((t) =>
          h('a', { href: `#/tenants/${tenantId}/${t}`, 'aria-current': t === tab ? 'page' : undefined }, TAB_LABEL[t]),
        ),
      ),
      TABS[tab](ctx, tenantId),
    ),
  };
}
