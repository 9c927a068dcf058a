/**
 * Tenants: every tenant with its status and its usage against its limits (bars), a search box,
 * create, suspend/resume and delete (confirmed).
 */
import { create } from '@bufbuild/protobuf';
import { FieldMaskSchema } from '@bufbuild/protobuf/wkt';
import { type Tenant, TenantSchema, TenantState } from '../../../gen/cortex/admin/v1/admin_pb.js';
import { field, h, replace } from '../dom.js';
import type { Ctx, Page } from '../page.js';
import { confirmAction, notice, scroller, usageBar } from '../ui.js';

/** How many tenants the page loads (pages of the API, searched here). */
const MAX_TENANTS = 2000;
const PAGE_SIZE = 500;
/** GetUsage calls in flight at once. */
const USAGE_CONCURRENCY = 4;

export const STATUS_TEXT: Readonly<Record<TenantState, string>> = {
  [TenantState.UNSPECIFIED]: 'unknown',
  [TenantState.ACTIVE]: 'active',
  [TenantState.SUSPENDED]: 'suspended',
  [TenantState.DELETED]: 'deleted',
};

export function tenantsPage(ctx: Ctx): Page {
  const status = notice();
  let tenants: Tenant[] = [];
  let truncated = false;

  const search = h('input', { type: 'search', placeholder: 'acme', oninput: () => draw() });
  const showDeleted = h('input', { type: 'checkbox', onchange: () => draw() });
  const newId = h('input', {
    type: 'text',
    name: 'tenant-id',
    required: true,
    autocomplete: 'off',
    pattern: '[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}',
    title: '1-64 characters of A-Z a-z 0-9 _ -, starting with a letter or digit',
  });
  const createButton = h('button', { type: 'submit' }, 'Create tenant');
  const body = h('tbody');
  const footer = h('p', { class: 'muted' });

  const createForm = h(
    'form',
    {
      class: 'inline',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        status.clear();
        createButton.disabled = true;
        try {
          const res = await ctx.admin.createTenant({ id: newId.value.trim() }, { signal: ctx.signal });
          status.info(`Created tenant ${res.tenant?.id}.`);
          newId.value = '';
          await load();
        } catch (err) {
          ctx.fail(err, (m) => status.error(m));
        } finally {
          createButton.disabled = false;
        }
      },
    },
    field('Tenant ID', newId),
    createButton,
  );

  const setState = async (t: Tenant, state: TenantState) => {
    status.clear();
    try {
      await ctx.admin.updateTenant(
        {
          tenant: create(TenantSchema, { id: t.id, state }),
          updateMask: create(FieldMaskSchema, { paths: ['state'] }),
        },
        { signal: ctx.signal },
      );
      status.info(`Tenant ${t.id} is now ${STATUS_TEXT[state]}.`);
      await load();
    } catch (err) {
      ctx.fail(err, (m) => status.error(m));
    }
  };

  const remove = async (t: Tenant) => {
    const ok = await confirmAction(
      `Delete tenant ${t.id}? Its tokens are revoked at once and all its data is purged. This cannot be undone.`,
      'Delete tenant',
    );
    if (!ok) return;
    status.clear();
    try {
      await ctx.admin.deleteTenant({ id: t.id }, { signal: ctx.signal });
      status.info(`Tenant ${t.id} deleted; its data is being purged.`);
      await load();
    } catch (err) {
      ctx.fail(err, (m) => status.error(m));
    }
  };

  const row = (t: Tenant) => {
    const series = h('td', { class: 'usage', 'data-label': 'Active series' }, '…');
    const rate = h('td', { class: 'usage', 'data-label': 'Ingestion rate' }, '…');
    const actions = h('td', { class: 'actions' });
    if (t.state === TenantState.ACTIVE) {
      actions.append(h('button', { type: 'button', onclick: () => setState(t, TenantState.SUSPENDED) }, `Suspend`));
    } else if (t.state === TenantState.SUSPENDED) {
      actions.append(h('button', { type: 'button', onclick: () => setState(t, TenantState.ACTIVE) }, 'Resume'));
    }
    if (t.state !== TenantState.DELETED) {
      actions.append(h('button', { type: 'button', class: 'danger', onclick: () => remove(t) }, 'Delete'));
    }
    for (const b of actions.querySelectorAll('button')) b.setAttribute('aria-label', `${b.textContent} ${t.id}`);
    const tr = h(
      'tr',
      { 'data-tenant': t.id },
      h(
        'th',
        { scope: 'row' },
        h('a', { href: `#/tenants/${t.id}/tokens` }, t.id),
        t.displayName ? h('div', { class: 'muted' }, t.displayName) : null,
      ),
      h('td', null, h('span', { class: `status ${STATUS_TEXT[t.state]}` }, STATUS_TEXT[t.state])),
      series,
      rate,
      actions,
    );
    return { tr, t, series, rate };
  };

  // Usage is fetched per shown tenant, a few at a time; a process without a data plane leaves dashes.
  let usageRun = 0;
  const fillUsage = async (rows: ReturnType<typeof row>[]) => {
    const run = ++usageRun;
    const queue = rows.filter((r) => r.t.state !== TenantState.DELETED);
    for (const r of rows) if (r.t.state === TenantState.DELETED) r.series.textContent = r.rate.textContent = '—';
    const worker = async () => {
      for (let r = queue.shift(); r && run === usageRun && !ctx.signal.aborted; r = queue.shift()) {
        try {
          const u = await ctx.admin.getUsage({ tenantId: r.t.id }, { signal: ctx.signal });
          replace(
            r.series,
            usageBar(`Active series of ${r.t.id}`, Number(u.current?.activeSeries ?? 0n), Number(u.maxActiveSeries)),
          );
          replace(
            r.rate,
            usageBar(`Ingestion rate of ${r.t.id}`, u.current?.ingestionRate ?? 0, u.ingestionRateLimit, '/s'),
          );
        } catch (err) {
          r.series.textContent = r.rate.textContent = '—';
          ctx.fail(err, () => {});
        }
      }
    };
    await Promise.all(Array.from({ length: USAGE_CONCURRENCY }, worker));
  };

  const draw = () => {
    const q = search.value.trim().toLowerCase();
    const shown = tenants.filter(
      (t) =>
        (showDeleted.checked || t.state !== TenantState.DELETED) &&
        (q === '' || t.id.toLowerCase().includes(q) || t.displayName.toLowerCase().includes(q)),
    );
    const rows = shown.map(row);
    replace(
      body,
      rows.length ? rows.map((r) => r.tr) : h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'No tenants.')),
    );
    footer.textContent = `${shown.length} of ${tenants.length} tenants${truncated ? ` (only the first ${MAX_TENANTS} are loaded)` : ''}.`;
    void fillUsage(rows);
  };

  const load = async () => {
    const all: Tenant[] = [];
    let pageToken = '';
    do {
      const res = await ctx.admin.listTenants({ pageSize: PAGE_SIZE, pageToken }, { signal: ctx.signal });
      all.push(...res.tenants);
      pageToken = res.nextPageToken;
    } while (pageToken !== '' && all.length < MAX_TENANTS);
    tenants = all;
    truncated = pageToken !== '';
    draw();
  };
  load().catch((err) => ctx.fail(err, (m) => status.error(`Could not list tenants: ${m}`)));

  const table = h(
    'table',
    { 'aria-label': 'Tenants', class: 'cards' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Tenant'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Active series'),
        h('th', { scope: 'col' }, 'Ingestion rate'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
      ),
    ),
    body,
  );
  return {
    title: 'Tenants',
    el: h(
      'section',
      null,
      h('h1', null, 'Tenants'),
      status.el,
      h(
        'div',
        { class: 'toolbar' },
        createForm,
        h(
          'div',
          { class: 'filters' },
          field('Search tenants', search),
          h('label', { class: 'check' }, showDeleted, ' Show deleted'),
        ),
      ),
      scroller(table),
      footer,
    ),
  };
}
