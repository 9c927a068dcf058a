import { type FloatHistogram, isStaleNaN, Labels } from '../../model/index.js';
import type { PromValue } from '../engine.js';
import { compactHistogram, histogramString } from './histogram-notation.js';
import type { EvalCmd, SeqValue } from './script.js';

const MIN_NORMAL = 2.2250738585072014e-308;

/** util/almost.Equal with epsilon 1e-6 (NaN equals NaN; stale markers only equal each other). */
export function almostEqual(a: number, b: number, eps = 1e-6): boolean {
  if (isStaleNaN(a) || isStaleNaN(b)) return isStaleNaN(a) && isStaleNaN(b);
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const diff = Math.abs(a - b);
  const sum = Math.abs(a) + Math.abs(b);
  if (a === 0 || b === 0 || sum < MIN_NORMAL) return diff < eps * MIN_NORMAL;
  return diff / Math.min(sum, Number.MAX_VALUE) < eps;
}

function histEqual(exp: FloatHistogram, hintGiven: boolean, got: FloatHistogram): boolean {
  if (exp.schema !== got.schema) return false;
  if (
    !almostEqual(exp.count, got.count) ||
    !almostEqual(exp.sum, got.sum) ||
    !almostEqual(exp.zeroCount, got.zeroCount)
  )
    return false;
  if (exp.zeroThreshold !== got.zeroThreshold) return false;
  if (exp.schema === -53 && JSON.stringify(exp.customValues ?? []) !== JSON.stringify(got.customValues ?? []))
    return false;
  const a = compactHistogram(exp);
  const b = compactHistogram(got);
  for (const [x, y] of [
    [a.pos, b.pos],
    [a.neg, b.neg],
  ] as const) {
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) {
      if (x[i]![0] !== y[i]![0] || !almostEqual(x[i]![1], y[i]![1])) return false;
    }
  }
  if (hintGiven && exp.counterResetHint !== got.counterResetHint) return false;
  return true;
}

function valueEqual(exp: SeqValue, got: { v?: number; h?: FloatHistogram }): string | undefined {
  if (!exp) return 'unexpected point';
  if ('f' in exp) {
    if (got.h) return `expected float ${exp.f}, got histogram ${histogramString(got.h)}`;
    return almostEqual(exp.f, got.v!) ? undefined : `expected ${exp.f}, got ${got.v}`;
  }
  if (!got.h) return `expected histogram ${histogramString(exp.h)}, got float ${got.v}`;
  return histEqual(exp.h, exp.hintGiven, got.h)
    ? undefined
    : `expected ${histogramString(exp.h)}, got ${histogramString(got.h)}`;
}

/** Compares a query result with an eval's expectations; returns a failure description or undefined. */
export function compareResult(cmd: EvalCmd, value: PromValue, ordered: boolean): string | undefined {
  if (cmd.expectedString !== undefined) {
    if (value.type !== 'string') return `expected string, got ${value.type}`;
    return value.v === cmd.expectedString
      ? undefined
      : `expected string ${JSON.stringify(cmd.expectedString)}, got ${JSON.stringify(value.v)}`;
  }
  if (value.type === 'scalar') {
    if (cmd.expectedScalar === undefined) return `unexpected scalar result ${value.v}`;
    return almostEqual(cmd.expectedScalar, value.v)
      ? undefined
      : `expected scalar ${cmd.expectedScalar}, got ${value.v}`;
  }
  if (cmd.expectedScalar !== undefined) return `expected scalar ${cmd.expectedScalar}, got ${value.type}`;
  if (value.type === 'string') return 'unexpected string result';
  if (value.type === 'matrix') {
    if (ordered) return 'expected ordered result, but query returned a matrix';
    for (let i = 1; i < value.series.length; i++) {
      if (Labels.compare(value.series[i - 1]!.labels, value.series[i]!.labels) >= 0)
        return 'matrix result is not sorted by labels';
    }
    const grid = cmd.rangeVector ?? { start: cmd.start, end: cmd.end, step: cmd.step };
    const exp = new Map(cmd.expectedSeries.map((s) => [s.labels.key(), s]));
    if (exp.size !== value.series.length) {
      return `expected ${exp.size} series, got ${value.series.length}: ${value.series.map((s) => s.labels.toString()).join(' ')}`;
    }
    for (const s of value.series) {
      const e = exp.get(s.labels.key());
      if (!e) return `unexpected series ${s.labels.toString()}`;
      const ef: [number, SeqValue][] = [];
      const eh: [number, SeqValue][] = [];
      e.values.forEach((v, i) => {
        if (!v) return;
        const t = grid.start + i * (grid.step || 1);
        if ('f' in v) ef.push([t, v]);
        else eh.push([t, v]);
      });
      if (ef.length !== s.floats.length) {
        return `series ${s.labels.toString()}: expected ${ef.length} float points, got ${s.floats.length}: ${JSON.stringify(s.floats.map((p) => [p.t, p.v]))}`;
      }
      if (eh.length !== s.histograms.length)
        return `series ${s.labels.toString()}: expected ${eh.length} histogram points, got ${s.histograms.length}`;
      for (let i = 0; i < ef.length; i++) {
        const [t, v] = ef[i]!;
        if (s.floats[i]!.t !== t) return `series ${s.labels.toString()}: expected point at ${t}, got ${s.floats[i]!.t}`;
        const d = valueEqual(v, { v: s.floats[i]!.v });
        if (d) return `series ${s.labels.toString()} at ${t}: ${d}`;
      }
      for (let i = 0; i < eh.length; i++) {
        const [t, v] = eh[i]!;
        if (s.histograms[i]!.t !== t)
          return `series ${s.labels.toString()}: expected histogram at ${t}, got ${s.histograms[i]!.t}`;
        const d = valueEqual(v, { h: s.histograms[i]!.h });
        if (d) return `series ${s.labels.toString()} at ${t}: ${d}`;
      }
    }
    return undefined;
  }
  // vector
  const exp = cmd.expectedSeries;
  if (exp.length !== value.samples.length) {
    return `expected ${exp.length} samples, got ${value.samples.length}: ${value.samples.map((s) => `${s.labels.toString()}=${s.h ? histogramString(s.h) : s.v}`).join(' ')}`;
  }
  const byKey = new Map(exp.map((s, i) => [s.labels.key(), i]));
  for (let k = 0; k < value.samples.length; k++) {
    const s = value.samples[k]!;
    const i = byKey.get(s.labels.key());
    if (i === undefined) return `unexpected sample ${s.labels.toString()}`;
    if (ordered && i !== k) return `sample ${s.labels.toString()} at position ${k + 1}, expected ${i + 1}`;
    const e = exp[i]!;
    if (e.values.length !== 1) return `expected one value for ${e.labels.toString()} in an instant query`;
    const d = valueEqual(e.values[0], s);
    if (d) return `sample ${s.labels.toString()}: ${d}`;
  }
  return undefined;
}
