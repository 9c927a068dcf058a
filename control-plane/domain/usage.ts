import { type TenantId, UnavailableError } from '../../data-plane/model/index.js';
import type { LimitsService } from './limits.js';

/** One sample of a tenant's usage: series in the ingesters' memory and samples/s ingested. */
export interface UsageSample {
  /** ms since the epoch. */
  readonly at: number;
  readonly activeSeries: number;
  readonly ingestionRate: number;
}

/** The data plane's view of a tenant's usage: the latest sample and the recent ones, oldest first. */
export type UsageSource = (
  tenantId: TenantId,
) =>
  | { current: UsageSample; history: readonly UsageSample[] }
  | Promise<{ current: UsageSample; history: readonly UsageSample[] }>;

export interface TenantUsage {
  tenantId: TenantId;
  current: UsageSample;
  history: readonly UsageSample[];
  /** The tenant's max_global_series_per_user (0: unlimited). */
  maxActiveSeries: number;
  /** The tenant's ingestion_rate limit, samples/s. */
  ingestionRateLimit: number;
}

/**
 * A tenant's current usage against its limits. The figures come from the data plane beside the
 * control plane (absent: UnavailableError); billing-grade metering is MeteringService (docs/usage.md).
 */
export class UsageService {
  constructor(private readonly deps: { limits: LimitsService; source?: UsageSource | undefined }) {}

  async get(rawTenant: string): Promise<TenantUsage> {
    const view = await this.deps.limits.get(rawTenant);
    if (!this.deps.source) throw new UnavailableError('usage: no data plane is attached to this control plane');
    const tenantId = view.tenantId as TenantId;
    const { current, history } = await this.deps.source(tenantId);
    return {
      tenantId,
      current,
      history,
      maxActiveSeries: Number(view.limits.max_global_series_per_user ?? 0),
      ingestionRateLimit: Number(view.limits.ingestion_rate ?? 0),
    };
  }
}
