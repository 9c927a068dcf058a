/**
 * Where the time goes in V8 CPU profiles (`node --cpu-prof` writes one `.cpuprofile` per thread):
 * self time per function, per file and per part of the query path, optionally only within a window
 * of the monotonic clock (`process.hrtime`, the clock the profiles use).
 *
 *   node --import tsx bench/cpuprofile-summary.ts [--top N] [--from US --to US | --windows FILE [--store S]] FILE|DIR…
 *
 * `--windows` reads the `bench-windows.json` that `bench/promql.ts --profile DIR` writes (the query
 * phase of each store mode, by server pid) and summarises only those samples.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const REPO = join(fileURLToPath(import.meta.url), '../..');

/** Parts of the query path, by file (first match wins). */
const CATEGORIES: [string, RegExp][] = [
  ['idle', /^\(idle\)$/],
  ['GC', /^\(garbage collector\)$/],
  ['V8/native (program)', /^\(program\)$/],
  [
    'HTTP server (node http, net, streams)',
    /^node:(_http|internal\/http|http|net|internal\/stream|stream|internal\/streams|internal\/timers|timers|events|internal\/process\/task_queues|internal\/async_hooks|async_hooks)/,
  ],
  [
    'fastify, routing, auth, API glue',
    /(node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-|secure-json|abstract-logging|pino|process-warning|rfdc|toad-cache|fast-querystring|ret|safe-regex2)\b|data-plane\/(gateway|api)\/|control-plane\/)/,
  ],
  ['query frontend, querier, limits', /data-plane\/(frontend|querier|validation|modules)\//],
  ['JSON response (toApiData, format, result codec)', /data-plane\/promql\/(api|format|pool\/result-codec)\.ts/],
  ['series → batches (series-batch, typed arrays)', /data-plane\/promql\/pool\/(series-batch|typed-arrays)/],
  ['pool: queue, transfer, shard plan/merge', /data-plane\/promql\/pool\//],
  ['chunk decoding (chunkenc)', /data-plane\/chunkenc\//],
  ['ingester head: postings, series, iterators', /data-plane\/ingester\//],
  ['chunk store: index, KV, merge', /data-plane\/storage\//],
  ['labels, matchers, regex', /(data-plane\/model\/|node_modules\/re2js)/],
  ['PromQL parse', /data-plane\/promql\/(parser|typecheck|printer|literals|duration|parse-error)|@lezer|lezer-promql/],
  ['PromQL evaluation', /data-plane\/promql\//],
  ['Bigtable client, gRPC', /node_modules\/(@google-cloud|@grpc|google-gax|protobufjs|gaxios|google-auth)/],
  ['other node internals', /^node:/],
  ['other', /./],
];

function short(url: string): string {
  if (url === '') return '(native)';
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(REPO)) u = relative(REPO, u);
  u = u.replace(/^dist\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = u.slice(nm + 13).split('/');
    u = `node_modules/${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  return u.replace(/\.js$/, '.ts');
}

export interface SummaryOptions {
  fromUs?: number;
  toUs?: number;
  top?: number;
}

interface Tally {
  totalUs: number;
  byFunction: Map<string, number>;
  byFile: Map<string, number>;
  byCategory: Map<string, number>;
}

function tally(p: CpuProfile, o: SummaryOptions): Tally {
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const t: Tally = { totalUs: 0, byFunction: new Map(), byFile: new Map(), byCategory: new Map() };
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  let ts = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    ts += p.timeDeltas[i] ?? 0;
    // a sample stands for the time until the next one
    const us = p.timeDeltas[i + 1] ?? 0;
    if ((o.fromUs !== undefined && ts < o.fromUs) || (o.toUs !== undefined && ts > o.toUs)) continue;
    const n = byId.get(p.samples[i]!);
    if (!n) continue;
    const cf = n.callFrame;
    const special = cf.functionName.startsWith('(') && cf.url === '';
    const file = special ? cf.functionName : short(cf.url);
    const fn = special ? cf.functionName : `${cf.functionName || '(anonymous)'}  ${file}:${cf.lineNumber + 1}`;
    t.totalUs += us;
    add(t.byFunction, fn, us);
    add(t.byFile, file, us);
    const key = special ? cf.functionName : cf.url.replace(/^file:\/\//, '') || `node:${cf.functionName}`;
    const cat = CATEGORIES.find(([, re]) => re.test(key) || re.test(file))?.[0] ?? 'other';
    add(t.byCategory, cat, us);
  }
  return t;
}

function table(m: Map<string, number>, total: number, busy: number, top: number): string[] {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([k, us]) =>
        `  ${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}% ${(k === '(idle)' || k === 'idle' ? '' : `${((100 * us) / busy).toFixed(1)}%`).padStart(6)}  ${k}`,
    );
}

/** Thread of a `CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile` file. */
function threadOf(file: string): string {
  const parts = basename(file).split('.');
  return parts.length >= 6
    ? `pid ${parts[3]} thread ${parts[4]}${parts[4] === '0' ? ' (main)' : ' (worker)'}`
    : basename(file);
}

export function summariseProfiles(files: string[], o: SummaryOptions = {}): string {
  const top = o.top ?? 25;
  const out: string[] = [];
  const all: Tally = { totalUs: 0, byFunction: new Map(), byFile: new Map(), byCategory: new Map() };
  for (const f of files.sort()) {
    const p = JSON.parse(readFileSync(f, 'utf8')) as CpuProfile;
    const t = tally(p, o);
    if (t.totalUs === 0) continue;
    const idle = t.byFunction.get('(idle)') ?? 0;
    const busy = t.totalUs - idle;
    out.push(
      `\n-- ${threadOf(f)}: ${(t.totalUs / 1000).toFixed(0)} ms sampled, busy ${(busy / 1000).toFixed(0)} ms (${((100 * busy) / t.totalUs).toFixed(0)}%)`,
    );
    out.push('  by part of the query path (ms, % of sampled, % of busy):');
    out.push(...table(t.byCategory, t.totalUs, busy, 30));
    out.push(`  top ${top} functions by self time:`);
    out.push(...table(t.byFunction, t.totalUs, busy, top));
    out.push('  top files by self time:');
    out.push(...table(t.byFile, t.totalUs, busy, 15));
    for (const k of ['byFunction', 'byFile', 'byCategory'] as const)
      for (const [name, us] of t[k]) all[k].set(name, (all[k].get(name) ?? 0) + us);
    all.totalUs += t.totalUs;
  }
  if (files.length > 1 && all.totalUs > 0) {
    const busy = all.totalUs - (all.byFunction.get('(idle)') ?? 0);
    out.push(`\n-- all threads: busy ${(busy / 1000).toFixed(0)} ms`);
    out.push('  by part of the query path (ms, % of sampled, % of busy):');
    out.push(...table(all.byCategory, all.totalUs, busy, 30));
  }
  return out.join('\n');
}

// CLI
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const o: SummaryOptions = {};
  const files: string[] = [];
  let windows: { store: string; pid: number; fromUs: number; toUs: number }[] | undefined;
  let store: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--top') o.top = Number(argv[++i]);
    else if (a === '--from') o.fromUs = Number(argv[++i]);
    else if (a === '--to') o.toUs = Number(argv[++i]);
    else if (a === '--windows') windows = JSON.parse(readFileSync(argv[++i]!, 'utf8'));
    else if (a === '--store') store = argv[++i];
    else if (statSync(a).isDirectory())
      files.push(
        ...readdirSync(a)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => join(a, f)),
      );
    else files.push(a);
  }
  if (windows) {
    for (const w of windows.filter((x) => !store || x.store === store)) {
      const mine = files.filter((f) => basename(f).split('.')[3] === String(w.pid));
      console.log(`== ${w.store} query phase, pid ${w.pid}, ${mine.length} threads`);
      console.log(summariseProfiles(mine, { ...o, fromUs: w.fromUs, toUs: w.toUs }));
    }
  } else console.log(summariseProfiles(files, o));
}
