import type { TenantId } from '../model/index.js';
import type { ExponentialBuckets, ExponentialHistogramPoint, HistogramPoint, NumberPoint } from './model.js';

/**
 * Delta → cumulative conversion for OTLP sums and histograms, per tenant, in the process that
 * translates the request: a running sum per stream, as the OpenTelemetry data model's "Sums:
 * Delta-to-Cumulative" and the Collector's `deltatocumulative` processor do it.
 *
 * - The first point of a stream (or the first after it was forgotten) starts the sum with its value.
 * - Later points are added, whether their interval follows the last one or leaves a gap: SDKs in
 *   delta mode skip a stream with no measurements, and its next point then starts after a gap (the JS
 *   SDK gives it its own start time), so a gap is not a reset. A restarted sender's deltas are
 *   increments too and are added.
 * - A point whose start is before the sum's start belongs to an older run of the stream, and a point
 *   at or before the last one is out of order: both are refused. The exact repeat of the last point
 *   (a retried request) is answered with the current sum and not added twice.
 * - A stream with no point for `idleTimeoutMs` is forgotten (its next point starts a new sum, which
 *   PromQL's rate() reads as a counter reset), and each tenant keeps at most its limit of streams:
 *   points of new streams beyond it are refused until idle ones expire.
 * - Histograms are added bucket by bucket; explicit bounds that change, or an exponential zero
 *   threshold that changes, start the sum over from that point. Exponential histograms of different
 *   scales are added at the coarser scale.
 *
 * The state lives in memory only: after a restart, every stream starts a new sum at its next point.
 */
export interface DeltaToCumulativeOptions {
  /** ms; a stream without a point for this long is forgotten. Default 5 minutes (the Collector's `max_stale`). */
  idleTimeoutMs?: number;
  /** Wall clock in ms (idle expiry only; points are ordered by their own timestamps). */
  now?: () => number;
}

/** A converted point (read-only: its bucket arrays are the running sum's), or why the point was refused. */
export type Converted<P> = { point: P } | { refused: 'out-of-order' | 'limit'; message: string };

interface Stream {
  startMs: number;
  lastMs: number;
  /** The last delta point's start and value(s), to recognise a retried request. */
  lastDelta: string;
  seenAt: number;
  /** The running sum: a point without attributes or exemplars. */
  sum: NumberPoint | HistogramPoint | ExponentialHistogramPoint;
}

const DEFAULT_IDLE_MS = 5 * 60_000;
/** Dense exponential buckets beyond this are merged to a coarser scale rather than allocated. */
const MAX_EXPONENTIAL_SPAN = 1 << 14;

/** Every tenant's running sums in this process. */
export class DeltaToCumulative {
  readonly idleTimeoutMs: number;
  readonly now: () => number;
  private readonly tenants = new Map<TenantId, DeltaStreams>();
  private lastSweep: number;

  constructor(opts: DeltaToCumulativeOptions = {}) {
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_MS;
    this.now = opts.now ?? Date.now;
    this.lastSweep = this.now();
  }

  /** The tenant's streams, holding at most `maxStreams` (read from the tenant's limits on every request). */
  forTenant(tenant: TenantId, maxStreams: number): DeltaStreams {
    const now = this.now();
    // Tenants that stopped sending are swept too, at most a few times per idle timeout.
    if (now - this.lastSweep >= this.idleTimeoutMs / 4) {
      this.lastSweep = now;
      for (const [t, s] of this.tenants) if (s.expire(now) === 0 && t !== tenant) this.tenants.delete(t);
    }
    let s = this.tenants.get(tenant);
    if (s === undefined) {
      s = new DeltaStreams(this, maxStreams);
      this.tenants.set(tenant, s);
    }
    s.maxStreams = maxStreams;
    return s;
  }

  /** Streams held per tenant (tenants holding none are left out). */
  *sizes(): Iterable<[TenantId, number]> {
    for (const [t, s] of this.tenants) if (s.size > 0) yield [t, s.size];
  }

  /** Streams held over every tenant. */
  get size(): number {
    let n = 0;
    for (const s of this.tenants.values()) n += s.size;
    return n;
  }
}

/** One tenant's running sums, keyed by the caller's stream identity (metric name and labels). */
export class DeltaStreams {
  private readonly streams = new Map<string, Stream>();
  private lastExpire = 0;

  constructor(
    private readonly owner: DeltaToCumulative,
    public maxStreams: number,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  number(key: string, p: NumberPoint): Converted<NumberPoint> {
    if (!Number.isFinite(p.value)) {
      return { refused: 'out-of-order', message: `a delta of ${p.value} cannot be added to a running sum` };
    }
    return this.accumulate(`s${key}`, p, `${p.value}`, stripNumber, (sum, d) => ({
      ...sum,
      value: (sum as NumberPoint).value + d.value,
    })) as Converted<NumberPoint>;
  }

  histogram(key: string, p: HistogramPoint): Converted<HistogramPoint> {
    return this.accumulate(`h${key}`, p, `${p.count}:${p.sum}`, stripHistogram, (s, d) => {
      const sum = s as HistogramPoint;
      if (!sameBounds(sum.explicitBounds, d.explicitBounds) || sum.bucketCounts.length !== d.bucketCounts.length) {
        return undefined;
      }
      return {
        ...sum,
        count: sum.count + d.count,
        sum: sum.sum === undefined || d.sum === undefined ? undefined : sum.sum + d.sum,
        bucketCounts: sum.bucketCounts.map((c, i) => c + d.bucketCounts[i]!),
      };
    }) as Converted<HistogramPoint>;
  }

  exponential(key: string, p: ExponentialHistogramPoint): Converted<ExponentialHistogramPoint> {
    return this.accumulate(`e${key}`, p, `${p.count}:${p.sum}`, stripExponential, (s, d) =>
      addExponential(s as ExponentialHistogramPoint, d),
    ) as Converted<ExponentialHistogramPoint>;
  }

  /** The stream ended (a point flagged FLAG_NO_RECORDED_VALUE): its next point starts a new sum. */
  end(key: string, kind: 'number' | 'histogram' | 'exponential'): void {
    this.streams.delete(`${kind === 'number' ? 's' : kind === 'histogram' ? 'h' : 'e'}${key}`);
  }

  /** Forgets idle streams; answers how many are left. */
  expire(now: number): number {
    const before = now - this.owner.idleTimeoutMs;
    for (const [k, s] of this.streams) if (s.seenAt < before) this.streams.delete(k);
    this.lastExpire = now;
    return this.streams.size;
  }

  private accumulate<P extends NumberPoint | HistogramPoint | ExponentialHistogramPoint>(
    key: string,
    p: P,
    value: string,
    strip: (p: P) => P,
    add: (sum: Stream['sum'], delta: P) => P | undefined,
  ): Converted<P> {
    const now = this.owner.now();
    const fingerprint = `${p.startMs}:${value}`;
    let s = this.streams.get(key);
    if (s !== undefined && now - s.seenAt > this.owner.idleTimeoutMs) {
      this.streams.delete(key);
      s = undefined;
    }
    if (s === undefined) {
      // At the cap, idle streams are swept first (at most once a second, the sweep is a full pass).
      if (this.streams.size >= this.maxStreams && now - this.lastExpire >= 1000) this.expire(now);
      if (this.streams.size >= this.maxStreams) {
        return {
          refused: 'limit',
          message: `the tenant already converts ${this.streams.size} delta streams, its limit (otlp_delta_to_cumulative_max_streams); a new stream is accepted once another has been idle for ${Math.round(this.owner.idleTimeoutMs / 1000)}s`,
        };
      }
      const sum = strip(p);
      this.streams.set(key, {
        startMs: p.startMs !== 0 ? p.startMs : p.tMs,
        lastMs: p.tMs,
        lastDelta: fingerprint,
        seenAt: now,
        sum,
      });
      return { point: present(sum, p, p.startMs !== 0 ? p.startMs : p.tMs) };
    }
    if (p.startMs !== 0 && p.startMs < s.startMs) {
      return {
        refused: 'out-of-order',
        message: `a delta point starting at ${iso(p.startMs)} is older than the running sum, which starts at ${iso(s.startMs)} (are two senders writing the same series?)`,
      };
    }
    if (p.tMs <= s.lastMs) {
      if (p.tMs === s.lastMs && fingerprint === s.lastDelta) {
        s.seenAt = now;
        return { point: present(s.sum as P, p, s.startMs) };
      }
      return {
        refused: 'out-of-order',
        message: `a delta point at ${iso(p.tMs)} is not after the running sum's last point at ${iso(s.lastMs)}`,
      };
    }
    const added = add(s.sum, p);
    if (added === undefined) {
      // Buckets that cannot be added (the sender changed its layout): a new sum from this point.
      s.sum = strip(p);
      s.startMs = p.startMs !== 0 ? p.startMs : p.tMs;
    } else {
      s.sum = added;
    }
    s.lastMs = p.tMs;
    s.lastDelta = fingerprint;
    s.seenAt = now;
    return { point: present(s.sum as P, p, s.startMs) };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The running sum as the point to translate: the delta's time, attributes, flags and exemplars. */
function present<P extends NumberPoint | HistogramPoint | ExponentialHistogramPoint>(
  sum: P,
  delta: P,
  startMs: number,
): P {
  return {
    ...sum,
    attributes: delta.attributes,
    exemplars: delta.exemplars,
    flags: delta.flags,
    tMs: delta.tMs,
    startMs,
  };
}

// The state keeps no attributes or exemplars: they belong to the request, not to the sum.
const stripNumber = (p: NumberPoint): NumberPoint => ({ ...p, attributes: [], exemplars: [] });
const stripHistogram = (p: HistogramPoint): HistogramPoint => ({
  ...p,
  attributes: [],
  exemplars: [],
  bucketCounts: [...p.bucketCounts],
  explicitBounds: [...p.explicitBounds],
});
const stripExponential = (p: ExponentialHistogramPoint): ExponentialHistogramPoint => ({
  ...p,
  attributes: [],
  exemplars: [],
  positive: { offset: p.positive.offset, bucketCounts: [...p.positive.bucketCounts] },
  negative: { offset: p.negative.offset, bucketCounts: [...p.negative.bucketCounts] },
});

function sameBounds(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Sum of two exponential histograms at the coarser of their scales; undefined when the zero buckets differ. */
function addExponential(
  a: ExponentialHistogramPoint,
  b: ExponentialHistogramPoint,
): ExponentialHistogramPoint | undefined {
  if (a.zeroThreshold !== b.zeroThreshold) return undefined;
  let scale = Math.min(a.scale, b.scale);
  // Two streams far apart would need a huge dense array: merge to coarser scales until they fit.
  while (
    span(a.positive, a.scale - scale, b.positive, b.scale - scale) > MAX_EXPONENTIAL_SPAN ||
    span(a.negative, a.scale - scale, b.negative, b.scale - scale) > MAX_EXPONENTIAL_SPAN
  ) {
    scale--;
  }
  const pos = mergeBuckets(a.positive, a.scale - scale, b.positive, b.scale - scale);
  const neg = mergeBuckets(a.negative, a.scale - scale, b.negative, b.scale - scale);
  return {
    ...a,
    scale,
    count: a.count + b.count,
    sum: a.sum === undefined || b.sum === undefined ? undefined : a.sum + b.sum,
    zeroCount: a.zeroCount + b.zeroCount,
    positive: pos,
    negative: neg,
  };
}

/** OTel bucket i at scale s lies in bucket floor(i / 2) at scale s - 1. */
const indexAt = (offset: number, i: number, down: number) => Math.floor((offset + i) / 2 ** down);

/** The lowest and highest bucket index of two ranges, each taken `down` scales coarser. */
function bounds(a: ExponentialBuckets, downA: number, b: ExponentialBuckets, downB: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const [x, down] of [
    [a, downA],
    [b, downB],
  ] as const) {
    if (x.bucketCounts.length === 0) continue;
    lo = Math.min(lo, indexAt(x.offset, 0, down));
    hi = Math.max(hi, indexAt(x.offset, x.bucketCounts.length - 1, down));
  }
  return [lo, hi];
}

function span(a: ExponentialBuckets, downA: number, b: ExponentialBuckets, downB: number): number {
  const [lo, hi] = bounds(a, downA, b, downB);
  return lo === Number.POSITIVE_INFINITY ? 0 : hi - lo + 1;
}

/** Adds two bucket ranges, each first merged `down` scales coarser. */
function mergeBuckets(a: ExponentialBuckets, downA: number, b: ExponentialBuckets, downB: number): ExponentialBuckets {
  const [lo, hi] = bounds(a, downA, b, downB);
  if (lo === Number.POSITIVE_INFINITY) return { offset: 0, bucketCounts: [] };
  const out = new Array<number>(hi - lo + 1).fill(0);
  for (const [x, down] of [
    [a, downA],
    [b, downB],
  ] as const) {
    for (let i = 0; i < x.bucketCounts.length; i++) {
      const j = indexAt(x.offset, i, down) - lo;
      out[j] = out[j]! + x.bucketCounts[i]!;
    }
  }
  return { offset: lo, bucketCounts: out };
}
