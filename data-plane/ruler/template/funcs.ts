import { parseDuration } from '../../model/index.js';
import {
  GoDuration,
  GoTimeValue,
  g4,
  goBuiltins,
  humanize,
  humanize1024,
  humanizeDuration,
  humanizeTimestamp,
  NeedsAsync,
  printValue,
  reReplaceAll,
  stringFuncs,
  type TemplateFunc,
  toFloat,
} from '../../template/index.js';

export { humanize, humanize1024, humanizeDuration, humanizeTimestamp, reReplaceAll };

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
    ['toTime', (v) => new GoTimeValue(Math.round(toFloat(v) * 1000))],
    ['toDuration', (v) => new GoDuration(Math.round(toFloat(v) * 1000))],
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
