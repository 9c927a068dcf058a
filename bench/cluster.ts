/**
 * Split-mode ingest scaling benchmark (`npm run bench:cluster -- [flags]`): remote-write throughput with
 * 1, 2 and 3 distributor+ingester process pairs on this machine (each pair: one `--target=gateway,distributor`
 * process and one `--target=ingester` process, plus the control plane), with replication factor 1 for the
 * scaling figure and again with RF 3.
 *
 *   --pairs LIST          pair counts to measure with RF 1 (default 1,2,3)
 *   --rf3 LIST            pair counts to measure with RF 3 (default 3; "" for none)
 *   --seconds N           steady phase per configuration (default 15)
 *   --series N            active series (default 24000)
 *   --per-request N       series per request (default 1000)
 *   --conns-per-pair N    concurrent client connections per distributor (default 3)
 *   --out FILE            also append the Markdown table to FILE
 *
 * Starts its own PostgreSQL and Bigtable emulator (test/helpers/services.ts) and a fresh cluster per
 * configuration (test/helpers/cluster.ts), all on 127.0.0.1; everything is stopped at the end. The load
 * generator runs in this process and shares the machine's cores with the cluster: its CPU is reported.
 * Bodies are encoded once (protobuf with fixed-width timestamps patched per request, then snappy).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type Cluster, startCluster } from '../test/helpers/cluster.js';
import { encodeWriteRequestProto, remoteWriteHeaders, snappyCompress } from '../test/helpers/remote-write.js';
import { type Service, startBigtableEmulator, startPostgres } from '../test/helpers/services.js';

const { values: args } = parseArgs({
  options: {
    pairs: { type: 'string', default: '1,2,3' },
    rf3: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '15' },
    series: { type: 'string', default: '24000' },
    'per-request': { type: 'string', default: '1000' },
    'conns-per-pair': { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '')
    .map(Number);
const SECONDS = Number(args.seconds);
const SERIES = Number(args.series);
const PER_REQUEST = Number(args['per-request']);
const CONNS_PER_PAIR = Number(args['conns-per-pair']);
const BATCHES = Math.ceil(SERIES / PER_REQUEST);

/** A sentinel timestamp whose varint is 6 bytes, like every timestamp of this decade. */
const SENTINEL = 1_700_000_000_123;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

interface Template {
  raw: Uint8Array;
  offsets: number[];
}

/** One protobuf per batch, with the offsets of every sample timestamp to patch. */
function templates(): Template[] {
  const needle = varint(SENTINEL);
  const out: Template[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const n = Math.min(PER_REQUEST, SERIES - b * PER_REQUEST);
    const raw = encodeWriteRequestProto(
      Array.from({ length: n }, (_, i) => ({
        labels: {
          __name__: 'bench_cluster_metric',
          job: `job-${b % 10}`,
          instance: `host-${b}`,
          series: String(b * PER_REQUEST + i),
        },
        samples: [{ value: 1, timestamp: SENTINEL }],
      })),
    );
    const offsets: number[] = [];
    for (let i = 0; i + needle.length <= raw.length; i++) {
      let hit = true;
      for (let j = 0; j < needle.length && hit; j++) hit = raw[i + j] === needle[j];
      if (hit) offsets.push(i);
    }
    if (offsets.length !== n) throw new Error(`batch ${b}: found ${offsets.length} timestamps, expected ${n}`);
    out.push({ raw, offsets });
  }
  return out;
}

function body(t: Template, ts: number): Uint8Array {
  const bytes = varint(ts);
  if (bytes.length !== 6) throw new Error('timestamp varint is not 6 bytes');
  const raw = t.raw.slice();
  for (const o of t.offsets) raw.set(bytes, o);
  return snappyCompress(raw);
}

/** CPU seconds (user + system) of a process, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

interface Result {
  pairs: number;
  rf: number;
  samplesPerSec: number;
  requests: number;
  errors: number;
  serverCores: number;
  clientCores: number;
  p99ms: number;
}

async function measure(pg: Service, bt: Service, tpl: Template[], pairs: number, rf: number): Promise<Result> {
  const cluster: Cluster = await startCluster({
    pgUrl: pg.address,
    bigtableEmulator: bt.address,
    ingesters: pairs,
    replicationFactor: rf,
    processes: Array.from({ length: pairs }, (_, i) => ({
      name: `distributor-${i}`,
      targets: ['gateway', 'distributor'],
    })),
    startTimeoutMs: 120_000,
  });
  try {
    await cluster.waitForIngesters(pairs, 60_000);
    const token = await cluster.tenantToken('bench', ['metrics:write']);
    const lim = await cluster.admin('PATCH', '/tenants/bench/limits', {
      ingestion_rate: 100_000_000,
      ingestion_burst_size: 100_000_000,
      max_global_series_per_user: 0,
      max_global_series_per_metric: 0,
    });
    if (lim.status !== 200) throw new Error(`limits: ${lim.status} ${JSON.stringify(lim.json)}`);
    await new Promise((r) => setTimeout(r, 3_000)); // limits reach the distributors through the feed
    const urls = [...cluster.processes.values()].filter((p) => p.targets.includes('distributor')).map((p) => p.url);
    const headers = remoteWriteHeaders(token);
    const conns = pairs * CONNS_PER_PAIR;
    const base = Date.now();
    const round = new Array<number>(BATCHES).fill(0);
    let errors = 0;
    let firstError = '';
    const push = async (url: string, b: number): Promise<boolean> => {
      const ts = base + round[b]!;
      round[b]!++;
      const res = await fetch(`${url}/api/v1/push`, {
        method: 'POST',
        headers,
        body: body(tpl[b]!, ts),
        signal: AbortSignal.timeout(30_000),
      }).catch((err: unknown) => ({ status: 0, text: async () => String(err), body: null }));
      const ok = res.status >= 200 && res.status < 300;
      if (!ok) {
        errors++;
        if (!firstError) firstError = `${res.status} ${(await res.text()).slice(0, 300)}`;
      } else await res.body?.cancel();
      return ok;
    };
    // Create every series once (not measured).
    for (let b = 0; b < BATCHES; b += conns) {
      await Promise.all(
        Array.from({ length: Math.min(conns, BATCHES - b) }, (_, i) => push(urls[(b + i) % urls.length]!, b + i)),
      );
    }
    if (errors > 0) throw new Error(`creating series failed: ${firstError}`);

    // Steady phase: connection c owns batches c, c+conns, …, in order, so a series' samples never race.
    const cpu0 = [...cluster.processes.values()].reduce((s, p) => s + cpuSeconds(p.pid), 0);
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + SECONDS * 1000;
    let samples = 0;
    let requests = 0;
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: conns }, async (_, c) => {
        const mine = Array.from({ length: BATCHES }, (_, b) => b).filter((b) => b % conns === c);
        const url = urls[c % urls.length]!;
        for (let i = 0; performance.now() < deadline && i < 10_000_000; i++) {
          const b = mine[i % mine.length];
          if (b === undefined) return;
          const start = performance.now();
          if (await push(url, b)) samples += tpl[b]!.offsets.length;
          latencies.push(performance.now() - start);
          requests++;
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    const cpu1 = [...cluster.processes.values()].reduce((s, p) => s + cpuSeconds(p.pid), 0);
    const client = process.cpuUsage(client0);
    latencies.sort((a, b) => a - b);
    if (errors > 0) console.error(`  ${errors} failed requests, first: ${firstError}`);
    return {
      pairs,
      rf,
      samplesPerSec: samples / elapsed,
      requests,
      errors,
      serverCores: (cpu1 - cpu0) / elapsed,
      clientCores: (client.user + client.system) / 1e6 / elapsed,
      p99ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    };
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  const configs = [
    ...list(args.pairs).map((p) => ({ pairs: p, rf: 1 })),
    ...list(args.rf3).map((p) => ({ pairs: p, rf: 3 })),
  ];
  console.error(
    `bench:cluster: ${SERIES} series, ${PER_REQUEST} per request, ${CONNS_PER_PAIR} connections per pair, ${SECONDS} s per configuration, ${cpus().length} cores`,
  );
  const load0 = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const tpl = templates();
  const pg = await startPostgres();
  const bt = await startBigtableEmulator();
  const results: Result[] = [];
  try {
    for (const c of configs) {
      console.error(`  ${c.pairs} pair(s), RF ${c.rf} …`);
      const r = await measure(pg, bt, tpl, c.pairs, c.rf);
      console.error(`    ${Math.round(r.samplesPerSec)} samples/s`);
      results.push(r);
    }
  } finally {
    await bt.stop();
    await pg.stop();
  }
  const one = results.find((r) => r.pairs === 1 && r.rf === 1)?.samplesPerSec;
  const lines = [
    `| pairs | RF | samples/s | vs 1 pair RF 1 | requests | errors | server CPU (cores) | samples per server CPU-second | client CPU (cores) | p99 push (ms) |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.pairs} | ${r.rf} | ${Math.round(r.samplesPerSec)} | ${one ? (r.samplesPerSec / one).toFixed(2) : '-'}× | ${r.requests} | ${r.errors} | ${r.serverCores.toFixed(2)} | ${r.serverCores > 0 ? Math.round(r.samplesPerSec / r.serverCores) : '-'} | ${r.clientCores.toFixed(2)} | ${r.p99ms.toFixed(0)} |`,
    ),
  ];
  // Where it stops scaling: the first RF 1 step that adds less than 10 % over the previous one.
  const rf1 = results.filter((r) => r.rf === 1).sort((a, b) => a.pairs - b.pairs);
  let stop = '';
  for (let i = 1; i < rf1.length; i++) {
    if (rf1[i]!.samplesPerSec < rf1[i - 1]!.samplesPerSec * 1.1) {
      stop = `scaling stops at ${rf1[i - 1]!.pairs} pair(s): ${rf1[i]!.pairs} pairs add ${((rf1[i]!.samplesPerSec / rf1[i - 1]!.samplesPerSec - 1) * 100).toFixed(0)} % (server + client CPU ${(rf1[i]!.serverCores + rf1[i]!.clientCores).toFixed(2)} of ${cpus().length} cores)`;
      break;
    }
  }
  if (!stop && rf1.length > 1) stop = `still scaling at ${rf1[rf1.length - 1]!.pairs} pairs`;
  const text = `${lines.join('\n')}\n\n${stop}\n\nload average before ${load0}, after ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (other work on the machine shares its ${cpus().length} cores)\n`;
  process.stdout.write(text);
  if (args.out) writeFileSync(args.out, `${readFileSafe(args.out)}${text}\n`);
}

function readFileSafe(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

await main();
