/**
 * The storage fault of cluster-faults.test.ts on AWS storage (issue #26): three ingesters with
 * replication factor 3 under steady remote-write load, rings and index in DynamoDB (dynalite), chunk
 * bodies in S3 (s3rver). Both emulators are frozen (SIGSTOP: unreachable, nothing in them lost) for
 * CORTEX_FAULT_AWS_PAUSE_S seconds (default 30, 20 under CI=true; at most 300) while the load goes on
 * and a flush is asked for, then thawed. Afterwards every acknowledged sample must be queryable exactly
 * once, first from the cluster as it is, then from the store alone: every ingester flushes, stops and
 * restarts without its WAL.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';
import { requireService } from '../helpers/require-service.js';
import { type ChildService, type Service, startDynalite, startPostgres, startS3rver } from '../helpers/services.js';

const WRITERS = 2;
const SERIES = 10;
const PUSH_INTERVAL_MS = 100;
const PAUSE_S = Math.min(
  300,
  Math.max(1, Number(process.env.CORTEX_FAULT_AWS_PAUSE_S ?? (process.env.CI === 'true' ? 20 : 30))),
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Push {
  writer: number;
  ts: number;
  start: number;
  status: number;
}

const pgAvailable = requireService('pgUrl');
const ddbAvailable = requireService('dynamodbEndpoint');
const s3Available = requireService('s3Endpoint');

describe.skipIf(!pgAvailable || !ddbAvailable || !s3Available)('AWS storage frozen under load: nothing lost', () => {
  let pg: Service | undefined;
  let ddb: ChildService | undefined;
  let s3: ChildService | undefined;
  let c: Cluster | undefined;
  let token = '';
  const pushes: Push[] = [];
  let stopped = false;
  let loops: Promise<void>[] = [];
  let lastTs = 0;

  const loop = async (w: number) => {
    for (let i = 0; !stopped && i < 20_000; i++) {
      lastTs = Math.max(lastTs + 1, Date.now());
      const ts = lastTs;
      const start = Date.now();
      let status = 0;
      try {
        const res = await fetch(`${c!.gatewayUrl}/api/v1/push`, {
          method: 'POST',
          headers: remoteWriteHeaders(token),
          body: remoteWriteBody(
            Array.from({ length: SERIES }, (_, s) => ({
              labels: { __name__: 'aws_fault_test', writer: String(w), s: String(s) },
              samples: [{ value: i, timestamp: ts }],
            })),
          ),
          signal: AbortSignal.timeout(10_000),
        });
        status = res.status;
        await res.body?.cancel();
      } catch {
        status = 0;
      }
      pushes.push({ writer: w, ts, start, status });
      await sleep(PUSH_INTERVAL_MS);
    }
  };

  /** Every acknowledged sample, queried back: how many are there, and how many timestamps twice. */
  const verify = async () => {
    const acked = pushes.filter((p) => p.status >= 200 && p.status < 300);
    let queryable = 0;
    let duplicates = 0;
    const missing: string[] = [];
    for (let w = 0; w < WRITERS; w++) {
      const mine = acked.filter((p) => p.writer === w);
      if (mine.length === 0) continue;
      const first = Math.min(...mine.map((p) => p.ts));
      const last = Math.max(...mine.map((p) => p.ts));
      const q = new URL(`${c!.gatewayUrl}/prometheus/api/v1/query`);
      q.searchParams.set('query', `aws_fault_test{writer="${w}"}[${Math.ceil((last - first) / 1000) + 60}s]`);
      q.searchParams.set('time', String((last + 1) / 1000));
      const res = await fetch(q, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`query for writer ${w}: ${res.status} ${text.slice(0, 500)}`);
      const body = JSON.parse(text) as {
        data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
      };
      const bySeries = new Map<string, Set<number>>();
      for (const r of body.data.result) {
        const ts = r.values.map(([t]) => Math.round(t * 1000));
        duplicates += ts.length - new Set(ts).size;
        bySeries.set(r.metric.s ?? '', new Set(ts));
      }
      for (let s = 0; s < SERIES; s++) {
        const have = bySeries.get(String(s)) ?? new Set<number>();
        for (const p of mine) {
          if (have.has(p.ts)) queryable++;
          else if (missing.length < 20) missing.push(`writer ${w} s ${s} ts ${p.ts}`);
        }
      }
    }
    return { acked: acked.length * SERIES, queryable, duplicates, missing };
  };

  beforeAll(async () => {
    // Emulators of its own: the shared ones must not be frozen.
    pg = await startPostgres();
    ddb = await startDynalite();
    s3 = await startS3rver();
    c = await startCluster({
      pgUrl: pg.address,
      aws: { dynamodbEndpoint: ddb.address, s3Endpoint: s3.address, inlineMaxBytes: 64 },
      ingesters: 3,
      replicationFactor: 3,
      startTimeoutMs: 120_000,
    });
    await c.waitForIngesters(3, 60_000);
    token = await c.tenantToken('aws-faults', ['metrics:write', 'metrics:read']);
  }, 300_000);

  afterAll(async () => {
    stopped = true;
    await Promise.all(loops);
    for (const svc of [ddb, s3]) if (svc?.pid) process.kill(svc.pid, 'SIGCONT');
    if (c) {
      await Promise.all(c.ingesters.map((p) => p.kill('SIGKILL')));
      await c.stop();
    }
    await ddb?.stop();
    await s3?.stop();
    await pg?.stop();
  }, 120_000);

  it(
    `DynamoDB and S3 unreachable for ${PAUSE_S} s during ingest and a flush: every acknowledged sample kept`,
    async () => {
      loops = Array.from({ length: WRITERS }, (_, w) => loop(w));
      await sleep(3_000);
      const tPause = Date.now();
      process.kill(ddb!.pid!, 'SIGSTOP');
      process.kill(s3!.pid!, 'SIGSTOP');
      let flush: Promise<unknown> = Promise.resolve();
      try {
        await sleep(1_000);
        // A flush while the store is frozen: it must fail or wait, never drop what it could not write.
        flush = fetch(`${c!.ingesters[0]!.url}/internal/ingester/flush`, {
          method: 'POST',
          headers: { authorization: `Bearer ${c!.clusterSecret}` },
          signal: AbortSignal.timeout(PAUSE_S * 1000 + 120_000),
        }).catch((e: unknown) => e);
        await sleep(PAUSE_S * 1000 - 1_000);
      } finally {
        process.kill(ddb!.pid!, 'SIGCONT');
        process.kill(s3!.pid!, 'SIGCONT');
      }
      const tThaw = Date.now();
      // Writes land again once the rings answer.
      const deadline = Date.now() + 120_000;
      while (!pushes.some((p) => p.start >= tThaw && p.status >= 200 && p.status < 300)) {
        if (Date.now() > deadline) throw new Error(`no write acknowledged after the thaw\n${c!.output().slice(-4000)}`);
        await sleep(200);
      }
      await c!.waitForIngesters(3, 120_000);
      await sleep(2_000);
      stopped = true;
      await Promise.all(loops);
      await flush;
      const during = pushes.filter((p) => p.start >= tPause && p.start < tThaw);
      const live = await verify();
      console.log(
        `AWS storage frozen ${PAUSE_S} s: ${pushes.length} pushes (${during.filter((p) => p.status >= 200 && p.status < 300).length} of ${during.length} during the pause acknowledged), ${live.acked} samples acknowledged, ${live.queryable} queryable, ${live.duplicates} duplicates`,
      );
      expect(pushes.filter((p) => p.status >= 400 && p.status < 500)).toEqual([]);
      expect(live.missing).toEqual([]);
      expect(live.queryable).toBe(live.acked);
      expect(live.duplicates).toBe(0);

      // From the store alone: flush, stop, drop the WAL, start empty.
      for (const ing of c!.ingesters) {
        expect(await c!.kill(ing.name, 'SIGTERM')).toBe(0);
        rmSync(ing.dataDir, { recursive: true, force: true });
      }
      for (const ing of c!.ingesters) await c!.restart(ing.name);
      await c!.waitForIngesters(3, 120_000);
      const stored = await verify();
      console.log(`… read back from DynamoDB + S3 alone: ${stored.queryable} of ${stored.acked}`);
      expect(stored.missing).toEqual([]);
      expect(stored.queryable).toBe(stored.acked);
      expect(stored.duplicates).toBe(0);
    },
    (PAUSE_S + 420) * 1000,
  );
});
