import { type BucketSpan, type CounterResetHint, emptyHistogram, type FloatHistogram } from '../../model/index.js';

/** A parsed `{{...}}` histogram plus whether its counter-reset hint was spelled out. */
export interface ParsedHistogram {
  h: FloatHistogram;
  hintGiven: boolean;
}

function parseNum(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf') return Number.POSITIVE_INFINITY;
  if (l === '-inf') return Number.NEGATIVE_INFINITY;
  if (l === 'nan') return Number.NaN;
  const v = Number(s.replaceAll('_', ''));
  if (s.trim() === '' || Number.isNaN(v)) throw new Error(`invalid number ${JSON.stringify(s)} in histogram`);
  return v;
}

/** Parses the inside of `{{ ... }}`. */
export function parseHistogram(body: string): ParsedHistogram {
  const h: FloatHistogram = emptyHistogram();
  let hintGiven = false;
  let offset = 0;
  let nOffset = 0;
  const seen = new Set<string>();
  const re = /([a-zA-Z_]+):(\[[^\]]*\]|\S+)/g;
  const rest = body.replace(re, (_m, k: string, v: string) => {
    const key = k.toLowerCase();
    if (seen.has(key)) throw new Error(`duplicate key ${key} in histogram`);
    seen.add(key);
    const list = () =>
      v
        .slice(1, -1)
        .trim()
        .split(/\s+/)
        .filter((x) => x !== '')
        .map(parseNum);
    switch (key) {
      case 'schema':
        h.schema = parseNum(v);
        break;
      case 'sum':
        h.sum = parseNum(v);
        break;
      case 'count':
        h.count = parseNum(v);
        break;
      case 'z_bucket':
        h.zeroCount = parseNum(v);
        break;
      case 'z_bucket_w':
        h.zeroThreshold = parseNum(v);
        break;
      case 'buckets':
        h.positiveBuckets = list();
        break;
      case 'n_buckets':
        h.negativeBuckets = list();
        break;
      case 'offset':
        offset = parseNum(v);
        break;
      case 'n_offset':
        nOffset = parseNum(v);
        break;
      case 'custom_values':
        h.customValues = list();
        break;
      case 'counter_reset_hint':
        h.counterResetHint = v as CounterResetHint;
        hintGiven = true;
        break;
      default:
        throw new Error(`unknown histogram key ${key}`);
    }
    return '';
  });
  if (rest.trim() !== '') throw new Error(`invalid histogram ${JSON.stringify(body)}`);
  if (h.positiveBuckets.length > 0) h.positiveSpans = [{ offset, length: h.positiveBuckets.length }];
  if (h.negativeBuckets.length > 0) h.negativeSpans = [{ offset: nOffset, length: h.negativeBuckets.length }];
  return { h, hintGiven };
}

function toMap(spans: BucketSpan[], buckets: number[]): Map<number, number> {
  const m = new Map<number, number>();
  let idx = 0;
  let bi = 0;
  for (const s of spans) {
    idx += s.offset;
    for (let k = 0; k < s.length; k++) m.set(idx++, buckets[bi++] ?? 0);
  }
  return m;
}

function fromMap(m: Map<number, number>): { spans: BucketSpan[]; buckets: number[] } {
  const idxs = [...m.keys()].sort((a, b) => a - b);
  const spans: BucketSpan[] = [];
  const buckets: number[] = [];
  let prevEnd: number | undefined;
  for (const i of idxs) {
    if (prevEnd !== undefined && i === prevEnd) spans[spans.length - 1]!.length++;
    else spans.push({ offset: prevEnd === undefined ? i : i - prevEnd, length: 1 });
    buckets.push(m.get(i)!);
    prevEnd = i + 1;
  }
  return { spans, buckets };
}

/** Reduces bucket indices from `from` schema to coarser `to` schema. */
function reduce(m: Map<number, number>, from: number, to: number): Map<number, number> {
  if (from === to) return m;
  const f = 2 ** (from - to);
  const out = new Map<number, number>();
  for (const [i, c] of m) {
    const j = Math.ceil(i / f);
    out.set(j, (out.get(j) ?? 0) + c);
  }
  return out;
}

function combineHints(a: CounterResetHint, b: CounterResetHint): CounterResetHint {
  if (a === b) return a;
  if (a === 'gauge' || b === 'gauge') return 'gauge';
  return 'unknown';
}

/** Histogram addition/subtraction as used by `{{A}}+{{B}}xN` sequences (same schema family). */
export function addHistograms(a: FloatHistogram, b: FloatHistogram, sign: 1 | -1): FloatHistogram {
  if ((a.schema === -53) !== (b.schema === -53)) throw new Error('cannot mix custom and exponential histograms');
  if (a.schema !== -53 && a.schema > b.schema) throw new Error(`cannot merge from schema ${b.schema} to ${a.schema}`);
  const schema = a.schema;
  const add = (x: Map<number, number>, y: Map<number, number>) => {
    const out = new Map(x);
    for (const [i, c] of y) out.set(i, (out.get(i) ?? 0) + sign * c);
    return out;
  };
  const bp =
    schema === -53
      ? toMap(b.positiveSpans, b.positiveBuckets)
      : reduce(toMap(b.positiveSpans, b.positiveBuckets), b.schema, schema);
  const bn =
    schema === -53
      ? toMap(b.negativeSpans, b.negativeBuckets)
      : reduce(toMap(b.negativeSpans, b.negativeBuckets), b.schema, schema);
  const pos = fromMap(add(toMap(a.positiveSpans, a.positiveBuckets), bp));
  const neg = fromMap(add(toMap(a.negativeSpans, a.negativeBuckets), bn));
  const out: FloatHistogram = {
    counterResetHint: combineHints(a.counterResetHint, b.counterResetHint),
    schema,
    zeroThreshold: Math.max(a.zeroThreshold, b.zeroThreshold),
    zeroCount: a.zeroCount + sign * b.zeroCount,
    count: a.count + sign * b.count,
    sum: a.sum + sign * b.sum,
    positiveSpans: pos.spans,
    positiveBuckets: pos.buckets,
    negativeSpans: neg.spans,
    negativeBuckets: neg.buckets,
  };
  if (a.customValues) out.customValues = a.customValues;
  return out;
}

/** Removes empty buckets and merges spans (for comparisons). */
export function compactHistogram(h: FloatHistogram): { pos: [number, number][]; neg: [number, number][] } {
  const p = [...toMap(h.positiveSpans, h.positiveBuckets)].filter(([, c]) => c !== 0).sort((a, b) => a[0] - b[0]);
  const n = [...toMap(h.negativeSpans, h.negativeBuckets)].filter(([, c]) => c !== 0).sort((a, b) => a[0] - b[0]);
  return { pos: p, neg: n };
}

/** Prometheus-like text form for failure messages. */
export function histogramString(h: FloatHistogram): string {
  const c = compactHistogram(h);
  return `{{schema:${h.schema} count:${h.count} sum:${h.sum} z_bucket:${h.zeroCount} pos:${JSON.stringify(c.pos)} neg:${JSON.stringify(c.neg)}${h.customValues ? ` custom_values:${JSON.stringify(h.customValues)}` : ''} hint:${h.counterResetHint}}}`;
}
