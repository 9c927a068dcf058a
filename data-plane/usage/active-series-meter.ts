import { readFileSync, writeFileSync } from 'node:fs';
import type { Labels, TenantId } from '../model/index.js';
import type { UsageRecorder } from './usage-recorder.js';

const MINUTE_MS = 60_000;
/** Series walked between two turns of the event loop. */
const SLICE = 10_000;

/** The ingester's side of active series metering (declared here, by the consumer). */
export interface ActiveSeriesSource {
  tenants(): TenantId[];
  /** The tenant's series that accepted a sample at or after `sinceWallMs` (wall clock). */
  activeSeries(tenantId: TenantId, sinceWallMs: number): Iterable<Labels>;
}

export interface ActiveSeriesMeterOptions {
  source: ActiveSeriesSource;
  recorder: UsageRecorder;
  /** Wall clock, ms. */
  now: () => number;
  /**
   * Which of a tenant's series this process counts (asked once per tenant per minute, then per
   * series). Replicas must agree on exactly one counter per series: in split mode it is the first
   * healthy ingester of the series' ring position, the one `owners(shardHash, 1)` names. Default: all.
   */
  owner?: (tenantId: TenantId) => (labels: Labels) => boolean;
  /** Cost attribution: per tenant, the key that splits its active series (undefined: not split). */
  attribution?: { forTenant(tenantId: TenantId): ((labels: Labels) => string) | undefined };
  /** A series is active while its last sample is at most this old (default 20 min, Mimir's default). */
  idleTimeoutMs?: number;
  /** How often the end of a minute is looked for (default 10 s). */
  checkIntervalMs?: number;
  /**
   * File keeping the last minute sampled, so a process restarted within a minute does not count that
   * minute twice. Without it, a restart may.
   */
  stateFile?: string;
}

/**
 * Samples each tenant's active series at the end of every UTC minute this process ran through (at
 * the first check after it, and at a graceful stop for the minute in progress) and records the count
 * as `active_series_minutes` (series × 1 minute) for that minute. Every resolution's sum is then in
 * series-minutes and its average is that sum over the bucket's minutes; the control plane keeps the
 * greatest minute beside it (`active_series_max`). A crash loses the minute in progress.
 */
export class ActiveSeriesMeter {
  /** The last minute recorded (persisted in `stateFile`), so none is recorded twice. */
  private lastRecorded = -1;
  /** Minutes that ended before this process started are not its to sample. */
  private startedMinute = Number.POSITIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: ActiveSeriesMeterOptions) {
    if (opts.stateFile) {
      try {
        const m = Number(readFileSync(opts.stateFile, 'utf8').trim());
        if (Number.isSafeInteger(m)) this.lastRecorded = m;
      } catch {
        // first start
      }
    }
  }

  start(): void {
    this.startedMinute = minuteOf(this.opts.now());
    this.timer = setInterval(() => void this.tick(), this.opts.checkIntervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Records the minute in progress (call while this process still counts its series, e.g. before leaving the ring). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.sample(true);
  }

  /** Records the minute that just ended, unless it was recorded; resolves when done. */
  tick(): Promise<void> {
    this.running ??= this.sample(false).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sample(inProgress: boolean): Promise<void> {
    const now = this.opts.now();
    const minute = minuteOf(now) - (inProgress ? 0 : MINUTE_MS);
    if (minute <= this.lastRecorded || minute < this.startedMinute) return;
    // Marked first: a crash during the walk loses this minute rather than counting it twice.
    this.lastRecorded = minute;
    if (this.opts.stateFile) writeFileSync(this.opts.stateFile, `${minute}\n`);
    const since = now - (this.opts.idleTimeoutMs ?? 20 * MINUTE_MS);
    for (const tenantId of this.opts.source.tenants()) {
      const owns = this.opts.owner?.(tenantId);
      const attribute = this.opts.attribution?.forTenant(tenantId);
      const counters: Record<string, number> = Object.create(null);
      let n = 0;
      let walked = 0;
      for (const labels of this.opts.source.activeSeries(tenantId, since)) {
        if (!owns || owns(labels)) {
          n++;
          if (attribute) {
            const k = `active_series_minutes${attribute(labels)}`;
            counters[k] = (counters[k] ?? 0) + 1;
          }
        }
        if (++walked % SLICE === 0) await new Promise<void>((r) => setImmediate(r));
      }
      if (n > 0) this.opts.recorder.add(tenantId, { active_series_minutes: n, ...counters }, minute);
    }
  }
}

const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
