import type { TenantId } from '../model/index.js';
import type { Notifier, NotifierAlert } from './types.js';

export interface QueuedNotifierOptions {
  /** Alerts held per tenant; when full the oldest are dropped, as Prometheus's notifier queue does. */
  capacity?: number;
  /** Alerts per send call. */
  batchSize?: number;
  onDropped?: (tenantId: TenantId, count: number) => void;
  onError?: (tenantId: TenantId, err: unknown) => void;
}

/**
 * Decouples evaluation from delivery: `send` only enqueues, one drain loop per tenant delivers in
 * order. Wrap a remote (HTTP) Alertmanager client with it so a slow Alertmanager never delays rules.
 */
export class QueuedNotifier implements Notifier {
  private readonly queues = new Map<TenantId, NotifierAlert[]>();
  private readonly draining = new Map<TenantId, Promise<void>>();

  constructor(
    private readonly inner: Notifier,
    private readonly opts: QueuedNotifierOptions = {},
  ) {}

  async send(tenantId: TenantId, alerts: NotifierAlert[]): Promise<void> {
    const cap = this.opts.capacity ?? 10_000;
    const q = this.queues.get(tenantId) ?? [];
    q.push(...alerts);
    if (q.length > cap) {
      const dropped = q.length - cap;
      q.splice(0, dropped);
      this.opts.onDropped?.(tenantId, dropped);
    }
    this.queues.set(tenantId, q);
    if (!this.draining.has(tenantId)) {
      const run = this.drain(tenantId).finally(() => this.draining.delete(tenantId));
      this.draining.set(tenantId, run);
    }
  }

  /** Alerts waiting for delivery across tenants. */
  pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Resolves once every alert enqueued so far was handed to the inner notifier (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.draining.size > 0) await Promise.all([...this.draining.values()]);
  }

  private async drain(tenantId: TenantId): Promise<void> {
    const size = this.opts.batchSize ?? 64;
    for (;;) {
      const q = this.queues.get(tenantId);
      if (!q || q.length === 0) {
        this.queues.delete(tenantId);
        return;
      }
      const batch = q.splice(0, size);
      try {
        await this.inner.send(tenantId, batch);
      } catch (err) {
        // Firing alerts are re-sent every resend delay, so a failed batch is not retried here.
        this.opts.onError?.(tenantId, err);
      }
    }
  }
}
