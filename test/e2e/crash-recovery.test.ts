/**
 * Durability: kill -9 the dev server during sustained ingest, restart it on the same data dir, and
 * every sample that was acknowledged (204) before the kill is queryable (WAL replay + chunk store).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type DevServer, ensureBuilt, runCli, startDevServer } from '../helpers/cortexctl.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';

const WRITERS = 4;
const SERIES_PER_WRITER = 50;

describe('kill -9 during sustained ingest', () => {
  let server: DevServer | undefined;
  afterAll(async () => {
    await server?.dispose();
  });

  it('keeps every acknowledged sample', async () => {
    ensureBuilt();
    server = await startDevServer({ keepData: true });
    const env = { CORTEXCTL_ADDRESS: server.url, CORTEXCTL_TOKEN: server.rootToken };
    expect((await runCli(['tenant', 'create', 'crash'], env)).code).toBe(0);
    const tok = await runCli(
      ['token', 'create', '--tenant', 'crash', '--scopes', 'metrics:write,metrics:read', '-o', 'json'],
      env,
    );
    const token = JSON.parse(tok.stdout).token as string;
    const url = server.url;

    // Each writer pushes consecutive samples (t = base + i·1000) for its series until the kill; the
    // highest acknowledged i per writer is what must survive.
    const base = Date.now() - 3_600_000;
    const acked = new Array<number>(WRITERS).fill(-1);
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop && i < 100_000; i++) {
        const series = Array.from({ length: SERIES_PER_WRITER }, (_, s) => ({
          labels: { __name__: 'crash_test', writer: String(w), s: String(s) },
          samples: [{ value: i, timestamp: base + i * 1000 }],
        }));
        try {
          const res = await fetch(`${url}/api/v1/push`, {
            method: 'POST',
            headers: remoteWriteHeaders(token),
            body: remoteWriteBody(series),
          });
          if (res.status !== 204) break;
          acked[w] = i;
        } catch {
          break;
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await server.stop('SIGKILL')).toBeNull();
    stop = true;
    await Promise.all(writers);
    expect(Math.min(...acked)).toBeGreaterThan(5);
    const total = acked.reduce((n, a) => n + (a + 1) * SERIES_PER_WRITER, 0);
    console.log(`crash test: ${total} samples acknowledged before kill -9; checking all of them after restart`);

    server = await startDevServer({ dataDir: server.dataDir, rootToken: server.rootToken, keepData: true });
    for (let w = 0; w < WRITERS; w++) {
      const q = new URL(`${server.url}/prometheus/api/v1/query`);
      // Samples of writer w up to its last acknowledged index, in every one of its series.
      q.searchParams.set('query', `count_over_time(crash_test{writer="${w}"}[2h])`);
      q.searchParams.set('time', String((base + acked[w]! * 1000) / 1000));
      const res = await fetch(q, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      expect(body.data.result, `writer ${w}`).toHaveLength(SERIES_PER_WRITER);
      for (const r of body.data.result) expect(Number(r.value[1]), `writer ${w}`).toBe(acked[w]! + 1);
    }
  }, 180_000);
});
