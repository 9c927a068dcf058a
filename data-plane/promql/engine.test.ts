import { describe, expect, it } from 'vitest';
import { BadDataError, CanceledError, ExecutionError, Labels, STALE_NAN, TimeoutError } from '../model/index.js';
import { MemoryStorage } from '../storage/memory/index.js';
import { toApiData } from './api.js';
import { Engine } from './engine.js';

async function storage(): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const app = s.appender();
  for (let i = 0; i < 3; i++) {
    const l = Labels.fromObject({ __name__: 'req_total', job: 'api', instance: String(i) });
    for (let t = 0; t <= 600; t += 15) app.append(l, t * 1000, t * (i + 1));
  }
  const stale = Labels.fromObject({ __name__: 'gone', job: 'api' });
  app.append(stale, 0, 1);
  app.append(stale, 60_000, STALE_NAN);
  await app.commit();
  return s;
}

describe('Engine', () => {
  it('evaluates rate and sum at an instant', async () => {
    const r = await new Engine().instantQuery(await storage(), 'sum by (job) (rate(req_total[1m]))', 600_000);
    expect(r.value.type).toBe('vector');
    if (r.value.type !== 'vector') return;
    expect(r.value.samples).toHaveLength(1);
    expect(r.value.samples[0]!.labels.toObject()).toEqual({ job: 'api' });
    expect(r.value.samples[0]!.v).toBeCloseTo(6, 9);
  });

  it('returns a label-sorted matrix for range queries', async () => {
    const r = await new Engine().rangeQuery(await storage(), 'req_total * 2', 0, 120_000, 60_000);
    expect(r.value.type).toBe('matrix');
    if (r.value.type !== 'matrix') return;
    expect(r.value.series.map((s) => s.labels.get('instance'))).toEqual(['0', '1', '2']);
    expect(r.value.series[1]!.floats).toEqual([
      { t: 0, v: 0 },
      { t: 60_000, v: 240 },
      { t: 120_000, v: 480 },
    ]);
    expect(r.value.series[0]!.labels.has('__name__')).toBe(false);
  });

  it('hides series after a staleness marker', async () => {
    const s = await storage();
    const before = await new Engine().instantQuery(s, 'gone', 30_000);
    const after = await new Engine().instantQuery(s, 'gone', 90_000);
    expect(before.value.type === 'vector' && before.value.samples.length).toBe(1);
    expect(after.value.type === 'vector' && after.value.samples.length).toBe(0);
  });

  it('enforces maxSamples with an ExecutionError carrying the error id', async () => {
    const err = await new Engine({ maxSamples: 10 })
      .rangeQuery(await storage(), 'req_total', 0, 600_000, 15_000)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecutionError);
    expect((err as ExecutionError).message).toContain('query processing would load too many samples into memory');
    expect((err as ExecutionError).id).toBe('err-cortex-max-samples-per-query');
  });

  it('times out with an injected clock', async () => {
    let now = 0;
    const engine = new Engine({ timeoutMs: 10, now: () => (now += 1000) });
    await expect(engine.instantQuery(await storage(), 'req_total', 0)).rejects.toBeInstanceOf(TimeoutError);
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      new Engine().instantQuery(await storage(), 'req_total', 0, { signal: ac.signal }),
    ).rejects.toBeInstanceOf(CanceledError);
  });

  it('rejects range queries over range vectors', async () => {
    await expect(new Engine().rangeQuery(await storage(), 'req_total[5m]', 0, 60_000, 15_000)).rejects.toBeInstanceOf(
      BadDataError,
    );
  });

  it('reports duplicate label sets after dropping names', async () => {
    const s = new MemoryStorage();
    const app = s.appender();
    app.append(Labels.fromObject({ __name__: 'a_total', x: '1' }), 0, 1);
    app.append(Labels.fromObject({ __name__: 'b_total', x: '1' }), 0, 2);
    await app.commit();
    await expect(new Engine().instantQuery(s, '{x="1"} * 2', 0)).rejects.toThrow(
      'vector cannot contain metrics with the same labelset',
    );
  });
});

describe('toApiData', () => {
  it('formats values like the Prometheus API', () => {
    expect(toApiData({ type: 'scalar', t: 1500, v: 1e21 })).toEqual({
      resultType: 'scalar',
      result: [1.5, '1000000000000000000000'],
    });
    expect(toApiData({ type: 'scalar', t: 0, v: Number.NEGATIVE_INFINITY }).result).toEqual([0, '-Inf']);
    const v = toApiData({ type: 'vector', samples: [{ labels: Labels.fromObject({ a: 'b' }), t: 2000, v: 0.1 }] });
    expect(v).toEqual({ resultType: 'vector', result: [{ metric: { a: 'b' }, value: [2, '0.1'] }] });
  });
});
