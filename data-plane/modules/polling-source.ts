import type { Limits, TenantLimitsSource } from '../validation/index.js';

/** The control plane's overrides feed (`GET /internal/v1/overrides` or its in-process twin). */
export type OverridesFetcher = () => Promise<{ revision: number | string; tenants: Record<string, Partial<Limits>> }>;

/**
 * Keeps the newest per-tenant limits from the control plane, polling every `intervalMs` (well under
 * the 5 s propagation promise). On a failed poll the last snapshot stays in force.
 */
export class PollingTenantLimitsSource implements TenantLimitsSource {
  private map: ReadonlyMap<string, Partial<Limits>> = new Map();
  private revision: number | string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly fetcher: OverridesFetcher,
    private readonly intervalMs = 1_000,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  snapshot(): ReadonlyMap<string, Partial<Limits>> {
    return this.map;
  }

  /** Loads once (so the first requests see real limits), then keeps polling. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    try {
      const res = await this.fetcher();
      if (res.revision === this.revision) return;
      this.revision = res.revision;
      this.map = new Map(Object.entries(res.tenants));
    } catch (err) {
      this.onError(err);
    }
  }
}
