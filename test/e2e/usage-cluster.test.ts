/**
 * Usage equals what was acknowledged (issue #23 part 2), in split mode: two gateway+distributor
 * processes in front of three ingesters at replication factor 3. Two writers push known counts, one
 * through each distributor, retrying anything not acknowledged. Half-way, one ingester is killed with
 * SIGKILL, and so is the second distributor (between two of its writer's requests): its counts so far
 * are only in its journal, and its writer retries while it restarts. Usage is otherwise delivered only
 * at the end (the flush interval is an hour), when both distributors stop gracefully. The usage report
 * must equal the acknowledged counts exactly: counted once per request (not per replica), none lost
 * with the killed distributor, none doubled by the retries.
 *
 * Then the two live ingesters are stopped together: each samples the minute in progress, counting only
 * the series it owns (first healthy ingester of the series' ring position), flushes its chunks and
 * delivers. Both hold all 10 series at RF 3, the killed one owns none any more: that minute's active
 * series must be 10, not 20 or 30.
 *
 * Runs in `npm test` (about a minute, most of it starting six processes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';
import { requireService } from '../helpers/require-service.js';

const REQUESTS_PER_WRITER = 40;
const SERIES = 5;
const SAMPLES_PER_SERIES = 2;
const TENANT = 'metered';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Tally {
  acked: number;
  ackedSamples: number;
  ackedBytes: number;
  retries: number;
  statuses: Record<string, number>;
}

/** Pushes REQUESTS_PER_WRITER requests to `url`, each retried until it is acknowledged (2xx). */
async function writer(url: string, token: string, w: number, t: Tally, halfway?: () => Promise<void>): Promise<void> {
  const base = Date.now() - 120_000;
  for (let i = 0; i < REQUESTS_PER_WRITER; i++) {
    if (i === REQUESTS_PER_WRITER / 2) await halfway?.();
    const body = remoteWriteBody(
      Array.from({ length: SERIES }, (_, s) => ({
        labels: { __name__: 'usage_cluster_test', writer: String(w), s: String(s) },
        samples: Array.from({ length: SAMPLES_PER_SERIES }, (_, k) => ({
          value: i,
          timestamp: base + i * 100 + k,
        })),
      })),
    );
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) t.retries++;
      if (attempt === 300) throw new Error(`writer ${w} request ${i}: not acknowledged after 300 attempts`);
      let status = 0;
      try {
        const res = await fetch(`${url}/api/v1/push`, {
          method: 'POST',
          headers: remoteWriteHeaders(token),
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.text();
        status = res.status;
      } catch {
        status = 0;
      }
      t.statuses[status] = (t.statuses[status] ?? 0) + 1;
      if (status === 204) {
        t.acked++;
        t.ackedSamples += SERIES * SAMPLES_PER_SERIES;
        t.ackedBytes += body.length;
        break;
      }
      if (status !== 0 && status < 500) throw new Error(`writer ${w} request ${i}: unexpected ${status}`);
      await sleep(200);
    }
  }
}

const pgUrl = requireService('pgUrl');
const bigtable = requireService('bigtableEmulator');

/** Polls the ingester's `/ring` until `dead` shows unhealthy there. */
async function seenDead(url: string, dead: string): Promise<void> {
  for (let i = 0; ; i++) {
    const res = await fetch(`${url}/ring?format=json`, { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json()) as { rings?: { name: string; instances: { id: string; healthy: boolean }[] }[] };
    const inst = body.rings?.find((r) => r.name === 'ingester')?.instances.find((x) => x.id === dead);
    if (inst && !inst.healthy) return;
    if (i === 150) throw new Error(`${url} still sees ${dead} healthy: ${JSON.stringify(body)}`);
    await sleep(200);
  }
}

describe.skipIf(!pgUrl || !bigtable)('usage metering in a cluster: 2 distributors, 3 ingesters, RF 3', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      pgUrl: pgUrl!,
      bigtableEmulator: bigtable!,
      ingesters: 3,
      replicationFactor: 3,
      processes: [
        { name: 'gw-a', targets: ['gateway', 'distributor'] },
        { name: 'gw-b', targets: ['gateway', 'distributor'] },
      ],
      args: ['--usage-flush-interval', '1h'],
    });
    await cluster.waitForIngesters(3);
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('reports exactly the acknowledged counts after an ingester and a distributor are killed', async () => {
    const token = await cluster.tenantToken(TENANT, ['metrics:write']);
    const a = cluster.process('gw-a');
    const b = cluster.process('gw-b');
    const t: Tally = { acked: 0, ackedSamples: 0, ackedBytes: 0, retries: 0, statuses: {} };
    let restarted: Promise<void> = Promise.resolve();
    await Promise.all([
      writer(a.url, token, 0, t, () => cluster.kill('ingester-2', 'SIGKILL').then(() => undefined)),
      // No request of its writer is in flight: everything gw-b acknowledged so far is in its journal.
      writer(b.url, token, 1, t, async () => {
        await cluster.kill('gw-b', 'SIGKILL');
        restarted = cluster.restart('gw-b'); // the writer retries meanwhile
      }),
    ]);
    await restarted;
    expect(t.acked).toBe(2 * REQUESTS_PER_WRITER);

    // gw-b's first life was delivered from its journal when it restarted; the rest (1 h interval)
    // is delivered as both stop gracefully.
    await Promise.all([cluster.kill('gw-a', 'SIGTERM'), cluster.kill('gw-b', 'SIGTERM')]);

    const today = new Date().toISOString().slice(0, 10);
    let totals: Record<string, number> = {};
    for (let i = 0; i < 150; i++) {
      const r = await cluster.admin('GET', `/tenants/${TENANT}/usage/report?from=${today}&to=${today}&by=minute`);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      totals = r.json.totals;
      if ((totals.samples ?? 0) >= t.ackedSamples) break;
      await sleep(200);
    }
    const day = (await cluster.admin('GET', `/tenants/${TENANT}/usage/report?from=${today}&to=${today}&by=day`)).json;
    console.log(
      [
        'usage-cluster figures:',
        `  requests acknowledged ${t.acked} (retries ${t.retries}; answers ${JSON.stringify(t.statuses)})`,
        `  samples acknowledged ${t.ackedSamples}, reported ${totals.samples ?? 0} (by minute), ${day.totals.samples ?? 0} (by day)`,
        `  request bytes acknowledged ${t.ackedBytes}, reported ${totals.request_bytes ?? 0}`,
      ].join('\n'),
    );
    expect(totals).toEqual({ samples: t.ackedSamples, request_bytes: t.ackedBytes });
    expect(day.totals).toEqual(totals);

    // Both live ingesters must agree that ingester-2 is gone, and stop within one minute.
    await Promise.all(['ingester-0', 'ingester-1'].map((n) => seenDead(cluster.process(n).url, 'ingester-2')));
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 10_000) await sleep(left + 200);
    const stopMinute = Math.floor(Date.now() / 60_000) * 60_000;
    await Promise.all([cluster.kill('ingester-0', 'SIGTERM'), cluster.kill('ingester-1', 'SIGTERM')]);
    let bucket: { start: string; counters: Record<string, number> } | undefined;
    let minutes: (typeof bucket)[] = [];
    for (let i = 0; i < 100 && !bucket; i++) {
      const r = await cluster.admin('GET', `/tenants/${TENANT}/usage/report?from=${today}&to=${today}&by=minute`);
      minutes = r.json.buckets;
      bucket = minutes.find(
        (b) => Date.parse(b!.start) >= stopMinute && b!.counters.active_series_minutes !== undefined,
      );
      if (!bucket) await sleep(200);
    }
    const after = (await cluster.admin('GET', `/tenants/${TENANT}/usage/report?from=${today}&to=${today}&by=day`)).json;
    console.log(
      [
        `  active series in the minute both ingesters stopped: ${bucket?.counters.active_series_minutes} (2 writers x ${SERIES} series)`,
        `  bytes stored (chunks flushed on stop, counted by the owning replica only): ${after.totals.stored_bytes}`,
      ].join('\n'),
    );
    expect(bucket?.counters.active_series_minutes, JSON.stringify(minutes)).toBe(2 * SERIES);
    expect(after.totals.stored_bytes).toBeGreaterThan(0);
    // The ingesters' figures add to the distributors', which stay as they were.
    expect(after.totals).toMatchObject({ samples: t.ackedSamples, request_bytes: t.ackedBytes });
  }, 240_000);
});
