import { afterEach, describe, expect, it } from 'vitest';
import { Matcher } from '../model/index.js';
import { growingFloatSink, ValueType } from '../storage/index.js';
import { Ingester } from './index.js';
import { lbls, limits, ManualClock, readAll, req, series, T1, T2 } from './testing.js';

const up = { __name__: 'up', job: 'node', instance: 'a' };
const eq = (n: string, v: string) => new Matcher('=', n, v);

let ing: Ingester | undefined;
async function make(over: Parameters<typeof limits>[0] = {}): Promise<Ingester> {
  ing = new Ingester({ limits: limits(over), clock: new ManualClock() });
  await ing.start();
  return ing;
}
afterEach(async () => {
  await ing?.stop();
  ing = undefined;
});

describe('queries', () => {
  async function seeded(): Promise<Ingester> {
    const i = await make();
    await i.push(
      T1,
      req([
        series({ __name__: 'up', job: 'api', instance: 'a' }, [
          [10, 1],
          [20, 1],
        ]),
        series({ __name__: 'up', job: 'api', instance: 'b' }, [[10, 0]]),
        series({ __name__: 'up', job: 'db', instance: 'c' }, [[30, 1]]),
        series({ __name__: 'rps', job: 'api' }, [[10, 5]]),
      ]),
    );
    await i.push(T2, req([series({ __name__: 'up', job: 'secret' }, [[10, 1]])]));
    return i;
  }

  it.each([
    { name: 'equality', ms: [eq('__name__', 'up'), eq('job', 'api')], want: ['a', 'b'] },
    { name: 'not equal', ms: [eq('__name__', 'up'), new Matcher('!=', 'job', 'api')], want: ['c'] },
    { name: 'regex', ms: [new Matcher('=~', 'instance', 'a|c')], want: ['a', 'c'] },
    { name: 'negative regex', ms: [eq('__name__', 'up'), new Matcher('!~', 'instance', 'a.*')], want: ['b', 'c'] },
    { name: 'absent label selects empty', ms: [eq('job', 'api'), eq('instance', '')], want: [''] },
    { name: 'no match', ms: [eq('job', 'nope')], want: [] },
  ])('select: $name', async ({ ms, want }) => {
    const i = await seeded();
    const got = await i.queryable(T1).querier(0, 100).select(true, undefined, ms);
    expect(got.map((s) => s.labels.get('instance'))).toEqual(want);
  });

  it('limits samples and series to the querier range', async () => {
    const i = await seeded();
    const got = await readAll(i.queryable(T1), [eq('__name__', 'up')], 15, 25);
    expect(got).toEqual([['up{instance="a", job="api"}', [[20, 1]]]]);
  });

  it('only sees its own tenant', async () => {
    const i = await seeded();
    const q = i.queryable(T2).querier(0, 100);
    expect(await q.labelValues('job', [])).toEqual(['secret']);
    expect(
      await i
        .queryable('nobody' as typeof T1)
        .querier(0, 100)
        .labelNames([]),
    ).toEqual([]);
  });

  it('label names and values, with matchers and limits', async () => {
    const i = await seeded();
    const q = i.queryable(T1).querier(0, 100);
    expect(await q.labelNames([])).toEqual(['__name__', 'instance', 'job']);
    expect(await q.labelValues('instance', [])).toEqual(['a', 'b', 'c']);
    expect(await q.labelValues('instance', [eq('job', 'api')])).toEqual(['a', 'b']);
    expect(await q.labelValues('instance', [], { limit: 1 })).toEqual(['a']);
    expect(await q.labelNames([eq('__name__', 'rps')])).toEqual(['__name__', 'job']);
  });

  it.each([
    { name: 'whole range', mint: 0, maxt: 100, instances: ['a', 'b', 'c'], names: ['__name__', 'instance', 'job'] },
    { name: 'only the last sample', mint: 25, maxt: 100, instances: ['c'], names: ['__name__', 'instance', 'job'] },
    { name: 'before everything', mint: 0, maxt: 5, instances: [], names: [] },
  ])('label names and values follow the querier range: $name', async ({ mint, maxt, instances, names }) => {
    const i = await seeded();
    const q = i.queryable(T1).querier(mint, maxt);
    expect(await q.labelValues('instance', [])).toEqual(instances);
    expect(await q.labelNames([])).toEqual(names);
  });

  it('honours an aborted signal', async () => {
    const i = await seeded();
    const ac = new AbortController();
    ac.abort();
    await expect(
      i
        .queryable(T1)
        .querier(0, 100)
        .select(false, undefined, [eq('job', 'api')], { signal: ac.signal }),
    ).rejects.toMatchObject({ kind: 'canceled' });
  });

  it('cuts chunks at 120 samples and reads across them', async () => {
    const i = await make();
    const samples = Array.from({ length: 500 }, (_, k): [number, number] => [k * 15_000, k]);
    await i.push(T1, req([series(up, samples)]));
    expect(await readAll(i.queryable(T1), [eq('job', 'node')])).toEqual([[lbls(up).toString(), samples]]);
    const got = await readAll(i.queryable(T1), [eq('job', 'node')], 200 * 15_000, 201 * 15_000);
    expect(got[0]![1]).toEqual([
      [200 * 15_000, 200],
      [201 * 15_000, 201],
    ]);
  });

  it.each([
    { name: 'everything', q: [0, 1e12], r: [0, 1e12] },
    { name: 'a window inside one chunk', q: [0, 1e12], r: [130 * 15_000, 140 * 15_000] },
    { name: 'a window across chunks', q: [0, 1e12], r: [100 * 15_000, 250 * 15_000] },
    { name: 'the open chunk', q: [0, 1e12], r: [480 * 15_000, 1e12] },
    { name: 'narrowed by the querier', q: [200 * 15_000, 300 * 15_000], r: [0, 1e12] },
    { name: 'nothing there', q: [0, 1e12], r: [600 * 15_000, 700 * 15_000] },
  ])('readFloats decodes in place what the iterator reads: $name', async ({ q, r }) => {
    const i = await make();
    const samples = Array.from({ length: 500 }, (_, k): [number, number] => [k * 15_000, k % 7 === 0 ? NaN : k / 3]);
    await i.push(T1, req([series(up, samples)]));
    const [s] = await i
      .queryable(T1)
      .querier(q[0]!, q[1]!)
      .select(true, undefined, [eq('job', 'node')]);
    const sink = growingFloatSink();
    const n = s!.readFloats!(r[0]!, r[1]!, false, sink);
    const want: [number, number][] = [];
    const it = s!.iterator();
    while (it.next() !== ValueType.None) if (it.atT() >= r[0]! && it.atT() <= r[1]!) want.push([it.atT(), it.atV()]);
    expect(n).toBe(want.length);
    expect(sink.samples()).toEqual(want);
    // copyChunks hands over the chunks encodedChunks lists (sealed ones packed in slabs included)
    const handed: { data: number[]; mint: number; maxt: number }[] = [];
    expect(
      s!.copyChunks!({ chunk: (d, len, mint, maxt) => handed.push({ data: [...d.subarray(0, len)], mint, maxt }) }),
    ).toBe(true);
    expect(handed).toEqual(s!.encodedChunks!()!.map((c) => ({ data: [...c.data], mint: c.mint, maxt: c.maxt })));
  });
});
