/**
 * An OTLP metrics export request (opentelemetry-proto `ExportMetricsServiceRequest`) as both decoders
 * (protobuf and JSON) produce it: attribute values already rendered as strings (pcommon's
 * `AsString`), timestamps in integer milliseconds (nanoseconds truncated exactly), trace and span IDs
 * as lowercase hex. Nothing here is validated yet; the translator decides what is kept.
 */
export interface OtlpRequest {
  resourceMetrics: OtlpResourceMetrics[];
}

/** `[key, value]` pairs in the order sent (duplicates possible). */
export type OtlpAttributes = [string, string][];

export interface OtlpResourceMetrics {
  attributes: OtlpAttributes;
  scopeMetrics: OtlpScopeMetrics[];
}

export interface OtlpScopeMetrics {
  scopeName: string;
  scopeVersion: string;
  metrics: OtlpMetric[];
}

export const TEMPORALITY_UNSPECIFIED = 0;
export const TEMPORALITY_DELTA = 1;
export const TEMPORALITY_CUMULATIVE = 2;
/** DataPointFlags.FLAG_NO_RECORDED_VALUE: the point marks a series gone (a Prometheus stale marker). */
export const FLAG_NO_RECORDED_VALUE = 1;

export type OtlpData =
  | { kind: 'gauge'; points: NumberPoint[] }
  | { kind: 'sum'; points: NumberPoint[]; temporality: number; monotonic: boolean }
  | { kind: 'histogram'; points: HistogramPoint[]; temporality: number }
  | { kind: 'exponential_histogram'; points: ExponentialHistogramPoint[]; temporality: number }
  | { kind: 'summary'; points: SummaryPoint[] }
  | { kind: 'none' };

export interface OtlpMetric {
  name: string;
  description: string;
  unit: string;
  data: OtlpData;
}

interface PointBase {
  attributes: OtlpAttributes;
  /** ms; 0 when unset. */
  startMs: number;
  tMs: number;
  flags: number;
}

export interface OtlpExemplar {
  attributes: OtlpAttributes;
  tMs: number;
  value: number;
  traceId: string;
  spanId: string;
}

export interface NumberPoint extends PointBase {
  value: number;
  exemplars: OtlpExemplar[];
}

export interface HistogramPoint extends PointBase {
  count: number;
  sum: number | undefined;
  bucketCounts: number[];
  explicitBounds: number[];
  exemplars: OtlpExemplar[];
}

export interface ExponentialBuckets {
  offset: number;
  bucketCounts: number[];
}

export interface ExponentialHistogramPoint extends PointBase {
  count: number;
  sum: number | undefined;
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  positive: ExponentialBuckets;
  negative: ExponentialBuckets;
  exemplars: OtlpExemplar[];
}

export interface SummaryPoint extends PointBase {
  count: number;
  sum: number;
  quantiles: { quantile: number; value: number }[];
}

/** Data points a metric carries, for partial-success counts. */
export function pointCount(d: OtlpData): number {
  return d.kind === 'none' ? 0 : d.points.length;
}
