/**
 * Test support shared by the ingester's tests (not exported from index.ts): a manual clock, a
 * recording logger, limits, request builders, and a chunk store double that records writes in memory
 * and can be told to fail (it isolates the flush loop; real stores have their own conformance suite).
 */
import {
  type Clock,
  type HistogramSample,
  Labels,
  type Matcher,
  type MetricMetadata,
  type Sample,
  SampleColumns,
  type TenantId,
  UnavailableError,
  type WriteRequest,
} from '../model/index.js';
import { type ChunkStore, type Queryable, type StoredChunk, ValueType } from '../storage/index.js';
import type { IngesterLimits } from './limits.js';

export const T1 = 'tenant-1' as TenantId;
export const T2 = 'tenant-2' as TenantId;

export class ManualClock implements Clock {
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export class RecordingLogger {
  lines: string[] = [];
  info(m: string): void {
    this.lines.push(`info: ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn: ${m}`);
  }
  error(m: string): void {
    this.lines.push(`error: ${m}`);
  }
}

export function limits(over: Partial<Record<keyof IngesterLimits, number>> = {}): IngesterLimits {
  return {
    maxGlobalSeriesPerUser: () => over.maxGlobalSeriesPerUser ?? 0,
    maxGlobalSeriesPerMetric: () => over.maxGlobalSeriesPerMetric ?? 0,
    outOfOrderTimeWindowMs: () => over.outOfOrderTimeWindowMs ?? 0,
    maxGlobalExemplarsPerUser: () => over.maxGlobalExemplarsPerUser ?? 0,
    maxMetadataPerUser: () => over.maxMetadataPerUser ?? 0,
  };
}

export function lbls(obj: Record<string, string>): Labels {
  return Labels.fromObject(obj);
}

export function series(
  labels: Labels | Record<string, string>,
  /** Pairs, or Sample objects when values must keep NaN payloads (V8 canonicalises NaN in number arrays). */
  samples: Array<[number, number]> | Sample[],
  extra: { histograms?: HistogramSample[]; exemplars?: WriteRequest['timeseries'][number]['exemplars'] } = {},
): WriteRequest['timeseries'][number] {
  return {
    labels: labels instanceof Labels ? labels : lbls(labels),
    samples: samples.map((x): Sample => (Array.isArray(x) ? { t: x[0], v: x[1] } : x)),
    histograms: extra.histograms ?? [],
    exemplars: extra.exemplars ?? [],
  };
}

export function req(ts: WriteRequest['timeseries'], metadata: MetricMetadata[] = []): WriteRequest {
  return { timeseries: ts, metadata };
}

/**
 * The request with every series' float samples as a window of one pair of columns for the whole
 * request, as the remote-write fast path hands them to the ingester.
 */
export function asColumns(r: WriteRequest): WriteRequest {
  const n = r.timeseries.reduce((k, ts) => k + ts.samples.length, 0);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let k = 0;
  const timeseries = r.timeseries.map((ts) => {
    const start = k;
    for (const s of ts.samples) {
      t[k] = s.t;
      v[k++] = s.v;
    }
    return { ...ts, samples: new SampleColumns(t, v, start, k) };
  });
  return { ...r, timeseries };
}

/** Both forms of float samples a push may carry, for tests that must hold for each. */
export const SAMPLE_FORMS = [
  { name: 'object', req },
  { name: 'columnar', req: (ts: WriteRequest['timeseries'], md?: MetricMetadata[]) => asColumns(req(ts, md)) },
];

/** All samples of every series matching `matchers`, as [labels string, [[t, v]…]]. */
export async function readAll(
  q: Queryable,
  matchers: Matcher[],
  mint = Number.MIN_SAFE_INTEGER,
  maxt = Number.MAX_SAFE_INTEGER,
): Promise<Array<[string, Array<[number, number]>]>> {
  const querier = q.querier(mint, maxt);
  const out: Array<[string, Array<[number, number]>]> = [];
  for (const s of await querier.select(true, undefined, matchers)) {
    const it = s.iterator();
    const samples: Array<[number, number]> = [];
    while (it.next() === ValueType.Float) samples.push([it.atT(), it.atV()]);
    out.push([s.labels.toString(), samples]);
  }
  querier.close();
  return out;
}

/** In-memory chunk store double: records every put, fails while `failing` is set. */
export class RecordingChunkStore implements ChunkStore {
  puts: Array<{ tenant: TenantId; chunks: StoredChunk[] }> = [];
  failing = false;
  attempts = 0;

  async put(tenantId: TenantId, chunks: readonly StoredChunk[]): Promise<void> {
    this.attempts++;
    if (this.failing) throw new UnavailableError('store down (test)');
    this.puts.push({ tenant: tenantId, chunks: chunks.map((c) => ({ ...c, data: c.data.slice() })) });
  }
  queryable(): Queryable {
    throw new Error('not used by the ingester');
  }
  async deleteTenant(): Promise<void> {}
  async close(): Promise<void> {}

  chunks(): StoredChunk[] {
    return this.puts.flatMap((p) => p.chunks);
  }
}
