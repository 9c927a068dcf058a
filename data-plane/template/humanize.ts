import { printValue } from './exec.js';
import { formatG } from './go-fmt.js';

/**
 * Prometheus's humanize functions (prometheus/common's template helpers), shared by rule templates
 * and Alertmanager templates. Numbers, numeric strings, booleans, and values whose `valueOf()` is a
 * number of seconds (a Go `time.Duration`) are accepted, as Prometheus's convertToFloat does.
 */

export function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = v.trim() === '' ? Number.NaN : Number(v);
    if (Number.isNaN(n) && !/^[+-]?nan$/i.test(v.trim())) throw new Error(`can't convert ${v} to float`);
    return n;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'object' && v !== null) {
    const n = (v as { valueOf(): unknown }).valueOf();
    if (typeof n === 'number') return n;
  }
  throw new Error(`can't convert ${printValue(v)} to float`);
}

const SI_UP = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SI_DOWN = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
export const g4 = (v: number): string => formatG(v, 4);

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
