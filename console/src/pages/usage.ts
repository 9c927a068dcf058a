/**
 * Usage (GetUsage): per tenant, active series and ingestion rate over the recent history the server
 * sampled, against the tenant's limits. The Usage page charts every live tenant; the tenant page's
 * Usage tab charts one.
 */
import type { GetUsageResponse } from '../../../gen/cortex/admin/v1/admin_pb.js';
import { TenantState } from '../../../gen/cortex/admin/v1/admin_pb.js';
import { lineChart } from '../chart.js';
import { h, replace } from '../dom.js';
import type { Ctx, Page } from '../page.js';
import { notice, tsMs, usageBar } from '../ui.js';

/** How many tenants the Usage page charts. */
const MAX_CHARTS = 50;

function usageCard(u: GetUsageResponse, heading: HTMLElement): HTMLElement {
  const points = (pick: (s: GetUsageResponse['history'][number]) => number) =>
    u.history.map((s) => ({ t: tsMs(s.time) ?? 0, v: pick(s) }));
  const maxSeries = Number(u.maxActiveSeries);
  return h(
    'section',
    { class: 'card usage-card' },
    heading,
    h(
      'div',
      { class: 'charts' },
      h(
        'figure',
        null,
        h('figcaption', null, 'Active series'),
        usageBar(`Active series of ${u.tenantId}`, Number(u.current?.activeSeries ?? 0n), maxSeries),
        lineChart(
          `Active series of ${u.tenantId}`,
          points((s) => Number(s.activeSeries)),
          maxSeries,
        ),
      ),
      h(
        'figure',
        null,
        h('figcaption', null, 'Ingestion rate (samples/s)'),
        usageBar(`Ingestion rate of ${u.tenantId}`, u.current?.ingestionRate ?? 0, u.ingestionRateLimit, '/s'),
        lineChart(
          `Ingestion rate of ${u.tenantId}`,
          points((s) => s.ingestionRate),
          u.ingestionRateLimit,
        ),
      ),
    ),
  );
}

export function tenantUsageTab(ctx: Ctx, tenantId: string): HTMLElement {
  const status = notice();
  const content = h('div', { 'aria-busy': 'true' }, 'Loading…');
  ctx.admin
    .getUsage({ tenantId }, { signal: ctx.signal })
    .then((u) => replace(content, usageCard(u, h('h2', null, 'Usage, last 30 minutes'))))
    .catch((err) => {
      replace(content);
      ctx.fail(err, (m) => status.error(`Could not read usage: ${m}`));
    })
    .finally(() => content.removeAttribute('aria-busy'));
  return h('div', null, status.el, content);
}

export function usagePage(ctx: Ctx): Page {
  const status = notice();
  const content = h('div', { class: 'usage-grid', 'aria-busy': 'true' });
  const note = h('p', { class: 'muted' });
  (async () => {
    const res = await ctx.admin.listTenants(
      { pageSize: MAX_CHARTS, state: TenantState.ACTIVE },
      { signal: ctx.signal },
    );
    note.textContent =
      res.nextPageToken === ''
        ? `${res.tenants.length} active tenants.`
        : `The first ${res.tenants.length} active tenants; see a tenant's Usage tab for the others.`;
    // One at a time: the page fills in order, and a large cluster is not asked for everything at once.
    for (const t of res.tenants) {
      if (ctx.signal.aborted) return;
      try {
        const u = await ctx.admin.getUsage({ tenantId: t.id }, { signal: ctx.signal });
        content.append(usageCard(u, h('h2', null, h('a', { href: `#/tenants/${t.id}/usage` }, t.id))));
      } catch (err) {
        ctx.fail(err, (m) => status.error(`Usage of ${t.id}: ${m}`));
      }
    }
  })()
    .catch((err) => ctx.fail(err, (m) => status.error(`Could not list tenants: ${m}`)))
    .finally(() => content.removeAttribute('aria-busy'));
  return { title: 'Usage', el: h('section', null, h('h1', null, 'Usage'), status.el, note, content) };
}
