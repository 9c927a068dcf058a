import { CanceledError, LimitExceededError, type QueryTenant, TimeoutError } from '../model/index.js';

export interface FairQueueOptions {
  /** Queries run at once across all tenants (the querier workers). */
  concurrency: number;
  /**
   * Queries one tenant may run at once; default half the concurrency (at least one), so a tenant's
   * slow queries leave slots for everyone else.
   */
  maxRunningPerTenant?: (tenantId: QueryTenant) => number;
  /** Per-tenant cap on queued (not yet running) requests; read on every enqueue. */
  maxOutstanding(tenantId: QueryTenant): number;
}

interface Job {
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal | undefined;
  onAbort?: () => void;
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
  private readonly runningBy = new Map<string, number>();

  constructor(private readonly opts: FairQueueOptions) {}

  /**
   * Runs `run` when a slot is free. A request whose `signal` aborts while it waits (its timeout
   * passed, its client left) leaves the queue with a timeout or cancellation, as Cortex's scheduler
   * drops a request whose context ended; once started, the run watches the signal itself.
   */
  enqueue<T>(tenantId: QueryTenant, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
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
      const job: Job = { run, resolve: resolve as (v: unknown) => void, reject, signal };
      if (signal) {
        job.onAbort = () => this.drop(tenantId, job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      q.push(job);
      if (!this.queues.has(tenantId)) {
        this.queues.set(tenantId, q);
        this.ring.push(tenantId);
      }
      this.dispatch();
    });
  }

  /** Queued requests of a tenant (for metrics and tests). */
  queued(tenantId: QueryTenant): number {
    return this.queues.get(tenantId)?.length ?? 0;
  }

  private dispatch(): void {
    while (this.running < this.opts.concurrency) {
      const tenant = this.nextTenant();
      if (tenant === undefined) return;
      const q = this.queues.get(tenant)!;
      const job = q.shift()!;
      if (q.length > 0) this.ring.push(tenant);
      else this.queues.delete(tenant);
      if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
      this.running++;
      this.runningBy.set(tenant, (this.runningBy.get(tenant) ?? 0) + 1);
      started(job.run)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.running--;
          const n = (this.runningBy.get(tenant) ?? 1) - 1;
          if (n > 0) this.runningBy.set(tenant, n);
          else this.runningBy.delete(tenant);
          this.dispatch();
        });
    }
  }

  /** Takes a job whose signal aborted off its tenant's queue (if it has not started) and rejects it. */
  private drop(tenant: string, job: Job): void {
    const q = this.queues.get(tenant);
    const i = q ? q.indexOf(job) : -1;
    if (!q || i < 0) return;
    q.splice(i, 1);
    if (q.length === 0) {
      this.queues.delete(tenant);
      const r = this.ring.indexOf(tenant);
      if (r >= 0) this.ring.splice(r, 1);
    }
    job.reject(abortError(job.signal!));
  }

  /** The next tenant in round-robin order that is under its running cap (taken off the ring). */
  private nextTenant(): string | undefined {
    for (let i = 0; i < this.ring.length; i++) {
      const tenant = this.ring[i]!;
      if ((this.runningBy.get(tenant) ?? 0) >= this.capOf(tenant)) continue;
      this.ring.splice(i, 1);
      return tenant;
    }
    return undefined;
  }

  private capOf(tenant: string): number {
    const set = this.opts.maxRunningPerTenant?.(tenant as QueryTenant) ?? 0;
    return set > 0 ? set : Math.max(1, Math.floor(this.opts.concurrency / 2));
  }
}

/**
 * The run's promise, also when it throws before returning one (the querier refuses an over-long range
 * synchronously): such a throw escaped `dispatch` without freeing its slot, and a tenant's fourth one
 * left every later query of that tenant queued forever.
 */
function started(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return run();
  } catch (err) {
    return Promise.reject(err);
  }
}

function abortError(signal: AbortSignal): Error {
  const r = signal.reason as { name?: string } | undefined;
  return r instanceof TimeoutError || r?.name === 'TimeoutError'
    ? new TimeoutError('query timed out in query execution')
    : new CanceledError('query was canceled');
}
