/**
 * Regressions found by the PromQL differential fuzzer against Prometheus (issue #24,
 * test/fuzz/promql-diff.test.ts), each where both Prometheus 2.42 and 3.x agree and we did not.
 */
import { describe, expect, it } from 'vitest';
import { ExecutionError, Labels } from '../model/index.js';
import { MemoryStorage } from '../storage/memory/index.js';
import { Engine } from './engine.js';

async function storage(): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const app = s.appender();
  for (const instance of ['a', 'b']) {
    const l = Labels.fromObject({ __name__: 'x', job: 'api', instance });
    for (let t = 0; t <= 600; t += 15) app.append(l, t * 1000, t);
  }
  // `half` exists only for the first five minutes
  for (let t = 0; t <= 300; t += 15) app.append(Labels.fromObject({ __name__: 'half', job: 'api' }), t * 1000, 1);
  await app.commit();
  return s;
}

/**
 * When one side of a vector binary operation is empty at a step, Prometheus returns nothing for that
 * step before it looks for duplicate match groups, so `nosuch + on(job) group_left x` over an `x`
 * with two series per job is empty; we raised "found duplicate series for the match group".
 */
describe('vector binary operations with an empty side', () => {
  it.each([
    'nosuch == bool on (job) group_left (instance) x',
    'nosuch % on (job) x',
    'x * on (job) group_right nosuch',
    'nosuch / ignoring (instance) x',
  ])('%s is empty, not a duplicate-series error', async (q) => {
    const r = await new Engine().instantQuery(await storage(), q, 600_000);
    expect(r.value.type === 'vector' && r.value.samples).toEqual([]);
  });

  it('a range query errs only at the steps where both sides have points', async () => {
    // while `half` is there (its last sample plus the 5m lookback) the match fails, as in Prometheus
    await expect(
      new Engine().rangeQuery(await storage(), 'half + on (job) x', 0, 600_000, 60_000),
    ).rejects.toBeInstanceOf(ExecutionError);
    const r = await new Engine().rangeQuery(await storage(), 'half + on (job) x', 660_000, 900_000, 60_000);
    expect(r.value.type === 'matrix' && r.value.series).toEqual([]);
  });
});

/** label_replace/label_join output with two equal label sets is an error, as in Prometheus. */
describe('label functions that merge series', () => {
  it.each([
    ['label_join(x, "instance", "", "nosuch")', true],
    ['sum(label_replace(x, "instance", "", "instance", ".*"))', true],
    ['label_replace(x, "instance", "z", "instance", "a")', false],
    ['label_replace(rate(x[5m]), "job", "", "job", ".*")', false],
  ])('%s fails: %s', async (q, fails) => {
    const r = new Engine().instantQuery(await storage(), q, 600_000);
    if (fails) await expect(r).rejects.toThrow(/vector cannot contain metrics with the same labelset/);
    else await expect(r).resolves.toBeDefined();
  });
});

/** lezer-promql lexes `-1` as one number; Prometheus reads `-1 ^ 2` as `-(1 ^ 2)` (prometheus#6579). */
describe('a signed number before ^', () => {
  it.each([
    ['-1 ^ 2', -1],
    ['3 * -2 ^ 2', -12],
    ['(-1) ^ 2', 1],
    ['-2 ^ 3 ^ 2', -512],
    ['+2 ^ 2', 4],
    ['- 2 ^ 2', -4],
  ])('%s = %d', async (q, want) => {
    const r = await new Engine().instantQuery(await storage(), q, 600_000);
    expect(r.value.type === 'scalar' && r.value.v).toBe(want);
  });
});

/**
 * log2/log10 answer Go's last bit (found through count_values, which prints the value as a label).
 * The expected strings are Prometheus 2.42's answers to `log2(vector(x))`/`log10(vector(x))`
 * (Debian's /usr/bin/prometheus, 2026-12-07); V8's Math.log2/Math.log10 differ on each of them.
 */
describe('log2 and log10 as Go computes them', () => {
  it.each([
    ['log2', '82.69', '6.3696409645169805'],
    ['log2', '77404', '16.240120501875893'],
    ['log2', '36387', '15.151135489714008'],
    ['log2', '5605.57', '12.452645364983145'],
    ['log2', '5e-324', '-1074'],
    ['log2', '1e-310', '-1029.7977094150824'],
    ['log2', '1024', '10'],
    ['log10', '89686', '4.952724654891627'],
    ['log10', '3209.32', '3.5064130225817753'],
    ['log10', '29731', '4.473209516913585'],
    ['log10', '7108.62', '3.851785299104586'],
    ['log10', '1.7976931348623157e308', '308.25471555991675'],
    ['log10', '1e-300', '-300'],
  ])('%s(%s) = %s', async (fn, x, want) => {
    const r = await new Engine().instantQuery(await storage(), `count_values("v", ${fn}(vector(${x})))`, 600_000);
    expect(r.value.type === 'vector' && r.value.samples.map((s) => s.labels.get('v'))).toEqual([want]);
  });
});
