import { BadDataError, type BucketSpan, type FloatHistogram, type MetricMetadata, STALE_NAN } from '../model/index.js';
import type { WireExemplar, WireRejection, WireSeries, WireWriteRequest } from '../remotewrite/index.js';
import { ERROR_IDS } from '../validation/index.js';
import { formatFloat } from './decode-proto.js';
import type { Converted, DeltaStreams } from './delta-to-cumulative.js';
import {
  type ExponentialHistogramPoint,
  FLAG_NO_RECORDED_VALUE,
  type HistogramPoint,
  type NumberPoint,
  type OtlpAttributes,
  type OtlpExemplar,
  type OtlpMetric,
  type OtlpRequest,
  pointCount,
  TEMPORALITY_CUMULATIVE,
  TEMPORALITY_DELTA,
} from './model.js';
import {
  buildLabelName,
  buildMetricName,
  buildUnit,
  type NamerMetricType,
  shouldEscape,
  type TranslationStrategy,
} from './names.js';

/** The per-tenant translation settings (Prometheus's `otlp:` config block, per tenant). */
export interface OtlpSettings {
  translationStrategy: TranslationStrategy;
  /** Resource attributes copied onto every series of the resource (`promote_resource_attributes`). */
  promoteResourceAttributes: readonly string[];
  /** Accept delta sums and histograms as they are (Prometheus's native delta ingestion) instead of refusing them. */
  allowDeltaTemporality: boolean;
  /** Classic (explicit-bucket) histograms become native histograms with custom buckets. */
  convertHistogramsToNHCB: boolean;
  /**
   * The tenant's running sums when delta sums and histograms are converted to cumulative (this wins
   * over `allowDeltaTemporality`); undefined when the tenant does not convert.
   */
  deltaToCumulative?: DeltaStreams | undefined;
  /**
   * Keep `start_time_unix_nano` of counters, histograms and summaries as created timestamps (Mimir's
   * otel_created_timestamp_zero_ingestion_enabled): the ingester writes a zero there.
   */
  createdTimestampZeroIngestion?: boolean;
}

export const defaultOtlpSettings: OtlpSettings = {
  translationStrategy: 'UnderscoreEscapingWithSuffixes',
  promoteResourceAttributes: [],
  allowDeltaTemporality: false,
  convertHistogramsToNHCB: false,
};

export interface Translated {
  wire: WireWriteRequest;
  /** OTLP data points in the request. */
  points: number;
  /** OTLP data points the translator refused (their reasons are in `wire.rejected`). */
  rejectedPoints: number;
}

export const OTLP_ERROR_IDS = {
  deltaTemporality: ERROR_IDS.otlpDeltaTemporality,
  deltaOutOfOrder: ERROR_IDS.otlpDeltaOutOfOrder,
  deltaStreamsLimit: ERROR_IDS.otlpDeltaStreamsLimit,
  unsupportedMetric: ERROR_IDS.otlpUnsupportedMetric,
  invalidName: ERROR_IDS.otlpInvalidName,
} as const;

const SERVICE_NAME = 'service.name';
const SERVICE_NAMESPACE = 'service.namespace';
const SERVICE_INSTANCE_ID = 'service.instance.id';
const MAX_EXEMPLAR_RUNES = 128;
/** target_info is repeated every half lookback delta (5m) between a resource's first and last point. */
const TARGET_INFO_INTERVAL_MS = 150_000;
const DEFAULT_ZERO_THRESHOLD = 1e-128;
const NO_EXEMPLARS: readonly WireExemplar[] = Object.freeze([]);

/**
 * Translates an OTLP request into the remote-write wire model, as Prometheus 3.x's otlptranslator
 * does: names by the tenant's strategy, `service.name`/`service.namespace` → `job`,
 * `service.instance.id` → `instance`, every other resource attribute on `target_info`, gauges and
 * sums as samples (monotonic cumulative sums are counters, with `_total`), explicit-bucket histograms
 * as classic `_bucket`/`_sum`/`_count` series (or native histograms with custom buckets), exponential
 * histograms as native histograms, summaries as `_sum`/`_count`/quantile series; FLAG_NO_RECORDED_VALUE
 * becomes a stale marker; exemplars carry `trace_id`/`span_id`. What cannot be translated (delta
 * temporality unless enabled, names that normalise to nothing, scales below -4, metrics without data)
 * is refused per metric in `wire.rejected`, and the rest is kept.
 */
export function translateOtlp(req: OtlpRequest, settings: OtlpSettings): Translated {
  const t = new Translator(settings);
  for (const rm of req.resourceMetrics)
    t.resource(
      rm.attributes,
      rm.scopeMetrics.flatMap((s) => s.metrics),
    );
  return t.result();
}

class Translator {
  private readonly series = new Map<string, WireSeries>();
  private readonly metadata = new Map<string, MetricMetadata>();
  private readonly rejected: WireRejection[] = [];
  private readonly utf8: boolean;
  /** Attribute key → label name: a request repeats the same few keys on every point. */
  private readonly labelNames = new Map<string, { name: string } | { error: string }>();
  private points = 0;
  private rejectedPoints = 0;
  /**
   * Delta points refused, one entry per metric and reason with the first point's message: a sender
   * replaying old points must not cost one error object per point.
   */
  private readonly deltaRefusals = new Map<string, { id: string; message: string; points: number }>();
  /** Per resource: labels every series gets (promoted attributes, then job and instance). */
  private promoted: [string, string][] = [];
  private job = '';
  private instance = '';

  constructor(private readonly settings: OtlpSettings) {
    this.utf8 = !shouldEscape(settings.translationStrategy);
  }

  result(): Translated {
    for (const r of this.deltaRefusals.values()) {
      const more = r.points > 1 ? ` (and ${r.points - 1} more points of this metric)` : '';
      this.reject(r.id, `${r.message}${more}`, r.points);
    }
    const timeseries = [...this.series.values()];
    for (const s of this.collided.values()) timeseries.push(s);
    const wire: WireWriteRequest = { timeseries, metadata: [...this.metadata.values()] };
    if (this.rejected.length > 0) wire.rejected = this.rejected;
    return { wire, points: this.points, rejectedPoints: this.rejectedPoints };
  }

  resource(attrs: OtlpAttributes, metrics: OtlpMetric[]): void {
    const get = (k: string) => attrs.find(([n]) => n === k)?.[1];
    const name = get(SERVICE_NAME);
    const ns = get(SERVICE_NAMESPACE);
    this.job = name === undefined ? '' : ns !== undefined ? `${ns}/${name}` : name;
    this.instance = get(SERVICE_INSTANCE_ID) ?? '';
    this.promoted = [];
    for (const a of this.settings.promoteResourceAttributes) {
      const v = get(a);
      if (v === undefined || v === '') continue;
      const n = buildLabelName(a, this.utf8);
      if ('name' in n) this.promoted.push([n.name, v]);
    }
    let earliest = Number.POSITIVE_INFINITY;
    let latest = 0;
    for (const m of metrics) {
      if (m.data.kind !== 'none') {
        for (const p of m.data.points) {
          if (p.tMs < earliest) earliest = p.tMs;
          if (p.tMs > latest) latest = p.tMs;
        }
      }
      this.metric(m);
    }
    if (earliest !== Number.POSITIVE_INFINITY) this.targetInfo(attrs, earliest, latest);
  }

  private reject(id: string, message: string, points: number): void {
    this.rejectedPoints += points;
    this.rejected.push({
      error: new BadDataError(`${message} (${id})`, { id: id as `err-cortex-${string}` }),
      dropped: points,
    });
  }

  private metric(m: OtlpMetric): void {
    const d = m.data;
    const n = pointCount(d);
    this.points += n;
    if (d.kind === 'none') {
      this.reject(
        OTLP_ERROR_IDS.unsupportedMetric,
        `metric ${JSON.stringify(m.name)} has no gauge, sum, histogram, exponential histogram or summary data`,
        0,
      );
      return;
    }
    if (n === 0) return; // Prometheus drops a metric without data points with a warning only.
    // Delta points are summed into cumulative ones when the tenant converts them.
    let deltas: DeltaStreams | undefined;
    if (d.kind === 'sum' || d.kind === 'histogram' || d.kind === 'exponential_histogram') {
      if (d.temporality === TEMPORALITY_DELTA) deltas = this.settings.deltaToCumulative;
      const ok =
        d.temporality === TEMPORALITY_CUMULATIVE ||
        (d.temporality === TEMPORALITY_DELTA && (deltas !== undefined || this.settings.allowDeltaTemporality));
      if (!ok) {
        const what = d.temporality === TEMPORALITY_DELTA ? 'delta' : 'unspecified';
        this.reject(
          OTLP_ERROR_IDS.deltaTemporality,
          `metric ${JSON.stringify(m.name)} has ${what} aggregation temporality; only cumulative is accepted (configure the exporter for cumulative temporality, or ask for otlp_convert_delta_to_cumulative to have delta points summed into cumulative ones)`,
          n,
        );
        return;
      }
    }
    const temporality = deltas !== undefined ? TEMPORALITY_CUMULATIVE : 'temporality' in d ? d.temporality : 0;
    const namerType: NamerMetricType =
      d.kind === 'sum' ? (d.monotonic ? 'monotonic_counter' : 'non_monotonic_counter') : d.kind;
    const built = buildMetricName(this.settings.translationStrategy, m.name, m.unit, namerType);
    if ('error' in built) {
      this.reject(OTLP_ERROR_IDS.invalidName, built.error, n);
      return;
    }
    const name = built.name;
    const type: MetricMetadata['type'] =
      d.kind === 'gauge'
        ? 'gauge'
        : d.kind === 'sum'
          ? d.monotonic
            ? 'counter'
            : 'gauge'
          : d.kind === 'summary'
            ? 'summary'
            : 'histogram';
    if (!this.metadata.has(name)) {
      this.metadata.set(name, { metricFamilyName: name, type, help: m.description, unit: buildUnit(m.unit) });
    }
    // Start timestamps of what Prometheus treats as counters: monotonic sums, histograms, summaries.
    const created =
      this.settings.createdTimestampZeroIngestion === true &&
      temporality !== TEMPORALITY_DELTA &&
      (type === 'counter' || type === 'histogram' || type === 'summary');
    switch (d.kind) {
      case 'gauge':
      case 'sum':
        for (const delta of d.points) {
          const base = this.labels(delta.attributes, name);
          if (base === undefined) continue;
          const p = deltas === undefined ? delta : this.cumulative(deltas, 'number', name, base, delta);
          if (p === undefined) continue;
          const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
          const ct = created && !stale ? p.startMs : 0;
          this.sample(withName(base, name), p.tMs, stale ? STALE_NAN : p.value, this.exemplars(p.exemplars, p.tMs), ct);
        }
        return;
      case 'summary':
        for (const p of d.points) {
          const base = this.labels(p.attributes, name);
          if (base === undefined) continue;
          const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
          const ct = created && !stale ? p.startMs : 0;
          this.sample(withName(base, `${name}_sum`), p.tMs, stale ? STALE_NAN : p.sum, NO_EXEMPLARS, ct);
          this.sample(withName(base, `${name}_count`), p.tMs, stale ? STALE_NAN : p.count, NO_EXEMPLARS, ct);
          for (const q of p.quantiles) {
            const labels = withName(base, name, 'quantile', formatFloat(q.quantile));
            this.sample(labels, p.tMs, stale ? STALE_NAN : q.value, NO_EXEMPLARS, ct);
          }
        }
        return;
      case 'histogram':
        for (const delta of d.points) {
          const base = this.labels(delta.attributes, name);
          if (base === undefined) continue;
          const p = deltas === undefined ? delta : this.cumulative(deltas, 'histogram', name, base, delta);
          if (p === undefined) continue;
          const ct = created ? p.startMs : 0;
          if (this.settings.convertHistogramsToNHCB) this.nhcb(base, name, p, temporality, ct);
          else this.classic(base, name, p, ct);
        }
        return;
      case 'exponential_histogram':
        for (const delta of d.points) {
          if (delta.scale < -4) {
            this.reject(
              OTLP_ERROR_IDS.unsupportedMetric,
              `exponential histogram ${JSON.stringify(m.name)} has scale ${delta.scale}; native histograms need a scale of at least -4`,
              1,
            );
            continue;
          }
          const base = this.labels(delta.attributes, name);
          if (base === undefined) continue;
          const p = deltas === undefined ? delta : this.cumulative(deltas, 'exponential', name, base, delta);
          if (p === undefined) continue;
          const ct = created && (p.flags & FLAG_NO_RECORDED_VALUE) === 0 ? p.startMs : 0;
          const ex = this.exemplars(p.exemplars, p.tMs);
          this.histogram(withName(base, name), p.tMs, exponential(p, temporality), ex, ct);
        }
        return;
    }
  }

  /**
   * The running sum a delta point adds up to, or undefined when the point is refused (out of order,
   * the tenant's stream limit). A point flagged FLAG_NO_RECORDED_VALUE ends the stream and passes on
   * as a stale marker.
   */
  private cumulative<P extends NumberPoint | HistogramPoint | ExponentialHistogramPoint>(
    deltas: DeltaStreams,
    kind: 'number' | 'histogram' | 'exponential',
    name: string,
    base: Map<string, string>,
    p: P,
  ): P | undefined {
    let key = name;
    for (const [k, v] of base) key += `\xff${k}\xff${v}`;
    if (p.flags & FLAG_NO_RECORDED_VALUE) {
      deltas.end(key, kind);
      return p;
    }
    const c = (
      kind === 'number'
        ? deltas.number(key, p as NumberPoint)
        : kind === 'histogram'
          ? deltas.histogram(key, p as HistogramPoint)
          : deltas.exponential(key, p as ExponentialHistogramPoint)
    ) as Converted<P>;
    if ('point' in c) return c.point;
    const id = c.refused === 'limit' ? OTLP_ERROR_IDS.deltaStreamsLimit : OTLP_ERROR_IDS.deltaOutOfOrder;
    const k = `${id}\xff${name}`;
    const r = this.deltaRefusals.get(k);
    if (r !== undefined) r.points++;
    else this.deltaRefusals.set(k, { id, message: `metric ${JSON.stringify(name)}: ${c.message}`, points: 1 });
    return undefined;
  }

  /** createAttributes: sanitised point attributes (colliding names joined with ';'), promoted, job, instance. */
  private labels(attrs: OtlpAttributes, metric: string): Map<string, string> | undefined {
    const sorted = attrs.filter(([k]) => k !== '__name__').sort(byName);
    const out = new Map<string, string>();
    for (const [k, v] of sorted) {
      let n = this.labelNames.get(k);
      if (n === undefined) {
        n = buildLabelName(k, this.utf8);
        this.labelNames.set(k, n);
      }
      if ('error' in n) {
        this.reject(OTLP_ERROR_IDS.invalidName, `metric ${JSON.stringify(metric)}: ${n.error}`, 1);
        return undefined;
      }
      const prev = out.get(n.name);
      out.set(n.name, prev !== undefined && prev !== '' && !this.utf8 ? `${prev};${v}` : v);
    }
    for (const [k, v] of this.promoted) if (!out.get(k)) out.set(k, v);
    if (this.job !== '') out.set('job', this.job);
    if (this.instance !== '') out.set('instance', this.instance);
    return out;
  }

  private exemplars(es: OtlpExemplar[], t: number): WireExemplar[] {
    if (es.length === 0) return [];
    return es.map((e) => {
      const labels: string[] = [];
      let runes = 0;
      if (e.traceId !== '' && !/^0+$/.test(e.traceId)) {
        labels.push('trace_id', e.traceId);
        runes += 8 + e.traceId.length;
      }
      if (e.spanId !== '' && !/^0+$/.test(e.spanId)) {
        labels.push('span_id', e.spanId);
        runes += 7 + e.spanId.length;
      }
      for (const [k, v] of e.attributes) runes += [...k].length + [...v].length;
      if (runes <= MAX_EXEMPLAR_RUNES) for (const [k, v] of e.attributes) labels.push(k, v);
      return { labels, t: e.tMs > 0 ? e.tMs : t, v: e.value };
    });
  }

  /**
   * The series of a label set, merging points of one series within the request. The base labels
   * are sorted once per point (a classic histogram reuses them for every `_bucket`); the name and the
   * extra pair are put in place, replacing a base label of the same name (as Map.set did): no pair
   * objects and no sort per series. The key joins the labels with `ÿ`, which label text may hold
   * too (`a="xÿb", c="dÿe"` and `a="x", b="c", d="e"` join alike), so a hit is checked against the
   * labels, and label sets that collide are kept apart by their JSON.
   */
  private series_(l: NamedLabels): WireSeries {
    const flat = this.sortedBase(l.base).slice();
    put(flat, '__name__', l.name);
    if (l.extraName !== undefined) put(flat, l.extraName, l.extraValue!);
    let map = this.series;
    let key = flat.join('\xff');
    let s = map.get(key);
    if (s !== undefined && !sameStrings(s.labels, flat)) {
      map = this.collided;
      key = JSON.stringify(flat);
      s = map.get(key);
    }
    if (s === undefined) {
      s = { labels: flat, samples: [], histograms: [], exemplars: [] };
      map.set(key, s);
    }
    return s;
  }

  /** Series whose joined key another label set already holds (see series_), by their JSON. */
  private readonly collided = new Map<string, WireSeries>();

  private lastBase: Map<string, string> | undefined;
  private lastSorted: string[] = [];

  /** `base` as a flat `[name, value, …]` array sorted by name (cached for the last base). */
  private sortedBase(base: Map<string, string>): string[] {
    if (base === this.lastBase) return this.lastSorted;
    const names = [...base.keys()].sort();
    const flat = new Array<string>(names.length * 2);
    for (let i = 0; i < names.length; i++) {
      flat[2 * i] = names[i]!;
      flat[2 * i + 1] = base.get(names[i]!)!;
    }
    this.lastBase = base;
    this.lastSorted = flat;
    return flat;
  }

  /** `ct`: the point's start timestamp when it is to be kept as a created timestamp, else 0. */
  private sample(labels: NamedLabels, t: number, v: number, exemplars: readonly WireExemplar[] = NO_EXEMPLARS, ct = 0) {
    const s = this.series_(labels);
    s.samples.push({ t, v });
    for (const e of exemplars) s.exemplars.push(e);
    if (ct > 0 && ct < t) (s.createdTimestamps ??= []).push(ct);
  }

  private histogram(
    labels: NamedLabels,
    t: number,
    h: { h: FloatHistogram; integer: boolean },
    ex: WireExemplar[],
    ct = 0,
  ): void {
    const s = this.series_(labels);
    s.histograms.push({ t, h: h.h, integer: h.integer });
    for (const e of ex) s.exemplars.push(e);
    if (ct > 0 && ct < t) (s.createdTimestamps ??= []).push(ct);
  }

  private classic(base: Map<string, string>, name: string, p: HistogramPoint, created: number): void {
    const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
    const val = (v: number) => (stale ? STALE_NAN : v);
    const ct = stale ? 0 : created;
    if (p.sum !== undefined) this.sample(withName(base, `${name}_sum`), p.tMs, val(p.sum), NO_EXEMPLARS, ct);
    this.sample(withName(base, `${name}_count`), p.tMs, val(p.count), NO_EXEMPLARS, ct);
    const ex = this.exemplars(p.exemplars, p.tMs).sort((a, b) => a.v - b.v);
    let next = 0;
    let cumulative = 0;
    for (let i = 0; i < p.explicitBounds.length && i < p.bucketCounts.length; i++) {
      const bound = p.explicitBounds[i]!;
      cumulative += p.bucketCounts[i]!;
      const mine: WireExemplar[] = [];
      while (next < ex.length && ex[next]!.v <= bound) mine.push(ex[next++]!);
      this.sample(withName(base, `${name}_bucket`, 'le', formatFloat(bound)), p.tMs, val(cumulative), mine, ct);
    }
    this.sample(withName(base, `${name}_bucket`, 'le', '+Inf'), p.tMs, val(p.count), ex.slice(next), ct);
  }

  private nhcb(base: Map<string, string>, name: string, p: HistogramPoint, temporality: number, created: number): void {
    const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
    const bounds = p.explicitBounds.filter((b) => b !== Number.POSITIVE_INFINITY);
    const counts = p.bucketCounts.slice(0, bounds.length + 1);
    while (counts.length < bounds.length + 1) counts.push(0);
    const h: FloatHistogram = {
      counterResetHint: temporality === TEMPORALITY_DELTA ? 'gauge' : 'unknown',
      schema: -53,
      zeroThreshold: 0,
      zeroCount: 0,
      count: stale ? STALE_NAN : p.count,
      sum: stale ? STALE_NAN : (p.sum ?? 0),
      positiveSpans: counts.length > 0 ? [{ offset: 0, length: counts.length }] : [],
      negativeSpans: [],
      positiveBuckets: counts,
      negativeBuckets: [],
      customValues: bounds,
    };
    const ex = this.exemplars(p.exemplars, p.tMs);
    this.histogram(withName(base, name), p.tMs, { h, integer: !stale }, ex, stale ? 0 : created);
  }

  private targetInfo(attrs: OtlpAttributes, earliest: number, latest: number): void {
    const identifying = new Set([SERVICE_NAME, SERVICE_NAMESPACE, SERVICE_INSTANCE_ID]);
    const rest = attrs.filter(([k]) => !identifying.has(k));
    if (rest.length === 0 || (this.job === '' && this.instance === '')) return;
    const saved = this.promoted;
    this.promoted = [];
    const base = this.labels(rest, 'target_info');
    this.promoted = saved;
    if (base === undefined) return;
    if (!this.metadata.has('target_info')) {
      this.metadata.set('target_info', {
        metricFamilyName: 'target_info',
        type: 'gauge',
        help: 'Target metadata',
        unit: '',
      });
    }
    const labels = withName(base, 'target_info');
    const s = this.series_(labels);
    const seen = new Set(s.samples.map((x) => x.t));
    const add = (t: number) => {
      if (!seen.has(t)) {
        seen.add(t);
        s.samples.push({ t, v: 1 });
      }
    };
    for (let t = earliest; t < latest; t += TARGET_INFO_INTERVAL_MS) add(t);
    add(latest);
    s.samples.sort((a, b) => a.t - b.t);
  }
}

/** A series' labels before they are sorted: the point's labels plus its name (and one extra pair). */
interface NamedLabels {
  base: Map<string, string>;
  name: string;
  extraName: string | undefined;
  extraValue: string | undefined;
}

function withName(base: Map<string, string>, name: string, extraName?: string, extraValue?: string): NamedLabels {
  return { base, name, extraName, extraValue };
}

const byName = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Sets `name` in a flat label array sorted by name: replaces its value, or inserts it in order. */
function put(flat: string[], name: string, value: string): void {
  let i = 0;
  while (i < flat.length && flat[i]! < name) i += 2;
  if (flat[i] === name) flat[i + 1] = value;
  else flat.splice(i, 0, name, value);
}

/**
 * exponentialToNativeHistogram: OTel bucket i covers (base^i, base^(i+1)], Prometheus bucket i covers
 * (base^(i-1), base^i], so indexes shift by one; scales above 8 are merged down to 8. Counts stay
 * absolute (the wire model's FloatHistogram) and integer.
 */
function exponential(p: ExponentialHistogramPoint, temporality: number): { h: FloatHistogram; integer: boolean } {
  const scaleDown = p.scale > 8 ? p.scale - 8 : 0;
  const pos = layout(p.positive.offset, p.positive.bucketCounts, scaleDown);
  const neg = layout(p.negative.offset, p.negative.bucketCounts, scaleDown);
  const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
  return {
    integer: !stale,
    h: {
      counterResetHint: temporality === TEMPORALITY_DELTA ? 'gauge' : 'unknown',
      schema: Math.min(p.scale, 8),
      zeroThreshold: DEFAULT_ZERO_THRESHOLD,
      zeroCount: p.zeroCount,
      count: stale ? STALE_NAN : p.count,
      sum: stale ? STALE_NAN : (p.sum ?? 0),
      positiveSpans: pos.spans,
      negativeSpans: neg.spans,
      positiveBuckets: pos.counts,
      negativeBuckets: neg.counts,
    },
  };
}

/** Buckets at OTel `offset` (merged 2^scaleDown at a time) → Prometheus spans and absolute counts. */
function layout(offset: number, counts: number[], scaleDown: number): { spans: BucketSpan[]; counts: number[] } {
  const merged = new Map<number, number>();
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    const idx = Math.floor((offset + i) / 2 ** scaleDown) + 1;
    merged.set(idx, (merged.get(idx) ?? 0) + c);
  }
  const spans: BucketSpan[] = [];
  const out: number[] = [];
  let prev: number | undefined;
  for (const [idx, c] of [...merged.entries()].sort((a, b) => a[0] - b[0])) {
    if (prev === undefined) spans.push({ offset: idx, length: 0 });
    else {
      const gap = idx - prev - 1;
      if (gap > 2) spans.push({ offset: gap, length: 0 });
      else
        for (let g = 0; g < gap; g++) {
          spans[spans.length - 1]!.length++;
          out.push(0);
        }
    }
    spans[spans.length - 1]!.length++;
    out.push(c);
    prev = idx;
  }
  return { spans, counts: out };
}
