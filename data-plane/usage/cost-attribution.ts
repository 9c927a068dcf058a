import type { Labels, TenantId } from '../model/index.js';

/** The per-tenant limits cost attribution reads on every use (declared here, by the consumer). */
export interface CostAttributionLimits {
  costAttributionLabels(t: TenantId): readonly string[];
  maxCostAttributionCardinality(t: TenantId): number;
}

/** Mimir's value for every attribution label of the bucket that takes what exceeds the cap. */
export const OVERFLOW_VALUE = '__overflow__';

/** A series' attribution: its key, `{team="a",service="b"}` (values JSON-quoted), appended to a counter name. */
export type Attributor = (labels: Labels) => string;

const HOUR_MS = 3_600_000;

/**
 * Mimir's `cost_attribution_labels`: a tenant's samples and active series are split by the values of
 * up to a few labels. Each tenant keeps at most `max_cost_attribution_cardinality` value combinations
 * apart per UTC hour in this process; series with any further combination go to one bucket whose
 * every value is `__overflow__` (known combinations keep their own). A series without a label has ""
 * for it. The labels and the cap are read on every use, so a `cortexctl limits set` takes effect at once.
 */
export class CostAttribution {
  private readonly tenants = new Map<TenantId, { sig: string; hour: number; keys: Set<string> }>();

  constructor(
    private readonly limits: CostAttributionLimits,
    private readonly now: () => number,
  ) {}

  /** The tenant's attributor, or undefined when it has no cost_attribution_labels (nothing to do). */
  forTenant(tenantId: TenantId): Attributor | undefined {
    const names = this.limits.costAttributionLabels(tenantId);
    if (names.length === 0) return undefined;
    const cap = this.limits.maxCostAttributionCardinality(tenantId);
    const hour = Math.floor(this.now() / HOUR_MS);
    const sig = names.join(',');
    let st = this.tenants.get(tenantId);
    if (!st || st.sig !== sig || st.hour !== hour) this.tenants.set(tenantId, (st = { sig, hour, keys: new Set() }));
    const keys = st.keys;
    const overflow = attributionKey(names, () => OVERFLOW_VALUE);
    return (labels) => {
      const key = attributionKey(names, (n) => labels.get(n) ?? '');
      if (keys.has(key)) return key;
      if (keys.size < cap) {
        keys.add(key);
        return key;
      }
      return overflow;
    };
  }
}

function attributionKey(names: readonly string[], value: (name: string) => string): string {
  let s = '{';
  for (let i = 0; i < names.length; i++) s += `${i > 0 ? ',' : ''}${names[i]}=${JSON.stringify(value(names[i]!))}`;
  return `${s}}`;
}
