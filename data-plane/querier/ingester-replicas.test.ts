import { describe, expect, it } from 'vitest';
import { Labels, Matcher, type TenantId, UnavailableError } from '../model/index.js';
import { generateTokens, Ring, type RingDesc } from '../ring/index.js';
import { arraySeries, type Queryable, ValueType } from '../storage/index.js';
import { type IngesterReader, RingIngesterReader } from './ingester-replicas.js';

const T = 'tenant-a' as TenantId;
const L = Labels.fromObject({ __name__: 'up', job: 'a' });

function reader(ts: number[], fail: boolean | 'hang' = false): IngesterReader {
  const down = (): Promise<never> =>
    fail === 'hang' ? new Promise<never>(() => {}) : Promise.reject(new UnavailableError('down'));
  const q: Queryable = {
    querier: () => ({
      select: async () => (fail ? down() : [arraySeries(L, ts, ts)]),
      labelNames: async () => (fail ? down() : ['__name__', 'job']),
      labelValues: async () => (fail ? down() : ['a']),
      close() {},
    }),
  };
  return {
    queryable: () => q,
    metadata: async () => (fail ? down() : [{ metricFamilyName: 'up', type: 'gauge', help: '', unit: '' }]),
    exemplars: async () => (fail ? down() : []),
    stats: async () => (fail ? down() : { numSeries: 1, ingestedSamples: ts.length }),
  };
}

function setup(readers: IngesterReader[]) {
  const desc: RingDesc = { instances: {} };
  const taken = new Set<number>();
  readers.forEach((_, i) => {
    const tokens = generateTokens(16, taken).sort((a, b) => a - b);
    desc.instances[`i${i}`] = {
      id: `i${i}`,
      addr: `http://x${i}`,
      zone: '',
      state: 'ACTIVE',
      tokens,
      heartbeatMs: Date.now(),
      registeredMs: Date.now(),
    };
  });
  return new RingIngesterReader({
    ring: new Ring({ replicationFactor: 3 }, desc),
    readerFor: (inst) => readers[Number(inst.id.slice(1))]!,
    shardSize: () => 0,
  });
}

async function samples(r: RingIngesterReader): Promise<number[]> {
  const q = r.queryable(T).querier(0, 100);
  const [s, ...rest] = await q.select(true, undefined, [new Matcher('=', '__name__', 'up')]);
  expect(rest).toEqual([]);
  const out: number[] = [];
  const it = s!.iterator();
  while (it.next() !== ValueType.None) out.push(it.atT());
  return out;
}

describe('RingIngesterReader', () => {
  it('merges replicas into one series without duplicate timestamps', async () => {
    const r = setup([reader([1, 2, 3]), reader([2, 3, 4]), reader([1, 4])]);
    expect(await samples(r)).toEqual([1, 2, 3, 4]);
    expect(await r.queryable(T).querier(0, 1).labelNames([])).toEqual(['__name__', 'job']);
    expect(await r.metadata(T)).toHaveLength(1);
    expect((await r.stats(T)).numSeries).toBe(1);
  });

  it('tolerates one failed replica of three and fails with two', async () => {
    expect(await samples(setup([reader([1, 2]), reader([], true), reader([2, 3])]))).toEqual([1, 2, 3]);
    await expect(samples(setup([reader([1, 2]), reader([], true), reader([], true)]))).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });

  it('does not wait for a hung replica once all but maxErrors answered', async () => {
    expect(await samples(setup([reader([1, 2]), reader([], 'hang'), reader([2, 3])]))).toEqual([1, 2, 3]);
  });
});
