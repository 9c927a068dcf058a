/**
 * Remote-write ingest benchmark (`npm run bench:ingest -- [flags]`).
 *
 *   --url URL              push endpoint (default http://127.0.0.1:9009/api/v1/push)
 *   --token TOKEN          bearer token for the tenant (or CORTEX_TOKEN)
 *   --series N             active series (default 200000, up to 1000000)
 *   --per-request N        series per request (default 2000)
 *   --conns N              concurrent keep-alive connections (default 4)
 *   --seconds N            steady-state duration per run (default 20)
 *   --repeat N             A/B alternations with --compare-prometheus (default 2)
 *   --prom-port N          port for the temporary Prometheus (default 19090)
 *   --compare-prometheus   also run Debian's `prometheus` (2.42) on 127.0.0.1 under the same load,
 *                          alternating with the server under test, and print the ratio
 *   --prometheus-only      only run the temporary Prometheus (a baseline when no server is up)
 *   --rw2                  send remote write 2.0 bodies to the server under test (Prometheus 2.42
 *                          only speaks 1.0, so it always gets 1.0 bodies)
 *   --in-process           no HTTP: decode + distributor against the in-memory ingester client
 *
 * Bodies are real snappy + protobuf remote-write 1.0 requests. Phase "create" sends every series
 * once; phase "steady" keeps appending to them for --seconds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { createPushHandler, Distributor, InMemoryIngesterClient } from '../data-plane/distributor/index.js';
import type { TenantId } from '../data-plane/model/index.js';
import {
  decodeWriteRequest,
  decodeWriteRequestV2,
  snappyDecode,
  snappyEncode,
} from '../data-plane/remotewrite/index.js';
import { Overrides, StaticTenantLimitsSource } from '../data-plane/validation/index.js';
import { type Batch, buildBatches, renderBatch } from './ingest-workload.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:9009/api/v1/push' },
    token: { type: 'string' },
    series: { type: 'string', default: '200000' },
    'per-request': { type: 'string', default: '2000' },
    conns: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '20' },
    repeat: { type: 'string', default: '2' },
    'compare-prometheus': { type: 'boolean', default: false },
    'in-process': { type: 'boolean', default: false },
    'prometheus-only': { type: 'boolean', default: false },
    rw2: { type: 'boolean', default: false },
    'prom-port': { type: 'string', default: '19090' },
  },
});

const activeSeries = Math.min(1_000_000, Number(args.series));
const perRequest = Number(args['per-request']);
const conns = Number(args.conns);
const seconds = Number(args.seconds);

interface PhaseResult {
  samples: number;
  requests: number;
  failed: number;
  statuses: Map<number, number>;
  latenciesMs: number[];
  elapsedS: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function report(label: string, r: PhaseResult): number {
  const rate = r.samples / r.elapsedS;
  const codes = [...r.statuses].map(([c, n]) => `${c}×${n}`).join(' ');
  console.log(
    `${label.padEnd(28)} ${Math.round(rate).toLocaleString('en-US').padStart(11)} samples/s  p50 ${pct(r.latenciesMs, 50).toFixed(1)} ms  p99 ${pct(r.latenciesMs, 99).toFixed(1)} ms  requests ${r.requests} (${codes})`,
  );
  return rate;
}

/** Pushes rendered batches from a shared queue over `conns` keep-alive connections. */
async function runPhase(
  url: string,
  token: string | undefined,
  batches: Batch[],
  rounds: () => number | undefined,
  contentType: string,
): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
  const target = new URL(url);
  const res: PhaseResult = { samples: 0, requests: 0, failed: 0, statuses: new Map(), latenciesMs: [], elapsedS: 0 };
  let round = 0;
  let idx = 0;
  let t = rounds();
  let lastT = 0;
  const next = (): { body: Uint8Array; n: number } | undefined => {
    if (t === undefined) return undefined;
    if (idx === batches.length) {
      idx = 0;
      round++;
      t = rounds();
      if (t === undefined) return undefined;
    }
    // Strictly increasing timestamps per series, close to the server's clock.
    const ts = Math.max(t, lastT + (idx === 0 ? 1 : 0));
    lastT = ts;
    const b = batches[idx++]!;
    return { body: renderBatch(b, ts, round), n: b.samples };
  };
  const start = performance.now();
  const worker = async () => {
    for (let job = next(); job !== undefined; job = next()) {
      const t0 = performance.now();
      const status = await post(target, agent, token, job.body, contentType).catch(() => 0);
      res.latenciesMs.push(performance.now() - t0);
      res.requests++;
      res.statuses.set(status, (res.statuses.get(status) ?? 0) + 1);
      if (status >= 200 && status < 300) res.samples += job.n;
      else res.failed++;
    }
  };
  await Promise.all(Array.from({ length: conns }, worker));
  res.elapsedS = (performance.now() - start) / 1000;
  agent.destroy();
  return res;
}

function post(
  url: URL,
  agent: http.Agent,
  token: string | undefined,
  body: Uint8Array,
  contentType: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      'content-type': contentType,
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': contentType.includes('v2') ? '2.0.0' : '0.1.0',
      'user-agent': 'cortex-ts-bench/0.1',
      'content-length': body.length,
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.request(url, { method: 'POST', agent, headers }, (resp) => {
      resp.resume();
      resp.on('end', () => resolve(resp.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const V1_TYPE = 'application/x-protobuf';
const V2_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

/**
 * One round over every series (it creates them on a server's first run), then steady rounds for
 * `seconds`. Returns steady samples/s.
 */
async function runServer(
  label: string,
  url: string,
  token: string | undefined,
  batches: Batch[],
  contentType = V1_TYPE,
): Promise<number> {
  let done = false;
  const first = await runPhase(
    url,
    token,
    batches,
    () => {
      if (done) return undefined;
      done = true;
      return Date.now();
    },
    contentType,
  );
  report(`${label} round 1`, first);
  if (first.samples === 0) {
    throw new Error(
      `${label}: no request was accepted (statuses ${[...first.statuses.keys()].join(', ')}); check --url, --token and the tenant's limits`,
    );
  }
  const deadline = performance.now() + seconds * 1000;
  const steady = await runPhase(
    url,
    token,
    batches,
    () => (performance.now() < deadline ? Date.now() : undefined),
    contentType,
  );
  return report(`${label} steady`, steady);
}

async function withPrometheus<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const port = Number(args['prom-port']);
  const proc = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--storage.tsdb.retention.time=1d',
    ],
    { stdio: 'ignore' },
  );
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 100) throw new Error('prometheus did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
    return await fn(`http://127.0.0.1:${port}/api/v1/write`);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Decode + distributor in this process, single-threaded, against the in-memory ingester client. */
async function inProcess(batches: Batch[], v2Batches: Batch[]): Promise<void> {
  const tenant = 'bench' as TenantId;
  const limits = new Overrides(
    new StaticTenantLimitsSource(new Map([[tenant, { ingestion_rate: 1e9, ingestion_burst_size: 1e10 }]])),
  );
  const ingester = new InMemoryIngesterClient({ retain: false });
  const d = new Distributor({ limits, ingester, registry: new Registry() });
  const handler = createPushHandler(d, { maxDecompressedBytes: 64 << 20 });
  // The box is shared: a plain byte loop over one request's raw bytes gives the scale of this run.
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
  const bodies = batches.slice(0, 50).map((b, i) => renderBatch(b, Date.now(), i));
  const raws = bodies.map((b) => snappyDecode(b, 64 << 20));
  const rawBytes = raws.reduce((n, r) => n + r.length, 0) / raws.length;
  const packed = bodies.reduce((n, r) => n + r.length, 0) / bodies.length;
  console.log(`request: ${perRequest} series, ${Math.round(rawBytes)} B raw protobuf, ${Math.round(packed)} B snappy`);
  const v2Bodies = v2Batches.slice(0, 50).map((b, i) => renderBatch(b, Date.now(), i));
  const v2Raws = v2Bodies.map((b) => snappyDecode(b, 64 << 20));
  const v2Packed = v2Bodies.reduce((n, r) => n + r.length, 0) / v2Bodies.length;
  console.log(
    `2.0 request: ${Math.round(v2Raws.reduce((n, r) => n + r.length, 0) / v2Raws.length)} B raw, ${Math.round(v2Packed)} B snappy`,
  );
  let baseline: number | undefined;
  const measure = async (name: string, fn: (i: number) => unknown) => {
    const runs: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      let n = 0;
      let samples = 0;
      const start = performance.now();
      while (performance.now() - start < 700) {
        await fn(n % bodies.length);
        samples += batches[n % bodies.length]!.samples;
        n++;
      }
      runs.push(samples / ((performance.now() - start) / 1000));
    }
    const med = median(runs);
    baseline ??= med;
    const mbps = ((med / perRequest) * rawBytes) / 1e6;
    console.log(
      `${name.padEnd(36)} ${(med / 1e6).toFixed(2).padStart(6)} M samples/s  (${Math.round(mbps)} MB/s of 1.0 protobuf, ${(med / baseline).toFixed(2)}× the byte loop)`,
    );
  };
  await measure('baseline: one byte loop over the body', (i) => {
    const r = raws[i]!;
    let x = 0;
    for (let k = 0; k < r.length; k++) x += r[k]!;
    if (x < 0) throw new Error('unreachable');
  });
  await measure('snappy decode', (i) => snappyDecode(bodies[i]!, 64 << 20));
  await measure('protobuf decode (raw)', (i) => decodeWriteRequest(raws[i]!));
  await measure('snappy + protobuf decode', (i) => decodeWriteRequest(snappyDecode(bodies[i]!, 64 << 20)));
  await measure('snappy encode', (i) => snappyEncode(raws[i]!));
  await measure('2.0: protobuf decode (raw)', (i) => decodeWriteRequestV2(v2Raws[i % v2Raws.length]!));
  await measure('push handler (decode+validate+dist.)', async (i) => {
    const r = await handler({
      tenantId: tenant,
      contentType: 'application/x-protobuf',
      contentEncoding: 'snappy',
      remoteWriteVersion: '0.1.0',
      body: bodies[i]!,
    });
    if (r.status !== 204) throw new Error(`unexpected ${r.status}: ${r.body}`);
  });
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const batches = buildBatches(activeSeries, perRequest);
  const ours = args.rw2 ? buildBatches(activeSeries, perRequest, 2) : batches;
  const ourType = args.rw2 ? V2_TYPE : V1_TYPE;
  console.log(
    `workload: ${activeSeries.toLocaleString('en-US')} active series, ${batches.length} requests/round of ${perRequest} series, ${conns} connections (built in ${Math.round(performance.now() - t0)} ms)`,
  );
  if (args['in-process']) {
    await inProcess(batches, buildBatches(Math.min(activeSeries, 100_000), perRequest, 2));
    return;
  }
  const token = args.token ?? process.env.CORTEX_TOKEN;
  if (args['prometheus-only']) {
    await withPrometheus((promUrl) => runServer('prometheus', promUrl, undefined, batches));
    return;
  }
  if (!args['compare-prometheus']) {
    await runServer('server', args.url, token, ours, ourType);
    return;
  }
  // Alternate A/B; each server keeps its state across its runs (only the first run creates series).
  const oursRates: number[] = [];
  const promRates: number[] = [];
  await withPrometheus(async (promUrl) => {
    for (let i = 0; i < Number(args.repeat); i++) {
      oursRates.push(await runServer(`server #${i + 1}`, args.url, token, ours, ourType));
      promRates.push(await runServer(`prometheus #${i + 1}`, promUrl, undefined, batches));
    }
  });
  const mo = median(oursRates);
  const mp = median(promRates);
  console.log(
    `median steady: server ${Math.round(mo).toLocaleString('en-US')} vs prometheus ${Math.round(mp).toLocaleString('en-US')} samples/s → ratio ${(mo / mp).toFixed(2)}x`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
