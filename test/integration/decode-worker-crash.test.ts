/**
 * A remote-write decode worker dies mid-ingest (terminated as a crash would end it, several times):
 * every push still gets its answer, every acknowledged sample is queryable, and the pool is whole
 * again afterwards. Real HTTP on a loopback port, WAL on, writers pushing while the worker is killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDataPlaneApp, type TestDataPlane } from '../helpers/data-plane-app.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';

const WRITERS = 3;
/** Enough series that each body is far above the pool's 4 KiB threshold. */
const SERIES_PER_WRITER = 1000;
const KILLS = 4;

describe('decode worker crash during sustained ingest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'decode-crash-'));
  let dp: TestDataPlane | undefined;
  afterAll(async () => {
    await dp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged sample and replaces the worker', async () => {
    dp = await buildDataPlaneApp({ walDir: join(dir, 'wal'), decodeWorkers: 1 });
    const pool = dp.dp.decodePool!;
    expect(pool).toBeDefined();
    const url = await dp.app.listen({ host: '127.0.0.1', port: 0 });
    const token = dp.token('crash');

    // Each writer pushes consecutive samples (t = base + i·1000) to its series, one request at a
    // time; the highest acknowledged i per writer is what must be queryable.
    const base = Date.now() - 600_000;
    const acked = new Array<number>(WRITERS).fill(-1);
    const statuses = new Map<number, number>();
    let stop = false;
    const labelsOf = (w: number, s: number) => ({
      __name__: 'decode_crash',
      writer: String(w),
      s: String(s),
      // Varied bytes, so a body stays well above the pool's 4 KiB threshold after snappy.
      id: ((s + 1) * 2654435761 * (w + 3)).toString(36),
    });
    const bodyOf = (w: number, i: number) =>
      remoteWriteBody(
        Array.from({ length: SERIES_PER_WRITER }, (_, s) => ({
          labels: labelsOf(w, s),
          samples: [{ value: i, timestamp: base + i * 1000 }],
        })),
      );
    expect(bodyOf(0, 0).length).toBeGreaterThan(4 * 4096);
    const writer = async (w: number) => {
      for (let i = 0; !stop && i < 550; i++) {
        const res = await fetch(`${url}/api/v1/push`, {
          method: 'POST',
          headers: remoteWriteHeaders(token),
          body: bodyOf(w, i),
        });
        await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status !== 204) return;
        acked[w] = i;
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));

    // Kill the worker only while it holds requests, so each kill really interrupts ingest.
    for (let k = 0; k < KILLS; k++) {
      const deadline = Date.now() + 10_000;
      while ((pool.running === 0 || pool.inFlight === 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2));
      }
      expect(pool.inFlight, `kill ${k}: requests in flight`).toBeGreaterThan(0);
      await pool.kill(0);
      await new Promise((r) => setTimeout(r, 300));
    }
    stop = true;
    await Promise.all(writers);

    expect([...statuses.keys()]).toEqual([204]); // a lost worker costs time, never a request
    expect(pool.restarts).toBe(KILLS);
    expect(pool.handedBack).toBeGreaterThanOrEqual(KILLS);
    expect(pool.running).toBe(1);
    expect(Math.min(...acked)).toBeGreaterThanOrEqual(3);
    const outcomes = await dp.dp.registry.getSingleMetric('cortex_distributor_decode_worker_requests_total')!.get();
    const byOutcome = Object.fromEntries(outcomes.values.map((v) => [v.labels.outcome, v.value]));
    expect(byOutcome.decoded, 'bodies decoded on a worker').toBeGreaterThan(0);
    expect(byOutcome.worker_lost).toBe(pool.handedBack);

    for (let w = 0; w < WRITERS; w++) {
      const q = new URL(`${url}/prometheus/api/v1/query`);
      q.searchParams.set('query', `count_over_time(decode_crash{writer="${w}"}[1h])`);
      q.searchParams.set('time', String((base + acked[w]! * 1000) / 1000));
      const res = await fetch(q, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      expect(body.data.result, `writer ${w}`).toHaveLength(SERIES_PER_WRITER);
      for (const r of body.data.result) expect(Number(r.value[1]), `writer ${w}`).toBe(acked[w]! + 1);
    }

    // The replacement decodes: a fresh body goes through it, not the main-thread fallback.
    const handedBack = pool.handedBack;
    const body = remoteWriteBody(
      Array.from({ length: 200 }, (_, s) => ({
        labels: { __name__: 'decode_after', s: String(s) },
        samples: [{ value: 1, timestamp: Date.now() }],
      })),
    );
    expect((await pool.decode(body, 64 << 20))?.n).toBe(200);
    expect(pool.handedBack).toBe(handedBack);
  }, 60_000);
});
