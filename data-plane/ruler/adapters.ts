import type { QueryTenant, TenantId } from '../model/index.js';
import type { PromValue } from '../promql/index.js';
import type { WireSeries, WireWriteRequest } from '../remotewrite/index.js';
import type { RuleQueryFunc, RuleSample, RuleWriter } from './types.js';

/** The part of the Distributor the ruler writes through (so tenant limits and validation apply). */
export interface RulePushTarget {
  push(tenantId: TenantId, wire: WireWriteRequest): Promise<{ errors: readonly { error: unknown }[] }>;
}

/**
 * A RuleWriter over the distributor: one remote-write request per evaluation, one series per label
 * set. Dropped samples (limits, out of order) fail the write so the rule shows why in /rules.
 */
export function distributorRuleWriter(d: RulePushTarget): RuleWriter {
  return {
    async write(tenantId: TenantId, samples: RuleSample[]): Promise<void> {
      const bySeries = new Map<string, WireSeries>();
      for (const s of samples) {
        const key = s.labels.key();
        let ws = bySeries.get(key);
        if (!ws) {
          ws = { labels: [...s.labels.flat], samples: [], histograms: [], exemplars: [] };
          bySeries.set(key, ws);
        }
        ws.samples.push({ t: s.t, v: s.v });
      }
      const res = await d.push(tenantId, { timeseries: [...bySeries.values()], metadata: [] });
      const first = res.errors[0];
      if (first) {
        const msg = first.error instanceof Error ? first.error.message : String(first.error);
        throw new Error(`writing rule output: ${res.errors.length} series dropped: ${msg}`);
      }
    },
  };
}

/** The part of the TenantQuerier the ruler queries through (tenant query limits apply). */
export interface RuleQuerySource {
  instantQuery(
    tenantId: QueryTenant,
    query: string,
    timeMs: number,
    opts?: { signal?: AbortSignal },
  ): Promise<{ value: PromValue }>;
}

/** A RuleQueryFunc over the tenant querier. */
export function querierQueryFunc(q: RuleQuerySource): RuleQueryFunc {
  return async (tenantId, query, t, signal) =>
    (await q.instantQuery(tenantId, query, t, signal ? { signal } : {})).value;
}
