/**
 * The audit log: newest first, a page at a time (ListAuditEvents), with new events arriving live
 * (WatchAuditEvents, a server stream) while the first page is shown.
 */
import { toJson } from '@bufbuild/protobuf';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import type { AuditEvent } from '../../../gen/cortex/admin/v1/admin_pb.js';
import { field, h, replace } from '../dom.js';
import { isUnauthenticated } from '../errors.js';
import type { Ctx, Page } from '../page.js';
import { formatTime, notice, scroller } from '../ui.js';

const PAGE_SIZE = 50;
const RETRY_MS = [1_000, 2_000, 5_000, 10_000];

function json(v: AuditEvent['before']): string {
  return v === undefined ? 'null' : JSON.stringify(toJson(ValueSchema, v), null, 2);
}

function eventRow(e: AuditEvent, fresh = false): HTMLTableRowElement {
  const changed = e.before !== undefined || e.after !== undefined;
  return h(
    'tr',
    { class: fresh ? 'fresh' : undefined, 'data-id': String(e.id) },
    h('td', { class: 'nowrap' }, formatTime(e.time)),
    h('td', { class: 'mono' }, e.actor),
    h('th', { scope: 'row', class: 'mono' }, e.action),
    h('td', null, e.tenantId ? h('a', { href: `#/tenants/${e.tenantId}/tokens` }, e.tenantId) : '—'),
    h('td', { class: 'mono' }, e.target || '—'),
    h(
      'td',
      null,
      changed
        ? h(
            'details',
            null,
            h('summary', null, 'Change'),
            h(
              'div',
              { class: 'diff' },
              h('pre', null, `before: ${json(e.before)}`),
              h('pre', null, `after: ${json(e.after)}`),
            ),
          )
        : null,
    ),
  );
}

export function auditPage(ctx: Ctx): Page {
  const status = notice();
  const body = h('tbody');
  const live = h('span', { class: 'live muted', 'aria-live': 'polite' });
  const tenant = h('input', { type: 'text', autocomplete: 'off', placeholder: 'any' });
  const action = h('input', { type: 'text', autocomplete: 'off', placeholder: 'any, e.g. tenant.create' });
  const newer = h('button', { type: 'button', disabled: true }, 'Newest');
  const older = h('button', { type: 'button', disabled: true }, 'Older');
  // Page tokens of the pages shown so far: the last one is the current page's.
  let pages: string[] = [''];
  let next = '';
  let watch: AbortController | undefined;

  const filters = () => ({ tenantId: tenant.value.trim(), action: action.value.trim() });

  const load = async () => {
    status.clear();
    const pageToken = pages.at(-1)!;
    const res = await ctx.admin.listAuditEvents(
      { pageSize: PAGE_SIZE, pageToken, ...filters() },
      { signal: ctx.signal },
    );
    next = res.nextPageToken;
    older.disabled = next === '';
    newer.disabled = pages.length === 1;
    replace(
      body,
      res.auditEvents.length
        ? res.auditEvents.map((e) => eventRow(e))
        : h('tr', null, h('td', { colspan: 6, class: 'muted' }, 'No events.')),
    );
    if (pages.length === 1) startWatch();
    else stopWatch('Live updates paused on older pages.');
  };
  const reload = () => load().catch((err) => ctx.fail(err, (m) => status.error(`Could not read the audit log: ${m}`)));

  const stopWatch = (why: string) => {
    watch?.abort();
    watch = undefined;
    live.textContent = why;
  };

  const startWatch = () => {
    watch?.abort();
    const ac = new AbortController();
    watch = ac;
    ctx.signal.addEventListener('abort', () => ac.abort(), { once: true });
    const f = filters();
    void (async () => {
      for (let attempt = 0; !ac.signal.aborted; attempt++) {
        try {
          live.textContent = 'Live: new events appear at the top.';
          for await (const msg of ctx.admin.watchAuditEvents(f, { signal: ac.signal })) {
            attempt = 0;
            if (!msg.auditEvent) continue;
            body.querySelector('td[colspan]')?.closest('tr')?.remove();
            body.prepend(eventRow(msg.auditEvent, true));
          }
        } catch (err) {
          if (ac.signal.aborted) return;
          if (isUnauthenticated(err)) return ctx.fail(err, () => {});
        }
        // The stream ended (server restart, proxy timeout): reconnect after a pause.
        live.textContent = 'Live updates interrupted; reconnecting…';
        await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
      }
    })();
  };

  newer.addEventListener('click', () => {
    pages = [''];
    reload();
  });
  older.addEventListener('click', () => {
    pages.push(next);
    reload();
  });
  const filterForm = h(
    'form',
    {
      class: 'inline',
      onsubmit: (e: Event) => {
        e.preventDefault();
        pages = [''];
        reload();
      },
    },
    field('Tenant', tenant),
    field('Action', action),
    h('button', { type: 'submit' }, 'Filter'),
  );
  reload();

  const table = h(
    'table',
    { 'aria-label': 'Audit events' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Time', 'Actor', 'Action', 'Tenant', 'Target', 'Details'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    body,
  );
  return {
    title: 'Audit log',
    el: h(
      'section',
      null,
      h('h1', null, 'Audit log'),
      status.el,
      h('div', { class: 'toolbar' }, filterForm, live),
      scroller(table),
      h('div', { class: 'pager' }, newer, older),
    ),
  };
}
