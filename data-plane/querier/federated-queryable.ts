import { BadDataError, Labels, type Matcher, TENANT_ID_LABEL, type TenantId } from '../model/index.js';
import { type CallOptions, type Querier, type Queryable, type Series, sortedUnion } from '../storage/index.js';

/** What a series' own `__tenant_id__` label is renamed to in a federated result (Mimir's name). */
export const ORIGINAL_TENANT_ID_LABEL = `original_${TENANT_ID_LABEL}`;

/** One tenant's share of a federated query: its data as that tenant's own queries would read it. */
export interface TenantPart {
  readonly tenantId: TenantId;
  readonly queryable: Queryable;
}

/**
 * The matchers to send to `tenantId`'s part, or undefined when a `__tenant_id__` matcher excludes the
 * tenant (its data is then never read). Matchers on `__tenant_id__` select tenants and are removed.
 */
export function matchersForTenant(matchers: readonly Matcher[], tenantId: TenantId): Matcher[] | undefined {
  const rest: Matcher[] = [];
  for (const m of matchers) {
    if (m.name !== TENANT_ID_LABEL) rest.push(m);
    else if (!m.matches(tenantId)) return undefined;
  }
  return rest;
}

/**
 * A series' labels with `__tenant_id__` naming its tenant; a label of that name it already had is
 * kept as `original___tenant_id__`, as Mimir does, so nothing the tenant wrote is lost.
 */
export function withTenantLabel(labels: Labels, tenantId: TenantId): Labels {
  const b = labels.builder();
  const own = labels.get(TENANT_ID_LABEL);
  if (own !== '') b.set(ORIGINAL_TENANT_ID_LABEL, own);
  return b.set(TENANT_ID_LABEL, tenantId).labels();
}

/**
 * Several tenants read as one (a federated query): each select goes to every tenant its
 * `__tenant_id__` matchers allow, and every series comes back with `__tenant_id__` set. The parts are
 * read with the tenants' own limits (the caller builds them so); an error in any part fails the
 * whole select, so a limit hit in one tenant is never a silently partial answer. The engine sees one
 * Queryable and knows nothing of tenants.
 */
export class FederatedQueryable implements Queryable {
  constructor(private readonly parts: readonly TenantPart[]) {}

  querier(mint: number, maxt: number): Querier {
    const opened = new Map<TenantId, Querier>();
    const open = (p: TenantPart): Querier => {
      let q = opened.get(p.tenantId);
      if (!q) {
        q = p.queryable.querier(mint, maxt);
        opened.set(p.tenantId, q);
      }
      return q;
    };
    // the parts a set of matchers reads, each with the matchers meant for it
    const selected = (matchers: readonly Matcher[]) =>
      this.parts.flatMap((p) => {
        const rest = matchersForTenant(matchers, p.tenantId);
        return rest ? [{ part: p, rest }] : [];
      });
    return {
      select: async (sorted, hints, matchers, opts) => {
        // `{__tenant_id__="a"}` alone would ask a tenant's store for all its series
        if (matchers.every((m) => m.name === TENANT_ID_LABEL || m.matchesEmpty())) {
          throw new BadDataError(
            'at least one matcher besides __tenant_id__ must select a non-empty value (err-cortex-empty-matchers)',
            { id: 'err-cortex-empty-matchers' },
          );
        }
        const lists = await Promise.all(
          selected(matchers).map(async ({ part, rest }) =>
            (await open(part).select(sorted, hints, rest, opts)).map((s) => tenantSeries(s, part.tenantId)),
          ),
        );
        const all = lists.flat();
        if (sorted) all.sort((a, b) => Labels.compare(a.labels, b.labels));
        return all;
      },
      labelNames: async (matchers, opts) => {
        const sel = selected(matchers);
        if (sel.length === 0) return [];
        const lists = await Promise.all(sel.map(({ part, rest }) => open(part).labelNames(rest, opts)));
        const names = sortedUnion([...lists.map(renameOwnTenantLabel), [TENANT_ID_LABEL]]);
        return limitList(names, opts);
      },
      labelValues: async (name, matchers, opts) => {
        const sel = selected(matchers);
        if (name === TENANT_ID_LABEL) return limitList(await this.tenantsWithSeries(sel, open, opts), opts);
        const inner = name === ORIGINAL_TENANT_ID_LABEL ? TENANT_ID_LABEL : name;
        const lists = await Promise.all(sel.map(({ part, rest }) => open(part).labelValues(inner, rest, opts)));
        return limitList(sortedUnion(lists), opts);
      },
      close: () => {
        for (const q of opened.values()) q.close();
      },
    };
  }

  /** `__tenant_id__` values: the selected tenants, those with no series matching left out. */
  private async tenantsWithSeries(
    sel: { part: TenantPart; rest: Matcher[] }[],
    open: (p: TenantPart) => Querier,
    opts: CallOptions | undefined,
  ): Promise<string[]> {
    const found = await Promise.all(
      sel.map(async ({ part, rest }) => ((await open(part).labelNames(rest, opts)).length > 0 ? part.tenantId : '')),
    );
    return found.filter((t) => t !== '').sort();
  }
}

function tenantSeries(s: Series, tenantId: TenantId): Series {
  const labels = withTenantLabel(s.labels, tenantId);
  const out: { labels: Labels; iterator: Series['iterator']; encodedChunks?: Series['encodedChunks'] } = {
    labels,
    iterator: () => s.iterator(),
  };
  // keeps the fast path of readers that move encoded chunks to a query worker
  if (s.encodedChunks) out.encodedChunks = () => s.encodedChunks?.();
  return out;
}

/** A part's label names as the federated series carry them (its own `__tenant_id__` renamed). */
function renameOwnTenantLabel(names: string[]): string[] {
  if (!names.includes(TENANT_ID_LABEL)) return names;
  return [...names.filter((n) => n !== TENANT_ID_LABEL), ORIGINAL_TENANT_ID_LABEL].sort();
}

function limitList(list: string[], opts: { limit?: number } | undefined): string[] {
  return opts?.limit !== undefined && opts.limit > 0 && list.length > opts.limit ? list.slice(0, opts.limit) : list;
}
