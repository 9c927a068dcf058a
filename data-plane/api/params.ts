import { BadDataError, parseDuration } from '../model/index.js';

/** Request parameters as Prometheus reads them: query string and form body merged, repeated keys kept. */
export class Params {
  private readonly m = new Map<string, string[]>();

  constructor(...sources: (URLSearchParams | Record<string, unknown> | undefined)[]) {
    for (const src of sources) {
      if (!src) continue;
      const entries = src instanceof URLSearchParams ? src.entries() : Object.entries(src);
      for (const [k, v] of entries) {
        const vals = Array.isArray(v) ? v.map(String) : [String(v)];
        const list = this.m.get(k);
        if (list) list.push(...vals);
        else this.m.set(k, vals);
      }
    }
  }

  get(name: string): string | undefined {
    return this.m.get(name)?.[0];
  }

  all(name: string): string[] {
    return this.m.get(name) ?? [];
  }

  required(name: string): string {
    const v = this.get(name);
    if (v === undefined || v === '') throw new BadDataError(`invalid parameter "${name}": missing`);
    return v;
  }
}

/** Prometheus's min/max API timestamps, used when start/end are absent. */
export const MIN_TIME_MS = -62135596800000;
export const MAX_TIME_MS = 253402300799000;

/**
 * Parses a Prometheus API time: unix seconds (float, ms precision) or RFC 3339. Returns integer ms.
 * Port of web/api/v1/api.go parseTime.
 */
export function parseTime(s: string, name: string): number {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const sec = Number(s);
    const ms = Math.round(sec * 1000);
    if (!Number.isSafeInteger(ms))
      throw new BadDataError(`invalid parameter "${name}": cannot parse "${s}" to a valid timestamp`);
    return ms;
  }
  if (/^\d{4}-\d\d-\d\dT/.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new BadDataError(`invalid parameter "${name}": cannot parse "${s}" to a valid timestamp`);
}

/** Parses a duration parameter: float seconds or a Prometheus duration string. Returns ms. */
export function parseDurationParam(s: string, name: string): number {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const ms = Math.round(Number(s) * 1000);
    if (!Number.isSafeInteger(ms))
      throw new BadDataError(
        `invalid parameter "${name}": cannot parse "${s}" to a valid duration. It overflows int64`,
      );
    return ms;
  }
  try {
    return parseDuration(s);
  } catch {
    throw new BadDataError(`invalid parameter "${name}": cannot parse "${s}" to a valid duration`);
  }
}

export function optionalTime(p: Params, name: string, dflt: number): number {
  const v = p.get(name);
  return v === undefined || v === '' ? dflt : parseTime(v, name);
}
