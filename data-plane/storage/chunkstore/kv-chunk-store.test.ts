import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Matcher, parseTenantId } from '../../model/index.js';
import { EmbeddedKV } from '../embedded/index.js';
import { runChunkStoreConformance } from './chunk-store.conformance.js';
import { cut, drain, makeSeries } from './chunk-store.fixtures.js';
import { KVChunkStore } from './kv-chunk-store.js';

runChunkStoreConformance('embedded', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chunkstore-'));
  const fx = {
    kv: await EmbeddedKV.open({ dir, sync: false }),
    reopen: async () => {
      await fx.kv.close();
      fx.kv = await EmbeddedKV.open({ dir, sync: false });
      return fx.kv;
    },
    cleanup: async () => {
      await fx.kv.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fx;
});

describe('series labels cache', () => {
  const tenant = parseTenantId('acme');
  const series = [0, 1, 2].map((i) =>
    makeSeries({ __name__: 'up', job: i === 2 ? 'db' : 'node', i: String(i) }, i, 0, 600_000, 15_000),
  );

  /** A store over an embedded KV that counts the series rows it is asked for. */
  async function counted(cacheEntries?: number) {
    const dir = await mkdtemp(join(tmpdir(), 'chunkstore-cache-'));
    const kv = await EmbeddedKV.open({ dir, sync: false });
    const reads = { seriesRows: 0 };
    const getMany = kv.getMany.bind(kv);
    kv.getMany = (keys, opts) => {
      reads.seriesRows += keys.length;
      return getMany(keys, opts);
    };
    const store = new KVChunkStore({
      kv,
      ...(cacheEntries === undefined ? {} : { seriesLabelsCacheEntries: cacheEntries }),
    });
    await store.put(
      tenant,
      series.flatMap((s) => cut(s, 20)),
    );
    const select = async (...ms: Matcher[]) => {
      const out = await store.queryable(tenant).querier(0, 600_000).select(true, undefined, ms);
      return out.map((s) => ({ labels: s.labels.toString(), samples: drain(s.iterator()) }));
    };
    return { reads, select, close: () => kv.close().then(() => rm(dir, { recursive: true, force: true })) };
  }

  it('reads each series row once; later queries take the labels from memory and get the same answer', async () => {
    const fx = await counted();
    const up = new Matcher('=', '__name__', 'up');
    const first = await fx.select(up);
    expect(fx.reads.seriesRows).toBe(3);
    expect(await fx.select(up)).toEqual(first);
    expect(await fx.select(up, new Matcher('=', 'job', 'node'))).toEqual(first.slice(0, 2));
    expect(fx.reads.seriesRows).toBe(3);
    expect(first.map((s) => s.samples)).toEqual(series.map((s) => s.samples));
    await fx.close();
  });

  it('reads the rows every time when turned off', async () => {
    const fx = await counted(0);
    const up = new Matcher('=', '__name__', 'up');
    expect(await fx.select(up)).toEqual(await fx.select(up));
    expect(fx.reads.seriesRows).toBe(6);
    await fx.close();
  });
});
