import { afterEach, describe, expect, it } from 'vitest';
import { sampleArray } from '../model/index.js';
import { encodeWriteRequest, SeriesCache, snappyEncode, wireFromColumns } from '../remotewrite/index.js';
import { DecodePool } from './index.js';

const MAX = 16 << 20;

function body(series: number, tag = 'a'): Uint8Array {
  return snappyEncode(
    encodeWriteRequest({
      timeseries: Array.from({ length: series }, (_, i) => ({
        labels: ['__name__', 'pool_test', 'tag', tag, 'i', String(i)],
        samples: [{ t: 1_700_000_000_000 + i, v: i }],
      })),
    }),
  );
}

describe('DecodePool', () => {
  let pool: DecodePool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('decodes on a worker, leaving the caller its body', async () => {
    pool = new DecodePool({ size: 2 });
    expect(pool.running).toBe(0); // started on first use
    // A Buffer that is a view into a larger allocation, as Node's pooled buffers are.
    const bytes = body(300);
    const slab = Buffer.alloc(bytes.length + 100);
    slab.set(bytes, 50);
    const b = slab.subarray(50, 50 + bytes.length);
    const cols = await pool.decode(b, MAX);
    expect(cols?.n).toBe(300);
    expect(Buffer.compare(b, bytes)).toBe(0); // copied, not transferred away
    expect(slab.buffer.byteLength).toBeGreaterThan(0); // not detached
    const wire = wireFromColumns(cols!, new SeriesCache());
    const last = wire.series(299);
    expect(last.labels).toEqual(['__name__', 'pool_test', 'tag', 'a', 'i', '299']);
    expect(sampleArray(last.samples)).toEqual([{ t: 1_700_000_000_299, v: 299 }]);
  });

  const notDecoded = [
    { name: 'corrupt snappy', bytes: Uint8Array.from([0x05, 0xff, 0xff]) },
    { name: 'over the size limit', bytes: body(10), max: 8 },
    {
      name: 'metadata (left to the full decoder)',
      bytes: snappyEncode(
        encodeWriteRequest({
          timeseries: [],
          metadata: [{ metricFamilyName: 'm', type: 'gauge', help: '', unit: '' }],
        }),
      ),
    },
  ];
  it('resolves undefined where the caller must decode: corrupt, oversized, or a shape left to the full decoder', async () => {
    pool = new DecodePool({ size: 1 });
    for (const c of notDecoded) expect(await pool.decode(c.bytes, c.max ?? MAX), c.name).toBeUndefined();
    expect(pool.restarts).toBe(0);
  });

  it('a worker killed mid-request hands its requests back and is replaced', async () => {
    const lost: string[] = [];
    pool = new DecodePool({ size: 1, onWorkerLost: (r) => lost.push(r) });
    await pool.decode(body(10), MAX); // the worker is up
    const bodies = Array.from({ length: 20 }, (_, i) => body(2000, String(i)));
    const inFlight = bodies.map((b) => pool!.decode(b, MAX));
    await pool.kill(0);
    const results = await Promise.all(inFlight);
    // Killed before answering: handed back (undefined) so the main thread decodes; none rejected.
    expect(pool.handedBack).toBeGreaterThan(0);
    expect(results.filter((r) => r === undefined)).toHaveLength(pool.handedBack);
    expect(pool.restarts).toBe(1);
    expect(lost).toHaveLength(1);
    expect(pool.running).toBe(1);
    expect((await pool.decode(body(5), MAX))?.n).toBe(5);
  });

  it('close() lets requests in flight finish, then decodes nothing more', async () => {
    pool = new DecodePool({ size: 2 });
    const inFlight = Array.from({ length: 6 }, (_, i) => pool!.decode(body(1000, String(i)), MAX));
    await pool.close();
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r?.n)).toEqual([1000, 1000, 1000, 1000, 1000, 1000]);
    expect(await pool.decode(body(5), MAX)).toBeUndefined();
    expect(pool.restarts).toBe(0);
  });
});
