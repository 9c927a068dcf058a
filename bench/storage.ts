/**
 * Storage benchmark (`npm run bench:storage`):
 *  1. bytes per sample stored (chunk rows + index rows) for node_exporter-like data, 1,000 series ×
 *     24 h at a 15 s scrape interval, cut into 120-sample XOR chunks as Prometheus cuts them (and,
 *     for comparison, 12 h chunks as Cortex's chunks storage flushed them);
 *  2. the same samples as Prometheus 2.42 TSDB blocks (`promtool tsdb create-blocks-from
 *     openmetrics`), when promtool is installed;
 *  3. time to write and then read all 24 h of the 1,000 series from a Bigtable emulator started here;
 *  4. with `--store dynamodb`: the same flush and reads on DynamoDB + S3 (dynalite and s3rver started
 *     here) beside the Bigtable emulator, with what the provider bills per million samples flushed
 *     and per dashboard query: requests, DynamoDB read/write units, S3 requests, bytes.
 *
 * Flags: `--series N` (default 1000), `--hours H` (default 24), `--no-prometheus`, `--no-bigtable`,
 * `--store dynamodb` (or `--store bigtable`: the backend part only), `--inline-max-bytes N` (DynamoDB:
 * chunks up to N bytes stay in the table, default 1024; 0 puts every chunk on S3, as Cortex did).
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { XORChunk } from '../data-plane/chunkenc/index.js';
import { Labels, Matcher, parseTenantId } from '../data-plane/model/index.js';
import { BigtableKV } from '../data-plane/storage/bigtable/index.js';
import { KVChunkStore, RowType } from '../data-plane/storage/chunkstore/index.js';
import { DynamoKV, type DynamoKVStats } from '../data-plane/storage/dynamodb/index.js';
import { EmbeddedKV } from '../data-plane/storage/embedded/index.js';
import { type StoredChunk, ValueType } from '../data-plane/storage/index.js';
import type { CallOptions } from '../data-plane/storage/interface.js';
import type { KeyRange, KVEntry, ScanOptions, SortedKV } from '../data-plane/storage/kv/index.js';
import { S3BlobStore } from '../data-plane/storage/s3/index.js';
import {
  dynaliteAvailable,
  EMULATOR_AWS_CREDENTIALS,
  s3rverAvailable,
  startBigtableEmulator,
  startDynalite,
  startS3rver,
} from '../test/helpers/services.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SERIES = arg('series', 1000);
const STORE = (() => {
  const i = process.argv.indexOf('--store');
  return i > 0 ? process.argv[i + 1] : undefined;
})();
const INLINE_MAX = arg('inline-max-bytes', 1024);
const HOURS = arg('hours', 24);
const STEP = 15_000;
const SAMPLES = (HOURS * 3600_000) / STEP;
// 06:00 UTC: a 24 h read then spans two daily buckets, as a "last 24 h" query usually does.
const T0 = Date.UTC(2026, 10, 20, 6);
const TENANT = parseTenantId('bench');

/** Seeded PRNG (mulberry32) so every run stores the same bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface GenSeries {
  labels: Labels;
  /** Produces the i-th value; called in order. */
  value: (i: number) => number;
}

/** One node_exporter host's worth of series: CPU counters, filesystems, network, memory gauges. */
function nodeExporterSeries(n: number): GenSeries[] {
  const r = rng(42);
  const out: GenSeries[] = [];
  const base = { instance: 'host-1.eu-west-1.internal:9100', job: 'node', env: 'prod', region: 'eu-west-1' };
  const add = (name: string, extra: Record<string, string>, value: GenSeries['value']) => {
    if (out.length < n) out.push({ labels: Labels.fromObject({ __name__: name, ...base, ...extra }), value });
  };
  const modes: [string, number][] = [
    ['idle', 0.85],
    ['iowait', 0.01],
    ['irq', 0],
    ['nice', 0],
    ['softirq', 0.005],
    ['steal', 0],
    ['system', 0.04],
    ['user', 0.09],
  ];
  for (let host = 0; out.length < n; host++) {
    for (let cpu = 0; cpu < 64; cpu++) {
      for (const [mode, share] of modes) {
        // Seconds counters with 0.01 s resolution, as /proc/stat reports them.
        let v = Math.round(r() * 1e6) / 100;
        add('node_cpu_seconds_total', { cpu: String(cpu), mode, host: String(host) }, () => {
          v = Math.round((v + share * 15 * (0.8 + 0.4 * r())) * 100) / 100;
          return v;
        });
      }
    }
    for (let d = 0; d < 16; d++) {
      const fs = { device: `/dev/nvme${d}n1`, fstype: 'ext4', mountpoint: `/data/${d}`, host: String(host) };
      const size = 2 ** 40;
      let avail = Math.floor(size * r());
      add('node_filesystem_size_bytes', fs, () => size);
      add('node_filesystem_avail_bytes', fs, () => {
        if (r() < 0.2) avail -= 4096 * Math.floor(r() * 100);
        return avail;
      });
      add('node_filesystem_files', fs, () => 67_108_864);
      let free = 60_000_000;
      add('node_filesystem_files_free', fs, () => {
        if (r() < 0.1) free -= Math.floor(r() * 10);
        return free;
      });
    }
    for (let d = 0; d < 48; d++) {
      for (const m of ['receive_bytes', 'transmit_bytes', 'receive_packets', 'transmit_packets']) {
        let v = Math.floor(r() * 1e12);
        const rate = m.endsWith('bytes') ? 2e6 * r() : 2e3 * r();
        add(`node_network_${m}_total`, { device: `eth${d}`, host: String(host) }, () => {
          v += Math.floor(rate * 15 * (0.5 + r()));
          return v;
        });
      }
    }
    for (let i = 0; i < 232; i++) {
      let v = 4096 * Math.floor(r() * 4e6);
      const changes = i % 3 === 0;
      add(`node_memory_metric_${i}_bytes`, { host: String(host) }, () => {
        if (changes) v += 4096 * Math.floor((r() - 0.5) * 200);
        return v;
      });
    }
  }
  return out;
}

/** Scrape timestamps: 15 s apart, with a few ms of jitter on one series in ten. */
function timestamps(seriesIndex: number): number[] {
  const r = rng(1000 + seriesIndex);
  const jitter = seriesIndex % 10 === 0;
  const ts: number[] = [];
  for (let i = 0; i < SAMPLES; i++) ts.push(T0 + i * STEP + (jitter ? Math.floor(r() * 5) : 0));
  return ts;
}

interface Generated {
  /** Per series: timestamps and values. */
  series: { labels: Labels; t: number[]; v: number[] }[];
}

function generate(): Generated {
  return {
    series: nodeExporterSeries(SERIES).map((g, si) => {
      const t = timestamps(si);
      return { labels: g.labels, t, v: t.map((_, i) => g.value(i)) };
    }),
  };
}

function cutChunks(g: Generated, perChunk: number): StoredChunk[] {
  const out: StoredChunk[] = [];
  for (const s of g.series) {
    for (let i = 0; i < s.t.length; i += perChunk) {
      const c = new XORChunk();
      const app = c.appender();
      const end = Math.min(i + perChunk, s.t.length);
      for (let j = i; j < end; j++) app.append(s.t[j]!, s.v[j]!);
      out.push({ labels: s.labels, mint: s.t[i]!, maxt: s.t[end - 1]!, encoding: 1, data: c.bytes().slice() });
    }
  }
  return out;
}

async function putAll(store: KVChunkStore, chunks: StoredChunk[]): Promise<void> {
  for (let i = 0; i < chunks.length; i += 2000) await store.put(TENANT, chunks.slice(i, i + 2000));
}

/** Sums key and value bytes by row type. */
async function accountBytes(
  kv: SortedKV,
): Promise<Map<string, { rows: number; keyBytes: number; valueBytes: number }>> {
  const names = new Map<number, string>(Object.entries(RowType).map(([k, v]) => [v, k]));
  const out = new Map<string, { rows: number; keyBytes: number; valueBytes: number }>();
  for (const e of await kv.scan({})) {
    const type = names.get(e.key[TENANT.length + 5]!) ?? 'other';
    const a = out.get(type) ?? { rows: 0, keyBytes: 0, valueBytes: 0 };
    a.rows++;
    a.keyBytes += e.key.length;
    a.valueBytes += e.value.length;
    out.set(type, a);
  }
  return out;
}

function dirBytes(dir: string, filter: (path: string) => boolean = () => true): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    if (e.isFile() && filter(p)) n += statSync(p).size;
  }
  return n;
}

const fmt = (x: number, d = 3) => x.toFixed(d);

async function storeBytes(g: Generated, perChunk: number, label: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-storage-'));
  try {
    const kv = await EmbeddedKV.open({ dir, sync: false });
    const store = new KVChunkStore({ kv });
    const chunks = cutChunks(g, perChunk);
    const xorBytes = chunks.reduce((n, c) => n + c.data.length, 0);
    await putAll(store, chunks);
    const acc = await accountBytes(kv);
    const total = [...acc.values()].reduce((n, a) => n + a.keyBytes + a.valueBytes, 0);
    const samples = SERIES * SAMPLES;
    console.log(`\n## our store, ${label}: ${chunks.length} chunks, ${samples} samples`);
    console.log(`XOR chunk bytes alone          ${fmt(xorBytes / samples)} B/sample`);
    for (const [type, a] of acc) {
      console.log(
        `${type.padEnd(12)} rows ${String(a.rows).padStart(7)}  keys ${fmt(a.keyBytes / samples)}  values ${fmt(a.valueBytes / samples)} B/sample`,
      );
    }
    console.log(
      `TOTAL (keys + values)          ${fmt(total / samples)} B/sample  (${(total / 2 ** 20).toFixed(1)} MiB)`,
    );
    await kv.close();
    console.log(`embedded log file on disk      ${fmt(dirBytes(dir) / samples)} B/sample`);
    return total / samples;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function prometheusBytes(g: Generated): Promise<{ chunks: number; total: number } | undefined> {
  if (process.argv.includes('--no-prometheus') || !existsSync('/usr/bin/promtool')) {
    console.log('\n(promtool not installed or --no-prometheus: skipping the Prometheus comparison)');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-prom-'));
  try {
    const input = join(dir, 'samples.om');
    const ws = createWriteStream(input);
    const write = (s: string) => new Promise<void>((res) => (ws.write(s) ? res() : ws.once('drain', () => res())));
    // OpenMetrics wants a family's samples together: group series by metric name.
    const byName = new Map<string, Generated['series']>();
    for (const s of g.series) {
      const name = s.labels.metricName();
      const list = byName.get(name) ?? [];
      list.push(s);
      byName.set(name, list);
    }
    for (const [name, list] of byName) {
      await write(`# TYPE ${name} ${name.endsWith('_total') ? 'unknown' : 'gauge'}\n`);
      for (const s of list) {
        const pairs: string[] = [];
        s.labels.forEach((n, v) => {
          if (n !== '__name__') pairs.push(`${n}="${v}"`);
        });
        const lbl = pairs.join(',');
        let buf = '';
        for (let i = 0; i < s.t.length; i++) {
          buf += `${name}{${lbl}} ${s.v[i]} ${(s.t[i]! / 1000).toFixed(3)}\n`;
          if (buf.length > 1 << 20) {
            await write(buf);
            buf = '';
          }
        }
        await write(buf);
      }
    }
    await write('# EOF\n');
    await new Promise<void>((res) => ws.end(res));
    const out = join(dir, 'blocks');
    const t0 = performance.now();
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', input, out], { stdio: 'inherit' });
    const samples = SERIES * SAMPLES;
    const chunks = dirBytes(out, (p) => p.includes('/chunks/'));
    const total = dirBytes(out);
    const blocks = readdirSync(out).length;
    console.log(`\n## Prometheus 2.42 TSDB (promtool, ${blocks} blocks, ${fmt((performance.now() - t0) / 1000, 1)} s)`);
    console.log(`chunks only                    ${fmt(chunks / samples)} B/sample`);
    console.log(`chunks + index + meta          ${fmt(total / samples)} B/sample`);
    return { chunks: chunks / samples, total: total / samples };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bigtableReadTime(g: Generated): Promise<void> {
  if (process.argv.includes('--no-bigtable')) return;
  const emu = await startBigtableEmulator();
  try {
    const opts = { projectId: 'bench', instanceId: 'bench', tableId: 'chunks', apiEndpoint: emu.address };
    const chunks = cutChunks(g, 120);
    const writer = new KVChunkStore({ kv: await BigtableKV.open(opts) });
    let t = performance.now();
    await putAll(writer, chunks);
    const writeMs = performance.now() - t;
    await writer.close();
    // A fresh client and store: nothing cached from the writes.
    const reader = new KVChunkStore({ kv: await BigtableKV.open(opts) });
    t = performance.now();
    const q = reader.queryable(TENANT).querier(T0, T0 + HOURS * 3600_000 - 1);
    const series = await q.select(true, undefined, [new Matcher('=', 'job', 'node')]);
    const selectMs = performance.now() - t;
    let n = 0;
    for (const s of series) {
      const it = s.iterator();
      while (it.next() === ValueType.Float) n++;
    }
    const totalMs = performance.now() - t;
    await reader.close();
    console.log(`\n## Bigtable emulator: ${chunks.length} chunks`);
    console.log(`write (put in batches of 2000 chunks)  ${fmt(writeMs / 1000, 2)} s`);
    console.log(`read ${HOURS} h of ${series.length} series: index + chunk rows ${fmt(selectMs / 1000, 2)} s,`);
    console.log(
      `  + decode ${n} samples: total ${fmt(totalMs / 1000, 2)} s (${fmt(n / (totalMs / 1000) / 1e6, 2)} M samples/s)`,
    );
    if (n !== SERIES * SAMPLES) throw new Error(`read ${n} samples, expected ${SERIES * SAMPLES}`);
  } finally {
    await emu.stop();
  }
}

/**
 * Counts SortedKV calls and bytes through any store. On Bigtable each call is one RPC (MutateRows
 * up to 10,000 rows, ReadRows up to 5,000 keys or ranges), so the call count is its request count.
 */
class MeteredKV implements SortedKV {
  calls: Record<string, number> = {};
  bytesWritten = 0;
  bytesRead = 0;
  constructor(private readonly inner: SortedKV) {}
  reset(): void {
    this.calls = {};
    this.bytesWritten = 0;
    this.bytesRead = 0;
  }
  private n(op: string): void {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
  }
  private read(es: KVEntry[]): KVEntry[] {
    for (const e of es) this.bytesRead += e.key.length + e.value.length;
    return es;
  }
  async put(entries: readonly KVEntry[], opts?: CallOptions) {
    this.n('put');
    for (const e of entries) this.bytesWritten += e.key.length + e.value.length;
    await this.inner.put(entries, opts);
  }
  async get(key: Uint8Array, opts?: CallOptions) {
    this.n('get');
    const v = await this.inner.get(key, opts);
    this.bytesRead += v?.length ?? 0;
    return v;
  }
  async getMany(keys: readonly Uint8Array[], opts?: CallOptions) {
    this.n('getMany');
    const vs = await this.inner.getMany(keys, opts);
    for (const v of vs) this.bytesRead += v?.length ?? 0;
    return vs;
  }
  async scan(range: KeyRange, opts?: ScanOptions) {
    this.n('scan');
    return this.read(await this.inner.scan(range, opts));
  }
  async scanMany(ranges: readonly KeyRange[], opts?: ScanOptions) {
    this.n('scanMany');
    return this.read(await this.inner.scanMany(ranges, opts));
  }
  deleteKeys(keys: readonly Uint8Array[], opts?: CallOptions) {
    this.n('deleteKeys');
    return this.inner.deleteKeys(keys, opts);
  }
  deleteRange(range: KeyRange, opts?: CallOptions) {
    this.n('deleteRange');
    return this.inner.deleteRange(range, opts);
  }
  checkAndPut(key: Uint8Array, expected: Uint8Array | undefined, value: Uint8Array, opts?: CallOptions) {
    this.n('checkAndPut');
    return this.inner.checkAndPut(key, expected, value, opts);
  }
  close() {
    return this.inner.close();
  }
}

/** What one backend spent on one phase. */
interface Spent {
  ms: number;
  /** Requests to the store (Bigtable RPCs; DynamoDB calls). */
  requests: number;
  bytes: number;
  readUnits?: number;
  writeUnits?: number;
  s3Puts?: number;
  s3Gets?: number;
  s3Bytes?: number;
  samples: number;
}

interface Backend {
  name: string;
  /** A fresh store on the same data (nothing cached from earlier phases). */
  open(): Promise<{ kv: SortedKV; spent(): Omit<Spent, 'ms' | 'samples'> }>;
  stop(): Promise<void>;
}

async function bigtableBackend(): Promise<Backend> {
  const emu = await startBigtableEmulator();
  const opts = { projectId: 'bench', instanceId: 'bench', tableId: 'chunks', apiEndpoint: emu.address };
  return {
    name: 'Bigtable emulator',
    async open() {
      const kv = new MeteredKV(await BigtableKV.open(opts));
      return {
        kv,
        spent: () => ({
          requests: Object.values(kv.calls).reduce((a, b) => a + b, 0),
          bytes: kv.bytesWritten + kv.bytesRead,
        }),
      };
    },
    stop: () => emu.stop(),
  };
}

async function dynamoBackend(inlineMax: number): Promise<Backend> {
  const ddb = await startDynalite();
  const s3 = await startS3rver();
  const common = { region: 'us-east-1', credentials: EMULATOR_AWS_CREDENTIALS };
  return {
    name: `DynamoDB + S3 (dynalite + s3rver), chunks over ${inlineMax} B on S3`,
    async open() {
      const blobs = await S3BlobStore.open({
        ...common,
        bucket: 'bench',
        endpoint: s3.address,
        forcePathStyle: true,
        create: true,
      });
      const kv = await DynamoKV.open({
        ...common,
        tableName: 'chunks',
        endpoint: ddb.address,
        create: true,
        blobs,
        inlineMaxBytes: inlineMax,
      });
      return {
        kv,
        spent: () => {
          const st: DynamoKVStats = kv.stats();
          const { DescribeTable: _d, GetItem: _g, CreateTable: _c, PutItem: _p, ...data } = st.requests;
          return {
            requests: Object.values(data).reduce((a, b) => a + b, 0),
            bytes: st.bytesWritten + st.bytesRead,
            readUnits: st.readUnits,
            writeUnits: st.writeUnits,
            s3Puts: st.blobPuts,
            s3Gets: st.blobGets,
            s3Bytes: st.blobBytesWritten + st.blobBytesRead,
          };
        },
      };
    },
    async stop() {
      await ddb.stop();
      await s3.stop();
    },
  };
}

/** Flush, a dashboard panel and a full-day read on one backend; every phase on a fresh client. */
async function backendPhases(b: Backend, g: Generated): Promise<Record<string, Spent>> {
  const chunks = cutChunks(g, 120);
  const out: Record<string, Spent> = {};
  const phase = async (name: string, samples: number, fn: (store: KVChunkStore) => Promise<number>) => {
    const { kv, spent } = await b.open();
    const store = new KVChunkStore({ kv });
    const t = performance.now();
    const n = await fn(store);
    out[name] = { ms: performance.now() - t, samples: samples || n, ...spent() };
    await store.close();
  };
  await phase('flush', SERIES * SAMPLES, async (store) => {
    await putAll(store, chunks);
    return SERIES * SAMPLES;
  });
  const read = async (store: KVChunkStore, mint: number, maxt: number, matchers: Matcher[]) => {
    const q = store.queryable(TENANT).querier(mint, maxt);
    let n = 0;
    for (const s of await q.select(true, undefined, matchers)) {
      const it = s.iterator();
      while (it.next() === ValueType.Float) n++;
    }
    return n;
  };
  const end = T0 + HOURS * 3600_000 - 1;
  // A dashboard panel: one host's idle CPU per core over the last 6 h (64 series of 512 CPU counters).
  await phase('panel', 0, (store) =>
    read(store, end - 6 * 3600_000, end, [
      new Matcher('=', '__name__', 'node_cpu_seconds_total'),
      new Matcher('=', 'mode', 'idle'),
      new Matcher('=', 'host', '0'),
    ]),
  );
  await phase('day', 0, (store) => read(store, T0, end, [new Matcher('=', 'job', 'node')]));
  if (out.day!.samples !== SERIES * SAMPLES)
    throw new Error(`read ${out.day!.samples} samples, expected ${SERIES * SAMPLES}`);
  return out;
}

function printBackends(results: [string, Record<string, Spent>][]): void {
  const M = 1e6;
  console.log('\n## backends: what a flush and a query cost (requests and billed units)');
  console.log('\n| store | phase | time | requests | DynamoDB RU / WU | S3 PUT / GET | bytes moved | per |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, r] of results) {
    for (const [phase, s] of Object.entries(r)) {
      const per = phase === 'flush' ? M / s.samples : 1;
      const unit = phase === 'flush' ? 'per 1M samples flushed' : `per query (${s.samples} samples)`;
      const ru =
        s.readUnits === undefined ? '—' : `${fmt((s.readUnits ?? 0) * per, 1)} / ${fmt((s.writeUnits ?? 0) * per, 1)}`;
      const s3 = s.s3Puts === undefined ? '—' : `${fmt((s.s3Puts ?? 0) * per, 1)} / ${fmt((s.s3Gets ?? 0) * per, 1)}`;
      console.log(
        `| ${name} | ${phase} | ${fmt(s.ms / 1000, 2)} s | ${fmt(s.requests * per, 1)} | ${ru} | ${s3} | ${(((s.bytes + (s.s3Bytes ?? 0)) * per) / 2 ** 20).toFixed(2)} MiB | ${unit} |`,
      );
    }
  }
}

async function backends(g: Generated): Promise<void> {
  const wanted = STORE === undefined ? ['bigtable'] : STORE === 'dynamodb' ? ['bigtable', 'dynamodb'] : [STORE];
  const results: [string, Record<string, Spent>][] = [];
  for (const w of wanted) {
    if (w === 'bigtable' && process.argv.includes('--no-bigtable')) continue;
    if (w === 'dynamodb' && !(dynaliteAvailable() && s3rverAvailable())) {
      console.log('\n(dynalite or s3rver not installed: skipping DynamoDB + S3)');
      continue;
    }
    if (w !== 'bigtable' && w !== 'dynamodb') throw new Error(`--store ${w}: expected bigtable or dynamodb`);
    const b = w === 'bigtable' ? await bigtableBackend() : await dynamoBackend(INLINE_MAX);
    try {
      results.push([b.name, await backendPhases(b, g)]);
    } finally {
      await b.stop();
    }
  }
  printBackends(results);
}

async function main(): Promise<void> {
  console.log(`# storage benchmark: ${SERIES} series × ${HOURS} h at 15 s (${SERIES * SAMPLES} samples)`);
  const g = generate();
  if (STORE === undefined) {
    const ours = await storeBytes(g, 120, '120-sample chunks');
    await storeBytes(g, (12 * 3600_000) / STEP, '12 h chunks (Cortex max-chunk-age)');
    const prom = await prometheusBytes(g);
    if (prom) console.log(`\nratio ours(120-sample chunks) / Prometheus total: ${fmt(ours / prom.total, 2)}x`);
    await bigtableReadTime(g);
  }
  if (STORE !== undefined) await backends(g);
}

await main();
