/**
 * Compares two query API answers the way a user would: the same error-or-not, the same result type,
 * the same series (label sets, order ignored), the same timestamps, and values equal up to float
 * summation order (relative 1e-9, absolute 1e-9: Prometheus 3.x sums with Kahan compensation where
 * 2.42 adds plainly). Error messages are not compared: they are worded differently by design.
 */

export interface Answer {
  status: number;
  text: string;
}

export interface Normal {
  error?: string;
  type?: string;
  series: Map<string, [number, string][]>;
}

export function normalize(a: Answer): Normal {
  let body: {
    status?: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  try {
    body = JSON.parse(a.text);
  } catch {
    return { error: `not JSON (${a.status})`, series: new Map() };
  }
  if (a.status !== 200 || body.status !== 'success' || !body.data)
    return { error: `${a.status} ${body.error ?? ''}`, series: new Map() };
  const series = new Map<string, [number, string][]>();
  const { resultType, result } = body.data;
  const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort((x, y) => (x[0] < y[0] ? -1 : 1)));
  if (resultType === 'vector') {
    for (const s of result as { metric: Record<string, string>; value: [number, string] }[]) {
      const k = key(s.metric);
      if (series.has(k)) return { error: `duplicate series ${k}`, series };
      series.set(k, [s.value]);
    }
  } else if (resultType === 'matrix') {
    for (const s of result as { metric: Record<string, string>; values: [number, string][] }[])
      series.set(key(s.metric), s.values);
  } else if (resultType === 'scalar' || resultType === 'string') {
    series.set('', [result as [number, string]]);
  }
  return { type: resultType, series };
}

export function close(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  return Math.abs(x - y) <= 1e-9 + 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

/** Undefined when the answers agree, else what differs first. */
export function difference(ours: Answer, theirs: Answer): string | undefined {
  const a = normalize(ours);
  const b = normalize(theirs);
  if (a.error !== undefined || b.error !== undefined) {
    if (a.error !== undefined && b.error !== undefined) return undefined;
    return a.error !== undefined
      ? `only ours fails: ${a.error.slice(0, 300)}`
      : `only Prometheus fails: ${b.error!.slice(0, 300)}`;
  }
  if (a.type !== b.type) return `result type ${a.type} vs ${b.type}`;
  for (const k of a.series.keys()) if (!b.series.has(k)) return `series ${k} only in ours`;
  for (const k of b.series.keys()) if (!a.series.has(k)) return `series ${k} only in Prometheus`;
  for (const [k, xs] of a.series) {
    const ys = b.series.get(k)!;
    if (xs.length !== ys.length) return `series ${k}: ${xs.length} points vs ${ys.length}`;
    for (let i = 0; i < xs.length; i++) {
      if (Math.abs(xs[i]![0] - ys[i]![0]) > 1e-6) return `series ${k}: point ${i} at ${xs[i]![0]} vs ${ys[i]![0]}`;
      if (!close(xs[i]![1], ys[i]![1])) return `series ${k} at ${xs[i]![0]}: ${xs[i]![1]} vs ${ys[i]![1]}`;
    }
  }
  return undefined;
}

/**
 * The values of a successful answer by timestamp, sorted (NaN last), labels dropped; undefined for
 * an error.
 */
export function valuesPerTime(a: Answer): Map<number, string[]> | undefined {
  const n = normalize(a);
  if (n.error !== undefined) return undefined;
  const out = new Map<number, string[]>();
  for (const points of n.series.values()) {
    for (const [t, v] of points) {
      const vs = out.get(t) ?? [];
      vs.push(v);
      out.set(t, vs);
    }
  }
  const num = (v: string) => (Number.isNaN(Number(v)) ? Number.POSITIVE_INFINITY : Number(v));
  for (const vs of out.values()) vs.sort((x, y) => num(x) - num(y) || (x < y ? -1 : x > y ? 1 : 0));
  return out;
}
