import type { Labels } from '../../model/index.js';
import type { GoMap } from '../../template/index.js';
import type { AlertData, TemplateData } from '../notify/data.js';

/** A label or annotation set as templates see it (Alertmanager's template.KV). */
export class KV implements GoMap {
  constructor(readonly pairs: readonly (readonly [string, string])[]) {}

  static of(l: Labels): KV {
    return new KV([...l]);
  }
  get(name: string): string {
    return this.pairs.find((p) => p[0] === name)?.[1] ?? '';
  }
  /** GoMap: templates index, range over and take `len` of a KV as of a Go map. */
  goKeys(): string[] {
    return this.pairs.map((p) => p[0]);
  }
  goGet(name: string): string {
    return this.get(name);
  }
  SortedPairs(): Pairs {
    return pairs(this.pairs.map(([Name, Value]) => ({ Name, Value })));
  }
  Names(): string[] {
    return this.pairs.map((p) => p[0]);
  }
  Values(): string[] {
    return this.pairs.map((p) => p[1]);
  }
  Remove(names: unknown): KV {
    const drop = new Set(Array.isArray(names) ? names.map(String) : []);
    return new KV(this.pairs.filter((p) => !drop.has(p[0])));
  }
}

export type Pairs = { Name: string; Value: string }[] & { Names(): string[]; Values(): string[] };

/** A list with Go-style methods; methods are non-enumerable so the list stays a plain array. */
function withMethods<T, M extends Record<string, (this: T[]) => unknown>>(items: T[], methods: M): T[] & M {
  for (const [k, f] of Object.entries(methods)) Object.defineProperty(items, k, { value: f, enumerable: false });
  return items as T[] & M;
}

function pairs(items: { Name: string; Value: string }[]): Pairs {
  return withMethods(items, {
    Names(this: { Name: string }[]) {
      return this.map((p) => p.Name);
    },
    Values(this: { Value: string }[]) {
      return this.map((p) => p.Value);
    },
  });
}

/** A time value printing like Go's time.Time (UTC). */
export class GoTimeValue {
  constructor(readonly ms: number | undefined) {}
  toString(): string {
    const d = new Date(this.ms ?? Date.UTC(1, 0, 1));
    if (this.ms === undefined) return '0001-01-01 00:00:00 +0000 UTC';
    return `${d
      .toISOString()
      .replace('T', ' ')
      .replace(/\.000Z$|Z$/, '')} +0000 UTC`;
  }
  Unix(): number {
    return Math.floor((this.ms ?? 0) / 1000);
  }
  IsZero(): boolean {
    return this.ms === undefined;
  }
  /** Go layouts with the common tokens (2006 01 02 15 04 05 Jan Mon MST Z07:00 -0700). */
  Format(layout: unknown): string {
    const d = new Date(this.ms ?? 0);
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const tokens: [string, string][] = [
      ['2006', String(d.getUTCFullYear())],
      ['Z07:00', 'Z'],
      ['-0700', '+0000'],
      ['MST', 'UTC'],
      ['Jan', d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })],
      ['Mon', d.toLocaleString('en-US', { weekday: 'short', timeZone: 'UTC' })],
      ['01', p(d.getUTCMonth() + 1)],
      ['02', p(d.getUTCDate())],
      ['15', p(d.getUTCHours())],
      ['04', p(d.getUTCMinutes())],
      ['05', p(d.getUTCSeconds())],
    ];
    let out = '';
    const s = String(layout);
    for (let i = 0; i < s.length; ) {
      const tok = tokens.find(([k]) => s.startsWith(k, i));
      if (tok) {
        out += tok[1];
        i += tok[0].length;
      } else out += s[i++];
    }
    return out;
  }
}

/** A Go time.Duration: prints as Go does (`1h2m3.5s`); `valueOf()` is seconds, as humanizeDuration wants. */
export class GoDuration {
  constructor(readonly ms: number) {}
  valueOf(): number {
    return this.ms / 1000;
  }
  Seconds(): number {
    return this.ms / 1000;
  }
  toString(): string {
    const sign = this.ms < 0 ? '-' : '';
    const ms = Math.abs(this.ms);
    if (ms === 0) return '0s';
    if (ms < 1000) return `${sign}${trimNum(ms)}ms`;
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor((ms % 3_600_000) / 60_000);
    const sec = trimNum((ms % 60_000) / 1000);
    if (h > 0) return `${sign}${h}h${m}m${sec}s`;
    if (m > 0) return `${sign}${m}m${sec}s`;
    return `${sign}${sec}s`;
  }
}

function trimNum(n: number): string {
  return String(Number(n.toFixed(9)));
}

export type AlertList = Record<string, unknown>[] & { Firing(): AlertList; Resolved(): AlertList };

export function alertList(items: Record<string, unknown>[]): AlertList {
  return withMethods(items, {
    Firing(this: Record<string, unknown>[]) {
      return alertList(this.filter((a) => a.Status === 'firing'));
    },
    Resolved(this: Record<string, unknown>[]) {
      return alertList(this.filter((a) => a.Status === 'resolved'));
    },
  });
}

function alertValue(a: AlertData): Record<string, unknown> {
  return {
    Status: a.status,
    Labels: KV.of(a.labels),
    Annotations: KV.of(a.annotations),
    StartsAt: new GoTimeValue(a.startsAt),
    EndsAt: new GoTimeValue(a.endsAt),
    GeneratorURL: a.generatorURL,
    Fingerprint: a.fingerprint,
  };
}

/** The `.` of a notification template (Alertmanager's template.Data). */
export function templateValue(d: TemplateData): Record<string, unknown> {
  return {
    Receiver: d.receiver,
    Status: d.status,
    Alerts: alertList(d.alerts.map(alertValue)),
    GroupLabels: KV.of(d.groupLabels),
    CommonLabels: KV.of(d.commonLabels),
    CommonAnnotations: KV.of(d.commonAnnotations),
    ExternalURL: d.externalURL,
    GroupKey: d.groupKey,
  };
}
