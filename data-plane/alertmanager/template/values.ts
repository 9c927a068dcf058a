import type { Labels } from '../../model/index.js';
import { GoDuration, type GoMap, GoTimeValue } from '../../template/index.js';

export { GoDuration, GoTimeValue };

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
