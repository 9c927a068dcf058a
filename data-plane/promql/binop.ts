import {
  type AddResult,
  addHistogram,
  compactHistogram,
  copyHistogram,
  divHistogram,
  ExecutionError,
  type FloatHistogram,
  HistogramIncompatibleSchemaError,
  histogramsEqual,
  Labels,
  mulHistogram,
  subHistogram,
  trimBuckets,
} from '../model/index.js';
import type { BinaryExpr, VectorMatching } from './ast.js';
import type { Evaluation as Evaluator } from './eval-api.js';

import { COMPARISON_OPS } from './parser.js';
import { dropMetricName, type EvalValue, newSeries, pushPoint, type SeriesOut, StepCursor } from './value.js';

const ARITH = new Set(['+', '-', '*', '/', '%', '^', 'atan2']);

/** Go's math.Pow differs from JS `**` for a few NaN/Inf cases. */
function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

/** Applies a float operator; comparisons return 1/0 (caller decides filtering). */
export function floatOp(op: string, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '%':
      return l % r;
    case '^':
      return goPow(l, r);
    case 'atan2':
      return Math.atan2(l, r);
    case '==':
      return l === r ? 1 : 0;
    case '!=':
      return l !== r ? 1 : 0;
    case '>':
      return l > r ? 1 : 0;
    case '<':
      return l < r ? 1 : 0;
    case '>=':
      return l >= r ? 1 : 0;
    case '<=':
      return l <= r ? 1 : 0;
  }
  throw new ExecutionError(`operator ${JSON.stringify(op)} not allowed for floats`);
}

export function evalBinary(ev: Evaluator, e: BinaryExpr): EvalValue {
  const l = ev.eval(e.lhs);
  const r = ev.eval(e.rhs);
  const op = e.op;
  const cmp = COMPARISON_OPS.has(op);
  if (l.kind === 'scalar' && r.kind === 'scalar') {
    const out = new Float64Array(ev.steps);
    for (let i = 0; i < ev.steps; i++) out[i] = floatOp(op, l.v[i]!, r.v[i]!);
    return { kind: 'scalar', v: out };
  }
  if (l.kind === 'vector' && r.kind === 'scalar')
    return { kind: 'vector', series: vectorScalar(ev, e, l.series, r.v, false, cmp) };
  if (l.kind === 'scalar' && r.kind === 'vector')
    return { kind: 'vector', series: vectorScalar(ev, e, r.series, l.v, true, cmp) };
  if (l.kind !== 'vector' || r.kind !== 'vector') throw new ExecutionError('invalid binary operand types');
  const vm = e.vectorMatching!;
  switch (op) {
    case 'and':
    case 'or':
    case 'unless':
      return { kind: 'vector', series: setOp(ev, op, vm, l.series, r.series) };
  }
  return { kind: 'vector', series: vectorVector(ev, e, l.series, r.series) };
}

function vectorScalar(
  ev: Evaluator,
  e: BinaryExpr,
  series: SeriesOut[],
  sc: Float64Array,
  swap: boolean,
  cmp: boolean,
): SeriesOut[] {
  const op = e.op;
  const out: SeriesOut[] = [];
  const drop = ARITH.has(op) || e.returnBool;
  for (const s of series) {
    const o = newSeries(s.metric, s.dropName || drop);
    for (let i = 0; i < s.t.length; i++) {
      const h = s.h?.[i];
      const t = s.t[i]!;
      const x = sc[ev.stepIndex(t)]!;
      const v = s.f[i]!;
      let keep = swap ? elemBinop(op, x, undefined, v, h) : elemBinop(op, v, h, x, undefined);
      // a warning comes with a result; anything else means none
      if (elem.err && elem.err.kind !== 'warn') {
        report(ev, e, elem.err, undefined);
        continue;
      }
      let f = elem.f;
      let rh = elem.h;
      // a scalar-vector comparison keeps the vector's value
      if (cmp && swap) {
        f = v;
        rh = h;
      }
      if (e.returnBool) {
        f = keep ? 1 : 0;
        keep = true;
      }
      if (keep) pushPoint(o, t, f, rh);
    }
    if (o.t.length > 0) out.push(o);
  }
  return out;
}

/** Result slot of one element-wise operation (avoids allocating per sample). */
const elem = {
  f: 0,
  h: undefined as FloatHistogram | undefined,
  /** An annotation that comes with a kept result (mismatched custom bounds reconciled). */
  info: undefined as string | undefined,
  /** Why the pair has no result, or a warning that drops it (Prometheus's returned error). */
  err: undefined as BinopError | undefined,
};

interface BinopError {
  kind: 'info' | 'warn' | 'incompatible-schema';
  msg: string;
}

function incompatibleTypes(l: string, op: string, r: string): BinopError {
  return {
    kind: 'info',
    msg: `incompatible sample types encountered for binary operator ${JSON.stringify(op)}: ${l} ${op} ${r}`,
  };
}

/**
 * Applies `op` to (a, ah) and (b, bh) where a side is a histogram when its `h` is set, as Prometheus's
 * vectorElemBinop does: the result goes to `elem`, the return value says whether to keep it
 * (comparisons filter); `elem.err` is set when the pair has no result.
 */
function elemBinop(
  op: string,
  a: number,
  ah: FloatHistogram | undefined,
  b: number,
  bh: FloatHistogram | undefined,
): boolean {
  elem.h = undefined;
  elem.info = undefined;
  elem.err = undefined;
  if (!ah && !bh) {
    switch (op) {
      case '==':
      case '!=':
      case '>':
      case '<':
      case '>=':
      case '<=':
        elem.f = a;
        return floatOp(op, a, b) === 1;
      case '</':
      case '>/':
        elem.err = incompatibleTypes('float', op, 'float');
        return false;
    }
    elem.f = floatOp(op, a, b);
    return true;
  }
  elem.f = 0;
  if (!ah) {
    if (op === '*') {
      elem.h = compactHistogram(mulHistogram(copyHistogram(bh!), a));
      return true;
    }
    elem.err = incompatibleTypes('float', op, 'histogram');
    return false;
  }
  if (!bh) {
    switch (op) {
      case '*':
        elem.h = compactHistogram(mulHistogram(copyHistogram(ah), b));
        return true;
      case '/':
        elem.h = compactHistogram(divHistogram(copyHistogram(ah), b));
        return true;
      case '</':
      case '>/':
        elem.h = trimBuckets(copyHistogram(ah), b, op === '</');
        return true;
    }
    elem.err = incompatibleTypes('histogram', op, 'float');
    return false;
  }
  switch (op) {
    case '+':
    case '-': {
      const h = copyHistogram(ah);
      let r: AddResult;
      try {
        r = op === '+' ? addHistogram(h, bh) : subHistogram(h, bh);
      } catch (err) {
        if (!(err instanceof HistogramIncompatibleSchemaError)) throw err;
        elem.err = { kind: 'incompatible-schema', msg: '' };
        return false;
      }
      const what = op === '+' ? 'addition' : 'subtraction';
      // a difference is a gauge, whatever its inputs were
      if (op === '-') h.counterResetHint = 'gauge';
      if (r.counterResetCollision)
        elem.err = { kind: 'warn', msg: `conflicting counter resets during histogram ${what}` };
      if (r.nhcbBoundsReconciled) elem.info = `mismatched custom buckets were reconciled during ${what}`;
      elem.h = compactHistogram(h);
      return true;
    }
    case '==':
    case '!=':
      elem.h = ah;
      return histogramsEqual(ah, bh) === (op === '==');
  }
  elem.err = incompatibleTypes('histogram', op, 'histogram');
  return false;
}

/** Reports a pair's annotation (Prometheus's handleVectorBinopError). */
function report(ev: Evaluator, e: BinaryExpr, err: BinopError | undefined, info: string | undefined): void {
  if (info) ev.ctx.info(info, e.pos);
  if (!err) return;
  if (err.kind === 'info') ev.ctx.info(err.msg, e.pos);
  else if (err.kind === 'warn') ev.ctx.warn(err.msg, e.pos);
  else ev.ctx.warn(`incompatible bucket layout encountered for binary operator ${e.op}`, e.pos);
}

/** Prometheus's match signature: `on` keeps the listed labels, `ignoring` drops them and the name. */
function signatureFn(vm: VectorMatching): (l: Labels) => string {
  if (vm.on) {
    const names = [...vm.matchingLabels].sort();
    return (l) => {
      let s = '';
      for (const n of names) s += `${n}\xff${l.get(n)}\xff`;
      return s;
    };
  }
  const drop = [...vm.matchingLabels, '__name__'];
  return (l) => l.without(drop).key();
}

function setOp(ev: Evaluator, op: string, vm: VectorMatching, lhs: SeriesOut[], rhs: SeriesOut[]): SeriesOut[] {
  const sig = signatureFn(vm);
  const sl = lhs.map((s) => sig(s.metric));
  const sr = rhs.map((s) => sig(s.metric));
  const lo = lhs.map((s) => newSeries(s.metric, s.dropName));
  const ro = rhs.map((s) => newSeries(s.metric, s.dropName));
  const cl = new StepCursor(lhs);
  const cr = new StepCursor(rhs);
  for (let i = 0; i < ev.steps; i++) {
    const t = ev.ts(i);
    const rsigs = new Set<string>();
    const lsigs = new Set<string>();
    const rp = rhs.map((_, k) => cr.at(k, t));
    rp.forEach((p, k) => {
      if (p >= 0) rsigs.add(sr[k]!);
    });
    for (let k = 0; k < lhs.length; k++) {
      const p = cl.at(k, t);
      if (p < 0) continue;
      const s = lhs[k]!;
      lsigs.add(sl[k]!);
      const inR = rsigs.has(sl[k]!);
      if (op === 'or' || (op === 'and' && inR) || (op === 'unless' && !inR)) pushPoint(lo[k]!, t, s.f[p]!, s.h?.[p]);
    }
    if (op === 'or') {
      rp.forEach((p, k) => {
        if (p >= 0 && !lsigs.has(sr[k]!)) pushPoint(ro[k]!, t, rhs[k]!.f[p]!, rhs[k]!.h?.[p]);
      });
    }
  }
  return mergeOutputs([...lo, ...ro]);
}

/** Merges output series with equal labels (or drops empties); same labels at the same step is an error. */
function mergeOutputs(series: SeriesOut[]): SeriesOut[] {
  const byKey = new Map<string, SeriesOut>();
  const out: SeriesOut[] = [];
  for (const s of series) {
    if (s.t.length === 0) continue;
    const key = s.metric.key();
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, s);
      out.push(s);
      continue;
    }
    const merged = newSeries(prev.metric, prev.dropName);
    let a = 0;
    let b = 0;
    while (a < prev.t.length || b < s.t.length) {
      const ta = a < prev.t.length ? prev.t[a]! : Number.POSITIVE_INFINITY;
      const tb = b < s.t.length ? s.t[b]! : Number.POSITIVE_INFINITY;
      if (ta === tb) throw new ExecutionError('vector cannot contain metrics with the same labelset');
      if (ta < tb) {
        pushPoint(merged, ta, prev.f[a]!, prev.h?.[a]);
        a++;
      } else {
        pushPoint(merged, tb, s.f[b]!, s.h?.[b]);
        b++;
      }
    }
    out[out.indexOf(prev)] = merged;
    byKey.set(key, merged);
  }
  return out;
}

function labelsString(l: Labels): string {
  const parts: string[] = [];
  l.forEach((n, v) => {
    parts.push(`${n}=${JSON.stringify(v)}`);
  });
  return `{${parts.join(', ')}}`;
}

function vectorVector(ev: Evaluator, e: BinaryExpr, lhs: SeriesOut[], rhs: SeriesOut[]): SeriesOut[] {
  const vm = e.vectorMatching!;
  const op = e.op;
  const swap = vm.card === 'one-to-many';
  const many = swap ? rhs : lhs;
  const one = swap ? lhs : rhs;
  const sig = signatureFn(vm);
  const sMany = many.map((s) => sig(s.metric));
  const sOne = one.map((s) => sig(s.metric));
  const cMany = new StepCursor(many);
  const cOne = new StepCursor(one);
  const drop = ARITH.has(op) || e.returnBool;
  const outByKey = new Map<string, SeriesOut>();
  const outList: SeriesOut[] = [];
  const outCache = new Map<number, SeriesOut>();
  // Prometheus applies fill_left to the "many" side and fill_right to the "one" side, also for group_right
  const fillMany = vm.fillLeft;
  const fillOne = vm.fillRight;
  // signatures as small integers so per-step bookkeeping is typed arrays with step stamps
  const sigIds = new Map<string, number>();
  const idOf = (sg: string) => {
    let id = sigIds.get(sg);
    if (id === undefined) {
      id = sigIds.size;
      sigIds.set(sg, id);
    }
    return id;
  };
  const idMany = Int32Array.from(sMany, idOf);
  const idOne = Int32Array.from(sOne, idOf);
  const nSig = sigIds.size;
  const oneStamp = new Int32Array(nSig);
  const oneK = new Int32Array(nSig);
  const oneP = new Int32Array(nSig);
  const matchedStamp = new Int32Array(nSig);
  const usedStamp = new Int32Array(nSig);
  const width = one.length + 1;
  for (let i = 0; i < ev.steps; i++) {
    ev.ctx.check();
    const t = ev.ts(i);
    const stamp = i + 1;
    // Prometheus returns at once when either side is empty at this step, before looking for
    // duplicates: `nosuch * on(job) group_left x` is empty, never an error (found by the PromQL
    // differential fuzzer, issue #24). An empty "one" side cannot hold duplicates anyway.
    if (fillMany === undefined && fillOne === undefined && !anyPointAt(cMany, many.length, t)) continue;
    for (let k = 0; k < one.length; k++) {
      const p = cOne.at(k, t);
      if (p < 0) continue;
      const id = idOne[k]!;
      if (oneStamp[id] === stamp) {
        const side = swap ? 'left' : 'right';
        const a = one[oneK[id]!]!.metric;
        const b = one[k]!.metric;
        const [x, y] = Labels.compare(a, b) <= 0 ? [a, b] : [b, a];
        throw new ExecutionError(
          `found duplicate series for the match group ${matchGroupString(vm, one[k]!.metric)} on the ${side} hand-side of the operation: [${labelsString(x)}, ${labelsString(y)}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      oneStamp[id] = stamp;
      oneK[id] = k;
      oneP[id] = p;
    }
    for (let k = 0; k < many.length; k++) {
      const p = cMany.at(k, t);
      if (p < 0) continue;
      const id = idMany[k]!;
      const found = oneStamp[id] === stamp;
      const mk = found ? oneK[id]! : -1;
      let rv: number;
      let rh: FloatHistogram | undefined;
      let rMetric: Labels | undefined;
      if (!found) {
        if (fillOne === undefined) continue;
        rv = fillOne;
      } else {
        const os = one[mk]!;
        const op2 = oneP[id]!;
        rv = os.f[op2]!;
        rh = os.h?.[op2];
        rMetric = os.metric;
        usedStamp[id] = stamp;
      }
      const ms = many[k]!;
      const lh = ms.h?.[p];
      const lv = ms.f[p]!;
      const keep = swap ? elemBinop(op, rv, rh, lv, lh) : elemBinop(op, lv, lh, rv, rh);
      if (elem.err) {
        report(ev, e, elem.err, undefined);
        continue;
      }
      if (elem.info) report(ev, e, undefined, elem.info);
      if (vm.card === 'one-to-one') {
        if (matchedStamp[id] === stamp && found) {
          throw new ExecutionError(
            'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
          );
        }
        matchedStamp[id] = stamp;
      }
      let value = elem.f;
      let valueH = elem.h;
      if (e.returnBool) {
        value = keep ? 1 : 0;
        valueH = undefined;
      } else if (!keep) continue;
      // the output series for this (many, one) pair, resolved once
      const cacheKey = k * width + mk + 1;
      let o = outCache.get(cacheKey);
      if (!o) {
        const metric = resultMetric(ms.metric, rMetric, vm);
        const key = metric.key();
        o = outByKey.get(key);
        if (!o) {
          o = newSeries(metric, ms.dropName || drop);
          outByKey.set(key, o);
          outList.push(o);
        }
        outCache.set(cacheKey, o);
      }
      if (o.t.length > 0 && o.t[o.t.length - 1] === t) {
        if (vm.card === 'one-to-one') throw new ExecutionError('vector cannot contain metrics with the same labelset');
        throw new ExecutionError('multiple matches for labels: grouping labels must ensure unique matches');
      }
      pushPoint(o, t, value, valueH);
    }
    if (fillMany !== undefined) {
      for (let id = 0; id < nSig; id++) {
        if (oneStamp[id] !== stamp || usedStamp[id] === stamp) continue;
        const k = oneK[id]!;
        const p = oneP[id]!;
        const os = one[k]!;
        const oh = os.h?.[p];
        const keep = swap
          ? elemBinop(op, os.f[p]!, oh, fillMany, undefined)
          : elemBinop(op, fillMany, undefined, os.f[p]!, oh);
        if (elem.err) {
          report(ev, e, elem.err, undefined);
          continue;
        }
        let value = elem.f;
        let valueH = elem.h;
        if (e.returnBool) {
          value = keep ? 1 : 0;
          valueH = undefined;
        } else if (!keep) continue;
        // the "many" side is missing: the result is built from the other side's labels
        const metric = dropMetricName(vm.on ? os.metric.keep(vm.matchingLabels) : os.metric.without(vm.matchingLabels));
        const key = metric.key();
        let o = outByKey.get(key);
        if (!o) {
          o = newSeries(metric, os.dropName || drop);
          outByKey.set(key, o);
          outList.push(o);
        }
        if (o.t.length > 0 && o.t[o.t.length - 1] === t)
          throw new ExecutionError('vector cannot contain metrics with the same labelset');
        pushPoint(o, t, value, valueH);
      }
    }
  }
  return outList;
}

function anyPointAt(c: StepCursor, n: number, t: number): boolean {
  for (let k = 0; k < n; k++) if (c.at(k, t) >= 0) return true;
  return false;
}

function matchGroupString(vm: VectorMatching, l: Labels): string {
  if (vm.on) return labelsString(l.keep(vm.matchingLabels));
  return labelsString(dropMetricName(l).without(vm.matchingLabels));
}

function resultMetric(lhs: Labels, rhs: Labels | undefined, vm: VectorMatching): Labels {
  let m = lhs;
  if (vm.card === 'one-to-one') {
    if (vm.on) m = m.keep(vm.matchingLabels);
    else m = m.without(vm.matchingLabels);
  }
  if (vm.include.length > 0 && rhs) {
    const b = m.builder();
    for (const n of vm.include) b.set(n, rhs.get(n));
    m = b.labels();
  }
  return m;
}
