import {
  formatG,
  goBuiltins,
  humanizeDuration,
  isGoMap,
  stringFuncs,
  TemplateError,
  type TemplateFunc,
} from '../../template/index.js';
import { GoDuration, GoTimeValue, KV } from './values.js';

/** Go prints an int as an int (the Alertmanager's numbers, `len` and `Unix`, are ints), a float with `%v`. */
export function printNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? String(n) : formatG(n);
}

function str(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (Array.isArray(v)) return `[${v.map(str).join(' ')}]`;
  if (isGoMap(v))
    return `map[${v
      .goKeys()
      .map((k) => `${k}:${str(v.goGet(k))}`)
      .join(' ')}]`;
  return String(v);
}

function time(v: unknown): GoTimeValue {
  if (v instanceof GoTimeValue && v.ms !== undefined) return v;
  throw new TemplateError(`expected a time, got ${str(v)}`);
}

function jsonable(v: unknown): unknown {
  if (v instanceof KV) return Object.fromEntries(v.pairs);
  if (v instanceof GoTimeValue) return v.toString();
  if (Array.isArray(v)) return v.map(jsonable);
  return v;
}

/**
 * The Alertmanager's template functions (template.DefaultFuncs) on top of Go's builtins. None
 * touches files or the environment.
 */
export const FUNCS: Record<string, TemplateFunc> = {
  ...Object.fromEntries(goBuiltins({ printNumber })),
  ...Object.fromEntries(stringFuncs()),
  trimSpace: (s) => str(s).trim(),
  join: (sep, list) => (Array.isArray(list) ? list.map(str).join(str(sep)) : str(list)),
  safeUrl: (s) => str(s),
  urlUnescape: (s) => {
    try {
      return decodeURIComponent(str(s).replace(/\+/g, ' '));
    } catch {
      throw new TemplateError(`invalid URL escape in ${JSON.stringify(str(s))}`);
    }
  },
  stringSlice: (...a) => a.map(str),
  toJson: (v) => JSON.stringify(jsonable(v)),
  humanizeDuration,
  /** Time elapsed since a time (`{{ .StartsAt | since | humanizeDuration }}`). */
  since: (t) => new GoDuration(Date.now() - time(t).ms!),
  /** A time in a Go layout, UTC (`{{ .StartsAt | date "2006-01-02 15:04" }}`). */
  date: (layout, t) => time(t).Format(layout),
};

export const FUNC_MAP: ReadonlyMap<string, TemplateFunc> = new Map(Object.entries(FUNCS));
export const FUNC_NAMES: ReadonlySet<string> = new Set(FUNC_MAP.keys());
