import type { FloatHistogram, Labels } from '../../model/index.js';
import { detectReset } from '../../model/index.js';
import type { Appendable, Queryable } from '../../storage/index.js';
import type { Expr } from '../ast.js';
import { children } from '../ast.js';
import { Engine, type PromValue, type QueryResult } from '../engine.js';
import { parseExpr } from '../parser.js';
import { compareResult } from './compare.js';
import type { Command, EvalCmd, LoadCmd, SeriesLine } from './script.js';

/** What the runner calls: the engine, or anything that evaluates the same way (the worker pool). */
export type ScriptEngine = Pick<Engine, 'instantQuery' | 'rangeQuery' | 'execExpr'>;

/** The engine settings the upstream suite assumes (FORMAT.md §10). */
export function conformanceEngine(): Engine {
  return new Engine({ lookbackDeltaMs: 5 * 60_000, maxSamples: 10_000, timeoutMs: 100_000 });
}

const AT_UNSAFE_FUNCS = new Set([
  'time',
  'timestamp',
  'predict_linear',
  'start',
  'end',
  'range',
  'step',
  'minute',
  'hour',
  'day_of_week',
  'day_of_month',
  'day_of_year',
  'days_in_month',
  'month',
  'year',
]);

function walk(e: Expr, fn: (e: Expr) => boolean): void {
  if (!fn(e)) return;
  for (const c of children(e)) walk(c, fn);
}

/** Sets `@ t` on every selector and subquery without one (not descending into subqueries). */
function addAt(e: Expr, t: number): void {
  walk(e, (x) => {
    if (x.type === 'VectorSelector') {
      if (x.timestamp === undefined && !x.startOrEnd) x.timestamp = t;
      return false;
    }
    if (x.type === 'MatrixSelector') {
      const vs = x.vectorSelector;
      if (vs.timestamp === undefined && !vs.startOrEnd) vs.timestamp = t;
      return false;
    }
    if (x.type === 'SubqueryExpr') {
      if (x.timestamp === undefined && !x.startOrEnd) x.timestamp = t;
      return false;
    }
    return true;
  });
}

/**
 * Runs a parsed promqltest script against the in-memory storage through the Queryable/Appendable
 * interfaces only. Commands run in order; `runEval` throws an Error describing any mismatch.
 */
export class ScriptRunner {
  private storage: Queryable & Appendable;
  private next = 0;
  /** Last histogram per series, so a later load continues the same emulated chunk. */
  private lastHist = new Map<string, FloatHistogram | undefined>();

  /** `newStorage` gives an empty storage; it is called again for every `clear`. */
  constructor(
    readonly commands: Command[],
    private readonly newStorage: () => Queryable & Appendable,
    readonly engine: ScriptEngine = conformanceEngine(),
  ) {
    this.storage = newStorage();
  }

  /** Applies every load/clear before command `index` that has not run yet. */
  async runUpTo(index: number): Promise<void> {
    for (; this.next < index; this.next++) {
      const c = this.commands[this.next]!;
      if (c.kind === 'clear') {
        this.storage = this.newStorage();
        this.lastHist = new Map();
      } else if (c.kind === 'load') await this.load(c);
    }
  }

  private async load(c: LoadCmd): Promise<void> {
    const app = this.storage.appender();
    const series = c.nhcb ? [...c.series, ...nhcbSeries(c.series)] : c.series;
    for (const s of series) {
      const hints = new ChunkHints(this.lastHist.get(s.labels.key()));
      s.values.forEach((v, i) => {
        if (!v) return;
        const t = i * c.step;
        const off = s.st?.[i];
        const st = off === undefined ? 0 : t + off;
        if ('f' in v) {
          hints.float(v.f);
          app.append(s.labels, t, v.f, st);
        } else app.appendHistogram(s.labels, t, hints.histogram(v.h), st);
      });
      this.lastHist.set(s.labels.key(), hints.prev);
    }
    await app.commit();
  }

  /** Runs command `index` (an eval) after applying preceding loads. */
  async runEval(index: number): Promise<void> {
    await this.runUpTo(index);
    this.next = Math.max(this.next, index + 1);
    const cmd = this.commands[index];
    if (cmd?.kind !== 'eval') throw new Error(`command ${index} is not an eval`);
    await this.checkEval(cmd);
  }

  private async checkEval(cmd: EvalCmd): Promise<void> {
    const q = this.storage;
    const fail = cmd.expects.find((e) => e.type === 'fail');
    const ordered = cmd.expects.some((e) => e.type === 'ordered');
    if (!cmd.instant) {
      const res = await this.run(() => this.engine.rangeQuery(q, cmd.expr, cmd.start, cmd.end, cmd.step));
      this.checkOutcome(cmd, res, fail, false);
      return;
    }
    const main = await this.run(() => this.engine.instantQuery(q, cmd.expr, cmd.start));
    const failedAsExpected = this.checkOutcome(cmd, main, fail, ordered);
    const noCross =
      cmd.expectedString !== undefined ||
      cmd.rangeVector !== undefined ||
      /\b(start|end|range|step)\(\)/.test(cmd.expr);
    if (!failedAsExpected && !noCross) await this.crossCheck(cmd, cmd.start, undefined, ordered);
    // @-modifier invariance runs
    let ast: Expr;
    try {
      ast = parseExpr(cmd.expr);
    } catch {
      return;
    }
    let unsafe = false;
    walk(ast, (x) => {
      if (x.type === 'Call' && AT_UNSAFE_FUNCS.has(x.func.name)) unsafe = true;
      return true;
    });
    if (unsafe) return;
    const t = cmd.start;
    const times = t === 0 ? [-1000, 0, 1000] : [-10 * t, 0, t / 5, t, 10 * t];
    for (const at of times) {
      const e = parseExpr(cmd.expr);
      addAt(e, t);
      const r = await this.run(() => this.engine.execExpr(q, e, cmd.expr, at, at, 1, true));
      const f = this.checkOutcome(cmd, r, fail, ordered, `@-variant at ${at}`);
      if (!f && !noCross) await this.crossCheck(cmd, at, t, ordered);
    }
  }

  private async crossCheck(cmd: EvalCmd, t: number, atT: number | undefined, ordered: boolean): Promise<void> {
    const q = this.storage;
    let res: QueryResult;
    try {
      if (atT === undefined) res = await this.engine.rangeQuery(q, cmd.expr, t - 60_000, t + 60_000, 60_000);
      else {
        const e = parseExpr(cmd.expr);
        addAt(e, atT);
        res = await this.engine.execExpr(q, e, cmd.expr, t - 60_000, t + 60_000, 60_000, false);
      }
    } catch (err) {
      throw new Error(`range cross-check at ${t} failed: ${(err as Error).message}`);
    }
    if (ordered || res.value.type !== 'matrix') return;
    const m = res.value;
    const samples: Extract<PromValue, { type: 'vector' }>['samples'] = [];
    for (const s of m.series) {
      const f = s.floats.find((p) => p.t === t);
      if (f) samples.push({ labels: s.labels, t, v: f.v });
      const h = s.histograms.find((p) => p.t === t);
      if (h) samples.push({ labels: s.labels, t, h: h.h });
    }
    let value: PromValue = { type: 'vector', samples };
    if (cmd.expectedScalar !== undefined && samples[0]) value = { type: 'scalar', t, v: samples[0].v ?? Number.NaN };
    const d = compareResult(cmd, value, false);
    if (d) throw new Error(`range cross-check at ${t}: ${d}`);
  }

  private async run(fn: () => Promise<QueryResult>): Promise<QueryResult | Error> {
    try {
      return await fn();
    } catch (err) {
      return err as Error;
    }
  }

  /** Returns true when the query failed as expected. */
  private checkOutcome(
    cmd: EvalCmd,
    res: QueryResult | Error,
    fail: EvalCmd['expects'][number] | undefined,
    ordered: boolean,
    what = 'query',
  ): boolean {
    if (res instanceof Error) {
      if (!fail) throw new Error(`${what}: unexpected error: ${res.message}`);
      if (fail.msg !== undefined && res.message !== fail.msg) {
        throw new Error(`${what}: expected error ${JSON.stringify(fail.msg)}, got ${JSON.stringify(res.message)}`);
      }
      if (fail.regex && !fail.regex.test(res.message)) {
        throw new Error(`${what}: expected error matching ${fail.regex}, got ${JSON.stringify(res.message)}`);
      }
      return true;
    }
    if (fail) throw new Error(`${what}: expected error but got none`);
    this.checkAnnotations(cmd, res, what);
    const d = compareResult(cmd, res.value, ordered);
    if (d) throw new Error(`${what}: ${d}`);
    return false;
  }

  private checkAnnotations(cmd: EvalCmd, res: QueryResult, what: string): void {
    for (const [kind, got, legacy] of [
      ['warn', res.warnings, cmd.legacyWarn],
      ['info', res.infos, cmd.legacyInfo],
    ] as const) {
      const exp = cmd.expects.filter((e) => e.type === kind);
      if (cmd.expects.some((e) => e.type === `no_${kind}`) && got.length > 0) {
        throw new Error(`${what}: expected no ${kind} annotations, got ${JSON.stringify(got)}`);
      }
      if (legacy && got.length === 0) throw new Error(`${what}: expected ${kind} annotations, got none`);
      if (exp.length === 0) continue;
      const matches = (e: (typeof exp)[number], a: string) =>
        e.msg !== undefined ? a === e.msg : e.regex ? e.regex.test(a) : true;
      for (const e of exp) {
        if (!got.some((a) => matches(e, a))) {
          throw new Error(`${what}: expected ${kind} ${e.msg ?? e.regex ?? '(any)'}, got ${JSON.stringify(got)}`);
        }
      }
      for (const a of got) {
        if (!exp.some((e) => matches(e, a)))
          throw new Error(`${what}: unexpected ${kind} annotation ${JSON.stringify(a)}`);
      }
    }
  }
}

/**
 * Emulates the counter-reset hints Prometheus's TSDB reports on read-back (FORMAT.md §11): the
 * first histogram of a counter chunk reads as `unknown`, later ones as `not_reset`; a detected or
 * explicit reset, a stale marker or a float sample starts a new chunk; gauge histograms stay gauge.
 */
class ChunkHints {
  constructor(public prev: FloatHistogram | undefined) {}

  float(_v: number): void {
    this.prev = undefined;
  }

  histogram(h: FloatHistogram): FloatHistogram {
    const out = { ...h };
    if (h.counterResetHint === 'gauge') {
      this.prev = undefined;
      return out;
    }
    const newChunk =
      !this.prev || h.counterResetHint === 'reset' || detectReset({ ...h, counterResetHint: 'unknown' }, this.prev);
    out.counterResetHint = newChunk ? 'unknown' : 'not_reset';
    this.prev = h;
    return out;
  }
}

const SUFFIXES = ['_bucket', '_count', '_sum'] as const;

/** load_with_nhcb: classic histogram series converted to native histograms with custom buckets. */
function nhcbSeries(series: SeriesLine[]): SeriesLine[] {
  interface Base {
    labels: Labels;
    buckets: { le: number; values: SeriesLine['values'] }[];
    count?: SeriesLine['values'];
    sum?: SeriesLine['values'];
  }
  const bases = new Map<string, Base>();
  for (const s of series) {
    const name = s.labels.get('__name__');
    const suffix = SUFFIXES.find((x) => name.endsWith(x));
    if (!suffix) continue;
    const baseLabels = s.labels.builder().set('__name__', name.slice(0, -suffix.length)).del('le').labels();
    const key = baseLabels.key();
    let b = bases.get(key);
    if (!b) {
      b = { labels: baseLabels, buckets: [] };
      bases.set(key, b);
    }
    if (suffix === '_bucket') {
      const leStr = s.labels.get('le');
      const le = leStr === '+Inf' ? Number.POSITIVE_INFINITY : Number(leStr);
      if (leStr === '' || Number.isNaN(le)) continue;
      b.buckets.push({ le, values: s.values });
    } else if (suffix === '_count') b.count = s.values;
    else b.sum = s.values;
  }
  const out: SeriesLine[] = [];
  for (const b of bases.values()) {
    if (b.buckets.length === 0) continue;
    b.buckets.sort((x, y) => x.le - y.le);
    const len = Math.max(...b.buckets.map((x) => x.values.length), b.count?.length ?? 0, b.sum?.length ?? 0);
    const values: SeriesLine['values'] = [];
    for (let i = 0; i < len; i++) {
      const f = (v: SeriesLine['values'][number]) => (v && 'f' in v ? v.f : undefined);
      const bounds: number[] = [];
      const cum: number[] = [];
      for (const bk of b.buckets) {
        const v = f(bk.values[i]);
        if (v === undefined || Number.isNaN(v)) continue;
        if (bounds.length > 0 && bounds[bounds.length - 1] === bk.le) continue;
        bounds.push(bk.le);
        cum.push(v);
      }
      if (bounds.length === 0) {
        values.push(undefined);
        continue;
      }
      for (let k = 1; k < cum.length; k++)
        if (cum[k]! < cum[k - 1]!) throw new Error('load_with_nhcb: bucket counts must not decrease');
      const count = f(b.count?.[i]) ?? cum[cum.length - 1]!;
      const sum = f(b.sum?.[i]) ?? 0;
      if (bounds[bounds.length - 1] !== Number.POSITIVE_INFINITY) {
        bounds.push(Number.POSITIVE_INFINITY);
        cum.push(count);
      }
      const deltas = cum.map((c, k) => (k === 0 ? c : c - cum[k - 1]!));
      const customValues = bounds.filter((x) => Number.isFinite(x));
      const m = new Map<number, number>();
      deltas.forEach((d, k) => {
        if (d !== 0) m.set(k, d);
      });
      const idxs = [...m.keys()];
      const spans: { offset: number; length: number }[] = [];
      let prevEnd: number | undefined;
      for (const k of idxs) {
        if (prevEnd !== undefined && k === prevEnd) spans[spans.length - 1]!.length++;
        else spans.push({ offset: prevEnd === undefined ? k : k - prevEnd, length: 1 });
        prevEnd = k + 1;
      }
      values.push({
        h: {
          counterResetHint: 'unknown',
          schema: -53,
          zeroThreshold: 0,
          zeroCount: 0,
          count,
          sum,
          positiveSpans: spans,
          positiveBuckets: idxs.map((k) => m.get(k)!),
          negativeSpans: [],
          negativeBuckets: [],
          customValues,
        },
        hintGiven: false,
      });
    }
    out.push({ labels: b.labels, values });
  }
  return out;
}
