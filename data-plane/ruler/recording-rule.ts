import { ExecutionError, type Labels, METRIC_NAME } from '../model/index.js';
import type { RuleEvalContext } from './eval-context.js';
import { RuleStatus } from './rule-health.js';
import type { RuleSample } from './types.js';
import { toVector } from './vector.js';

/** A recording rule: evaluates `expr` and stores the result under the name `record`. */
export class RecordingRule {
  readonly kind = 'recording';
  readonly status = new RuleStatus();
  /** Set when the rule could not be compiled; the group then reports it instead of evaluating. */
  loadError: string | undefined;

  constructor(
    readonly name: string,
    readonly expr: string,
    /** Rule labels (group labels already merged in); they override the result's labels. */
    readonly labels: Labels,
  ) {}

  /** Evaluates at `ts` and returns the samples to write (timestamped at `ts - query_offset`). */
  async eval(ctx: RuleEvalContext, ts: number): Promise<RuleSample[]> {
    const t = ts - ctx.queryOffsetMs;
    const vec = toVector(await ctx.query(this.expr, t));
    const out: RuleSample[] = [];
    const seen = new Set<string>();
    for (const s of vec) {
      const b = s.labels.builder().set(METRIC_NAME, this.name);
      this.labels.forEach((n, v) => {
        b.set(n, v);
      });
      const labels = b.labels();
      if (seen.has(labels.key())) {
        throw new ExecutionError('vector contains metrics with the same labelset after applying rule labels');
      }
      seen.add(labels.key());
      out.push({ labels, t, v: s.v });
    }
    if (ctx.limit > 0 && out.length > ctx.limit) {
      throw new ExecutionError(`exceeded limit of ${ctx.limit} with ${out.length} series`);
    }
    return out;
  }
}
