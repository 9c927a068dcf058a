import { LimitExceededError, type TenantId } from '../model/index.js';

export interface FairQueueOptions {
  /** Queries run at once across all tenants (the querier workers). */
  concurrency: number;
  /** Per-tenant cap on queued (not yet running) requests; read on every enqueue. */
  maxOutstanding(tenantId: TenantId): number;
}

interface Job {
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Per-tenant FIFO queues served round-robin (Cortex's query scheduler), so one tenant's burst cannot
 * starve the others. A tenant with `maxOutstanding` queued requests gets a 429 instead of a longer wait.
 */
export class FairQueue {
  private readonly queues = new Map<string, Job[]>();
  /** Tenants with queued work, in round-robin order. */
  private readonly ring: string[] = [];
  private running = 0;

  constructor(private readonly opts: FairQueueOptions) {}

  enqueue<T>(tenantId: TenantId, run: () => Promise<T>): Promise<T> {
    const q = this.queues.get(tenantId) ?? [];
    const max = this.opts.maxOutstanding(tenantId);
    if (q.length >= max) {
      return Promise.reject(
        new LimitExceededError(
          `too many outstanding requests (limit: ${max}) (err-cortex-too-many-outstanding-requests). To adjust the related per-tenant limit, configure max_outstanding_requests_per_tenant, or contact your service administrator.`,
          { id: 'err-cortex-too-many-outstanding-requests', retryAfterSeconds: 1 },
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      q.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.queues.has(tenantId)) {
        this.queues.set(tenantId, q);
        this.ring.push(tenantId);
      }
      this.dispatch();
    });
  }

  /** Queued requests of a tenant (for metrics and tests). */
  queued(tenantId: TenantId): number {
    return this.queues.get(tenantId)?.length ?? 0;
  }

  private dispatch(): void {
    while (this.running < this.opts.concurrency && this.ring.length > 0) {
      const tenant = this.ring.shift()!;
      const q = this.queues.get(tenant)!;
      const job = q.shift()!;
      if (q.length > 0) this.ring.push(tenant);
      else this.queues.delete(tenant);
      this.running++;
      job
        .run()
        .then(job.resolve, job.reject)
        .finally(() => {
          this.running--;
          this.dispatch();
        });
    }
  }
}
