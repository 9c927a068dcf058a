import { parseDuration } from '../../model/index.js';
import {
  formatG,
  goBuiltins,
  NeedsAsync,
  printValue,
  reReplaceAll,
  stringFuncs,
  type TemplateFunc,
} from '../../template/index.js';

export { reReplaceAll };

/** One sample of a `query` result, shaped like Prometheus's template `sample` struct. */
export interface TemplateSample {
  Labels: Map<string, string>;
  Value: number;
}

/** Runs an instant PromQL query for the `query` function. */
export type TemplateQueryFunc = (query: string) => Promise<TemplateSample[]>;

export interface FuncContext {
  query: TemplateQueryFunc;
  externalURL: string;
}

function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = v.trim() === '' ? Number.NaN : Number(v);
    if (Number.isNaN(n) && !/^[+-]?nan$/i.test(v.trim())) throw new Error(`can't convert ${v} to float`);
    return n;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new Error(`can't convert ${printValue(v)} to float`);
}

const SI_UP = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SI_DOWN = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const g4 = (v: number) => formatG(v, 4);

export function humanize(x: unknown): string {
  let v = toFloat(x);
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of SI_UP) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of SI_DOWN) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return g4(v) + prefix;
}

export function humanize1024(x: unknown): string {
  let v = toFloat(x);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

export function humanizeDuration(x: unknown): string {
  let v = toFloat(x);
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const d = Math.trunc(v);
    const s = d % 60;
    const m = Math.trunc(d / 60) % 60;
    const h = Math.trunc(d / 3600) % 24;
    const days = Math.trunc(d / 86400);
    if (days !== 0) return `${sign}${days}d ${h}h ${m}m ${s}s`;
    if (h !== 0) return `${sign}${h}h ${m}m ${s}s`;
    if (m !== 0) return `${sign}${m}m ${s}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of SI_DOWN) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

/** Go's time.Time.String() for a UTC time: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function humanizeTimestamp(x: unknown): string {
  const v = toFloat(x);
  if (!Number.isFinite(v)) return g4(v);
  const sec = Math.floor(v);
  // Prometheus rounds the fraction to milliseconds first (floatToTime).
  const nanos = Math.round((v - sec) * 1000) * 1e6;
  const iso = new Date(sec * 1000).toISOString();
  const frac = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}

function sample(v: unknown): TemplateSample {
  if (typeof v === 'object' && v !== null && 'Labels' in v && 'Value' in v) return v as TemplateSample;
  throw new Error(`expected a sample, got ${printValue(v)}`);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a !== typeof b) throw new Error('incompatible types for comparison');
  if (typeof a === 'number' || typeof a === 'string') return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  throw new Error('invalid type for comparison');
}

/** Go's builtin template functions plus Prometheus's template function map. */
export function templateFuncs(ctx: FuncContext): Map<string, TemplateFunc> {
  // Query results by query text, shared by every expansion that uses this map (one rule evaluation).
  const results = new Map<string, { ok: TemplateSample[] } | { err: unknown }>();
  const query = (q: unknown): TemplateSample[] => {
    const key = String(q);
    const hit = results.get(key);
    if (hit === undefined) {
      throw new NeedsAsync(async () => {
        try {
          results.set(key, { ok: await ctx.query(key) });
        } catch (err) {
          results.set(key, { err });
        }
      });
    }
    if ('err' in hit) throw hit.err;
    return hit.ok;
  };
  const f = new Map<string, TemplateFunc>([
    ...goBuiltins(),
    ...stringFuncs(),
    // Prometheus (template.go's FuncMap).
    ['query', query],
    [
      'first',
      (v) => {
        if (!Array.isArray(v) || v.length === 0) throw new Error('first() called on vector with no elements');
        return v[0];
      },
    ],
    ['label', (name, s) => sample(s).Labels.get(String(name)) ?? ''],
    ['value', (s) => sample(s).Value],
    ['strvalue', (s) => sample(s).Labels.get('__value__') ?? ''],
    [
      'sortByLabel',
      (name, v) =>
        [...(v as TemplateSample[])].sort((a, b) =>
          compare(a.Labels.get(String(name)) ?? '', b.Labels.get(String(name)) ?? ''),
        ),
    ],
    ['args', (...a) => new Map(a.map((x, i) => [`arg${i}`, x]))],
    [
      'stripPort',
      (s) =>
        String(s)
          .replace(/:\d+$/, '')
          .replace(/^\[(.*)\]$/, '$1'),
    ],
    [
      'stripDomain',
      (s) => {
        const str = String(s);
        const port = /:\d+$/.exec(str)?.[0] ?? '';
        const host = str.slice(0, str.length - port.length);
        return /^[\d.]+$/.test(host) || host.includes(':') ? str : (host.split('.')[0] ?? '') + port;
      },
    ],
    ['humanize', humanize],
    ['humanize1024', humanize1024],
    ['humanizeDuration', humanizeDuration],
    ['humanizePercentage', (v) => `${g4(toFloat(v) * 100)}%`],
    ['humanizeTimestamp', humanizeTimestamp],
    ['toTime', (v) => new Date(toFloat(v) * 1000)],
    ['toDuration', (v) => toFloat(v)],
    ['parseDuration', (s) => parseDuration(String(s)) / 1000],
    ['externalURL', () => ctx.externalURL],
    [
      'pathPrefix',
      () => {
        try {
          return new URL(ctx.externalURL).pathname.replace(/\/$/, '');
        } catch {
          return '';
        }
      },
    ],
    ['graphLink', (q) => `/graph?g0.expr=${encodeURIComponent(String(q))}&g0.tab=0`],
    ['tableLink', (q) => `/graph?g0.expr=${encodeURIComponent(String(q))}&g0.tab=1`],
  ]);
  return f;
}

/** Names of every function, for parse-time checks (validation needs no query function). */
export const TEMPLATE_FUNC_NAMES: ReadonlySet<string> = new Set(
  templateFuncs({ query: async () => [], externalURL: '' }).keys(),
);
