import {
  CortexError,
  type Exemplar,
  type Labels,
  type Matcher,
  type MetricMetadata,
  type TenantId,
  UnavailableError,
} from '../model/index.js';
import type { InstanceDesc, ReadRing, ReplicationSet } from '../ring/index.js';
import {
  type CallOptions,
  mergeSeriesSets,
  type Querier,
  type Queryable,
  type SelectHints,
  sortedUnion,
} from '../storage/index.js';

/** What the querier reads from one ingester (a remote client in split mode). */
export interface IngesterReader {
  queryable(tenantId: TenantId): Queryable;
  metadata(tenantId: TenantId, opts?: { metric?: string; limit?: number }): Promise<MetricMetadata[]>;
  exemplars(
    tenantId: TenantId,
    matcherSets: Matcher[][],
    start: number,
    end: number,
  ): Promise<{ seriesLabels: Labels; exemplars: Exemplar[] }[]>;
  stats(tenantId: TenantId): Promise<{ numSeries: number; ingestedSamples: number }>;
}

export interface RingIngesterReaderOptions {
  ring: ReadRing;
  readerFor(instance: InstanceDesc): IngesterReader;
  /** The tenant's shuffle-shard size (`ingestion_tenant_shard_size`; 0 = every ingester). */
  shardSize(tenantId: TenantId): number;
}

/**
 * The querier's view of the ingesters (Cortex's distributor-query path): asks every ingester of the
 * tenant's shard (op `read`: ACTIVE and LEAVING), tolerates the replication set's `maxErrors`
 * failures (or failures confined to `maxUnavailableZones` zones) and merges the replicas' answers:
 * series with equal labels become one, samples at the same timestamp one sample.
 */
export class RingIngesterReader {
  constructor(private readonly opts: RingIngesterReaderOptions) {}

  private replicas(tenantId: TenantId): ReplicationSet {
    return this.opts.ring.shuffleShard(tenantId, this.opts.shardSize(tenantId)).all('read');
  }

  /**
   * Runs `call` on every replica. Resolves with the answers once every replica settled, or as soon
   * as all but `maxErrors` answered (every acknowledged sample is on a write quorum of its replicas,
   * so those answers hold it: a hung ingester costs no latency); rejects once too many failed.
   */
  private fanOut<T>(tenantId: TenantId, call: (r: IngesterReader) => Promise<T>): Promise<T[]> {
    const set = this.replicas(tenantId);
    const n = set.instances.length;
    const enough = set.maxUnavailableZones === undefined ? n - set.maxErrors : n;
    return new Promise<T[]>((resolve, reject) => {
      const ok: T[] = [];
      const failedZones = new Set<string>();
      let failures = 0;
      let firstError: unknown;
      let done = false;
      const settle = () => {
        if (done) return;
        const settled = ok.length + failures;
        if (failures > 0) {
          // A client error (bad matcher, limit) is the same on every replica: report it as is.
          if (
            firstError instanceof CortexError &&
            firstError.kind !== 'unavailable' &&
            firstError.kind !== 'internal'
          ) {
            done = true;
            reject(firstError);
            return;
          }
          const zonesOk = set.maxUnavailableZones !== undefined && failedZones.size <= set.maxUnavailableZones;
          if (failures > set.maxErrors && !zonesOk && (set.maxUnavailableZones === undefined || settled === n)) {
            done = true;
            reject(
              new UnavailableError(
                `${failures} of ${n} ingesters failed (at most ${set.maxErrors} may): ${(firstError as Error)?.message ?? String(firstError)}`,
                { cause: firstError },
              ),
            );
            return;
          }
        }
        if (settled === n || ok.length >= enough) {
          done = true;
          resolve(ok);
        }
      };
      if (n === 0) {
        resolve(ok);
        return;
      }
      set.instances.forEach((inst) => {
        call(this.opts.readerFor(inst)).then(
          (v) => {
            if (!done) ok.push(v);
            settle();
          },
          (err: unknown) => {
            failures++;
            failedZones.add(inst.zone);
            firstError ??= err;
            settle();
          },
        );
      });
    });
  }

  /** The tenant's recent data across replicas, de-duplicated. */
  queryable(tenantId: TenantId): Queryable {
    return {
      querier: (mint: number, maxt: number): Querier => {
        const open: Querier[] = [];
        const each = <T>(fn: (q: Querier) => Promise<T>) =>
          this.fanOut(tenantId, async (r) => {
            const q = r.queryable(tenantId).querier(mint, maxt);
            open.push(q);
            return await fn(q);
          });
        return {
          select: async (
            sorted: boolean,
            hints: SelectHints | undefined,
            matchers: readonly Matcher[],
            o?: CallOptions,
          ) => mergeSeriesSets(await each((q) => q.select(true, hints, matchers, o)), sorted),
          labelNames: async (matchers, o) => sortedUnion(await each((q) => q.labelNames(matchers, o)), o?.limit),
          labelValues: async (name, matchers, o) =>
            sortedUnion(await each((q) => q.labelValues(name, matchers, o)), o?.limit),
          close: () => {
            for (const q of open) q.close();
          },
        };
      },
    };
  }

  async metadata(tenantId: TenantId, opts: { metric?: string; limit?: number } = {}): Promise<MetricMetadata[]> {
    const lists = await this.fanOut(tenantId, (r) => r.metadata(tenantId, opts));
    const seen = new Set<string>();
    const out: MetricMetadata[] = [];
    for (const m of lists.flat()) {
      const k = JSON.stringify([m.metricFamilyName, m.type, m.help, m.unit]);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(m);
    }
    return out;
  }

  async exemplars(
    tenantId: TenantId,
    matcherSets: Matcher[][],
    start: number,
    end: number,
  ): Promise<{ seriesLabels: Labels; exemplars: Exemplar[] }[]> {
    const lists = await this.fanOut(tenantId, (r) => r.exemplars(tenantId, matcherSets, start, end));
    const bySeries = new Map<string, { seriesLabels: Labels; byTs: Map<number, Exemplar> }>();
    for (const r of lists.flat()) {
      const k = r.seriesLabels.key();
      let e = bySeries.get(k);
      if (!e) {
        e = { seriesLabels: r.seriesLabels, byTs: new Map() };
        bySeries.set(k, e);
      }
      for (const x of r.exemplars) if (!e.byTs.has(x.t)) e.byTs.set(x.t, x);
    }
    return [...bySeries.values()].map((e) => ({
      seriesLabels: e.seriesLabels,
      exemplars: [...e.byTs.values()].sort((a, b) => a.t - b.t),
    }));
  }

  /** Series and samples divided by the replication factor (each is held by RF ingesters). */
  async stats(tenantId: TenantId): Promise<{ numSeries: number; ingestedSamples: number }> {
    const all = await this.fanOut(tenantId, (r) => r.stats(tenantId));
    const rf = Math.max(1, Math.min(this.opts.ring.replicationFactor, all.length));
    const sum = (f: (s: { numSeries: number; ingestedSamples: number }) => number) =>
      Math.round(all.reduce((n, s) => n + f(s), 0) / rf);
    return { numSeries: sum((s) => s.numSeries), ingestedSamples: sum((s) => s.ingestedSamples) };
  }
}
