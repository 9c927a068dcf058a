import { describe, expect, it } from 'vitest';
import type { Expr, VectorSelector } from '../ast.js';
import { parseExpr } from '../parser.js';
import { planShards, preorder, splitsBySeries } from './shard-plan.js';

const selectorsOf = (e: Expr) => preorder(e).filter((n): n is VectorSelector => n.type === 'VectorSelector');

describe('planning how a query is split into shards', () => {
  it.each([
    // query, instant: split by series, range: split by series, has a shardable aggregation
    ['rate(x[5m])', true, true, false],
    ['increase(x{job="a"}[1h]) * 2 > 5', true, true, false],
    ['x', true, true, false],
    // arithmetic of literals is one scalar for every series (the bench's fresh query strings)
    ['(increase(x[1h])) + 0 * 7', true, true, false],
    ['rate(x[5m]) * (1 + 2) > bool 3', true, true, false],
    ['max_over_time(rate(x[1m])[10m:1m])', true, true, false],
    // an instant vector keeps its selector's order: label order of the output only under one name
    ['rate({__name__=~"x|y"}[5m])', false, true, false],
    ['{job="a"}', false, true, false],
    // labels set by a function may meet across shards
    ['label_replace(rate(x[5m]), "a", "b", "c", "d")', false, false, false],
    ['label_join(x, "a", ",", "b")', false, false, false],
    // two vectors meet in one shard only if matched: evaluated whole
    ['x / y', false, false, false],
    ['sort(x)', false, false, false],
    ['absent(x)', false, false, false],
    // aggregations are sharded as partials instead
    ['sum by (job) (rate(x[5m]))', false, false, true],
    ['sum(rate(x[5m])) / sum(rate(y[5m]))', false, false, true],
  ])('%s', (q, instant, range, aggregated) => {
    const e = parseExpr(q);
    expect(splitsBySeries(e, selectorsOf(e), true)).toBe(instant);
    expect(splitsBySeries(e, selectorsOf(e), false)).toBe(range);
    expect(planShards(e, selectorsOf(e)) !== undefined).toBe(aggregated);
  });
});
