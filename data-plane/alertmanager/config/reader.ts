import { parseDuration } from '../../model/index.js';
import type { ConfigError } from './types.js';

export type RawMap = Record<string, unknown>;

/**
 * `m[key]` for parsed YAML, own properties only: `m.toString` is Object.prototype's function, not
 * the tenant's field, and `__proto__` is an ordinary own key after parsing.
 */
export function own(m: RawMap | undefined, key: string): unknown {
  return m !== undefined && Object.hasOwn(m, key) ? m[key] : undefined;
}

/** Collects errors while the parser walks the raw YAML tree; every check names the field's path. */
export class Reader {
  readonly errors: ConfigError[] = [];

  err(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  /** A mapping with only `allowed` keys; unknown keys are errors (allow-list schema). */
  map(v: unknown, path: string, allowed: readonly string[]): RawMap | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.err(path, 'must be a mapping');
      return undefined;
    }
    const m = v as RawMap;
    for (const k of Object.keys(m)) {
      if (!allowed.includes(k)) this.err(join(path, k), `field ${k} is not supported`);
    }
    return m;
  }

  list(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.err(path, 'must be a list');
      return [];
    }
    return v;
  }

  str(m: RawMap | undefined, key: string, path: string, dflt = ''): string {
    const v = own(m, key);
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.err(join(path, key), 'must be a string');
    return dflt;
  }

  optStr(m: RawMap | undefined, key: string, path: string): string | undefined {
    const s = this.str(m, key, path);
    return s === '' ? undefined : s;
  }

  bool(m: RawMap | undefined, key: string, path: string, dflt: boolean): boolean {
    const v = own(m, key);
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'boolean') return v;
    this.err(join(path, key), 'must be true or false');
    return dflt;
  }

  int(m: RawMap | undefined, key: string, path: string, dflt: number): number {
    const v = own(m, key);
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    this.err(join(path, key), 'must be a non-negative integer');
    return dflt;
  }

  /** A Prometheus duration; undefined when absent. */
  duration(m: RawMap | undefined, key: string, path: string): number | undefined {
    const v = own(m, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      this.err(join(path, key), 'must be a duration string such as 5m');
      return undefined;
    }
    try {
      return parseDuration(v);
    } catch (e) {
      this.err(join(path, key), (e as Error).message);
      return undefined;
    }
  }

  strList(m: RawMap | undefined, key: string, path: string): string[] {
    const out: string[] = [];
    this.list(own(m, key), join(path, key)).forEach((v, i) => {
      if (typeof v === 'string') out.push(v);
      else this.err(`${join(path, key)}[${i}]`, 'must be a string');
    });
    return out;
  }

  strMap(m: RawMap | undefined, key: string, path: string): Record<string, string> {
    const out: Record<string, string> = Object.create(null);
    const raw = own(m, key);
    if (raw === undefined || raw === null) return out;
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      this.err(join(path, key), 'must be a mapping of strings');
      return out;
    }
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v === 'string') out[k] = v;
      else this.err(join(path, `${key}.${k}`), 'must be a string');
    }
    return out;
  }

  /** An http(s) URL; anything else (file://, gopher://, relative) is rejected. */
  url(m: RawMap | undefined, key: string, path: string, required: boolean): string {
    const s = this.str(m, key, path);
    if (s === '') {
      if (required) this.err(join(path, key), 'is required');
      return '';
    }
    const problem = urlProblem(s);
    if (problem) this.err(join(path, key), problem);
    return s;
  }
}

/** Why `s` is not an acceptable receiver URL, or undefined when it is. */
export function urlProblem(s: string): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return `invalid URL ${JSON.stringify(s)}`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return `unsupported URL scheme ${JSON.stringify(u.protocol.replace(/:$/, ''))}: only http and https are allowed`;
  }
  if (u.hostname === '') return `URL ${JSON.stringify(s)} has no host`;
  return undefined;
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
