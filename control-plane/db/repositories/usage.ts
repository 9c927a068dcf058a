import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { TenantId } from '../../../data-plane/model/index.js';
import type { UsageRepository } from '../../domain/index.js';
import type { Db } from '../client.js';
import { usageBatches, usageCounters } from '../schema/index.js';
import { date, ms } from './_convert.js';

const STEP = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
type Resolution = keyof typeof STEP;
/** Summed like every counter; its minute totals also feed the maximum below. */
const ACTIVE_SERIES_MINUTES = 'active_series_minutes';
/** Kept as the greatest minute total of each bucket, never summed. */
const ACTIVE_SERIES_MAX = 'active_series_max';
/** Rows per INSERT statement (5 columns each, well under Postgres's 65,535 parameters). */
const CHUNK = 2_000;

export class DrizzleUsageRepository implements UsageRepository {
  constructor(private readonly db: Db) {}

  async applyBatch(
    source: string,
    seq: number,
    rows: ReadonlyArray<{ tenantId: TenantId; minuteMs: number; counters: Readonly<Record<string, number>> }>,
    at: number,
  ): Promise<boolean> {
    const fresh = await this.db
      .insert(usageBatches)
      .values({ source, seq, receivedAt: date(at) })
      .onConflictDoNothing()
      .returning({ seq: usageBatches.seq });
    if (fresh.length === 0) return false;
    // Sum in memory first: one row per (tenant, resolution, bucket, metric) per statement, as
    // ON CONFLICT DO UPDATE may not touch the same row twice in one statement.
    const sums = new Map<
      string,
      { tenantId: string; resolution: 'minute' | 'hour' | 'day'; bucket: number; metric: string; value: number }
    >();
    for (const r of rows) {
      for (const resolution of ['minute', 'hour', 'day'] as const) {
        const bucket = Math.floor(r.minuteMs / STEP[resolution]) * STEP[resolution];
        for (const [metric, value] of Object.entries(r.counters)) {
          const key = `${r.tenantId}\u0000${resolution}\u0000${bucket}\u0000${metric}`;
          const s = sums.get(key);
          if (s) s.value += value;
          else sums.set(key, { tenantId: r.tenantId, resolution, bucket, metric, value });
        }
      }
    }
    const values = [...sums.values()].map((s) => ({ ...s, bucket: date(s.bucket) }));
    const target = [usageCounters.tenantId, usageCounters.resolution, usageCounters.bucket, usageCounters.metric];
    // A minute's active series is the sum of what its counting ingesters delivered, possibly over
    // several batches: after each addition the minute's new total bounds its hour's and day's maximum.
    const minuteTotals: Array<{ tenantId: string; bucket: Date; metric: string; value: number }> = [];
    for (let i = 0; i < values.length; i += CHUNK) {
      const out = await this.db
        .insert(usageCounters)
        .values(values.slice(i, i + CHUNK))
        .onConflictDoUpdate({ target, set: { value: sql`${usageCounters.value} + excluded.value` } })
        .returning({
          tenantId: usageCounters.tenantId,
          resolution: usageCounters.resolution,
          bucket: usageCounters.bucket,
          metric: usageCounters.metric,
          value: usageCounters.value,
        });
      for (const r of out) {
        if (r.resolution === 'minute' && r.metric.startsWith(ACTIVE_SERIES_MINUTES)) minuteTotals.push(r);
      }
    }
    const maxima = new Map<
      string,
      { tenantId: string; resolution: Resolution; bucket: number; metric: string; value: number }
    >();
    for (const m of minuteTotals) {
      // `active_series_minutes{team="a"}` (cost attribution) keeps `active_series_max{team="a"}`.
      const metric = ACTIVE_SERIES_MAX + m.metric.slice(ACTIVE_SERIES_MINUTES.length);
      for (const resolution of ['minute', 'hour', 'day'] as const) {
        const bucket = Math.floor(ms(m.bucket) / STEP[resolution]) * STEP[resolution];
        const key = `${m.tenantId}\u0000${resolution}\u0000${bucket}\u0000${metric}`;
        const cur = maxima.get(key);
        if (!cur) maxima.set(key, { tenantId: m.tenantId, resolution, bucket, metric, value: Number(m.value) });
        else if (Number(m.value) > cur.value) cur.value = Number(m.value);
      }
    }
    const maxRows = [...maxima.values()].map((m) => ({ ...m, bucket: date(m.bucket) }));
    for (let i = 0; i < maxRows.length; i += CHUNK) {
      await this.db
        .insert(usageCounters)
        .values(maxRows.slice(i, i + CHUNK))
        .onConflictDoUpdate({ target, set: { value: sql`greatest(${usageCounters.value}, excluded.value)` } });
    }
    return true;
  }

  async list(
    tenantId: TenantId,
    resolution: 'minute' | 'hour' | 'day',
    fromMs: number,
    toMs: number,
  ): Promise<Array<{ bucketMs: number; metric: string; value: number }>> {
    const rows = await this.db
      .select({ bucket: usageCounters.bucket, metric: usageCounters.metric, value: usageCounters.value })
      .from(usageCounters)
      .where(
        and(
          eq(usageCounters.tenantId, tenantId),
          eq(usageCounters.resolution, resolution),
          gte(usageCounters.bucket, date(fromMs)),
          lt(usageCounters.bucket, date(toMs)),
        ),
      );
    return rows.map((r) => ({ bucketMs: ms(r.bucket), metric: r.metric, value: Number(r.value) }));
  }

  async prune(resolution: 'minute' | 'hour' | 'day', beforeMs: number): Promise<number> {
    const gone = await this.db
      .delete(usageCounters)
      .where(and(eq(usageCounters.resolution, resolution), lt(usageCounters.bucket, date(beforeMs))))
      .returning({ metric: usageCounters.metric });
    return gone.length;
  }

  async pruneBatches(beforeMs: number): Promise<void> {
    await this.db.delete(usageBatches).where(lt(usageBatches.receivedAt, date(beforeMs)));
  }
}
