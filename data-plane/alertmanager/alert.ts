import { BadDataError, Labels } from '../model/index.js';

/** An alert as the Alertmanager holds it. Times are ms since the epoch. */
export interface Alert {
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt: number;
  generatorURL: string;
  updatedAt: number;
  /** True when endsAt was not sent and was set to now + resolve_timeout. */
  timeout: boolean;
  fingerprint: string;
}

export function isResolved(a: Alert, now: number): boolean {
  return a.endsAt <= now;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const enc = new TextEncoder();

/** Alertmanager's label-set fingerprint (FNV-1a 64 over name, 0xff, value, 0xff), 16 hex digits. */
export function fingerprint(labels: Labels): string {
  let h = FNV_OFFSET;
  const add = (b: number) => {
    h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK;
  };
  labels.forEach((n, v) => {
    for (const b of enc.encode(n)) add(b);
    add(0xff);
    for (const b of enc.encode(v)) add(b);
    add(0xff);
  });
  return h.toString(16).padStart(16, '0');
}

/** The v2 API's postableAlert. */
export interface PostableAlert {
  labels?: unknown;
  annotations?: unknown;
  startsAt?: unknown;
  endsAt?: unknown;
  generatorURL?: unknown;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Validates one posted alert and fills in times as Alertmanager does: a missing startsAt is now; a
 * missing endsAt is now + resolve_timeout (and marks the alert as timing out).
 */
export function alertFromPostable(p: PostableAlert, now: number, resolveTimeoutMs: number): Alert {
  const labels = labelSet(p.labels, 'labels', true);
  if (labels.isEmpty()) throw new BadDataError('at least one label pair required');
  const annotations = labelSet(p.annotations ?? {}, 'annotations', false);
  const startsAt = p.startsAt === undefined || p.startsAt === '' ? now : time(p.startsAt, 'startsAt');
  let endsAt: number;
  let timeout = false;
  if (p.endsAt === undefined || p.endsAt === '' || p.endsAt === '0001-01-01T00:00:00.000Z') {
    endsAt = Math.max(now, startsAt) + resolveTimeoutMs;
    timeout = true;
  } else endsAt = time(p.endsAt, 'endsAt');
  if (endsAt < startsAt) throw new BadDataError('start time must be before end time');
  if (p.generatorURL !== undefined && typeof p.generatorURL !== 'string') {
    throw new BadDataError('generatorURL must be a string');
  }
  return {
    labels,
    annotations,
    startsAt,
    endsAt,
    generatorURL: (p.generatorURL as string | undefined) ?? '',
    updatedAt: now,
    timeout,
    fingerprint: fingerprint(labels),
  };
}

function labelSet(v: unknown, what: string, strictNames: boolean): Labels {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadDataError(`${what} must be an object`);
  const pairs: [string, string][] = [];
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw new BadDataError(`${what}.${k} must be a string`);
    if (strictNames && !LABEL_NAME.test(k)) throw new BadDataError(`invalid label name ${JSON.stringify(k)}`);
    if (x !== '') pairs.push([k, x]);
  }
  return Labels.fromPairs(pairs);
}

function time(v: unknown, what: string): number {
  const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t)) throw new BadDataError(`${what} must be an RFC 3339 time`);
  return t;
}

/**
 * Merges a re-sent alert into the stored one (Alertmanager's Alert.Merge): overlapping intervals join,
 * keeping the earlier start; the newer update decides end and annotations.
 */
export function mergeAlert(prev: Alert, next: Alert): Alert {
  const overlaps = next.startsAt <= prev.endsAt && prev.startsAt <= next.endsAt;
  if (!overlaps) return next;
  const newer = next.updatedAt >= prev.updatedAt ? next : prev;
  const out: Alert = { ...newer, startsAt: Math.min(prev.startsAt, next.startsAt) };
  // A timing-out alert never shortens an explicitly resolved one.
  if (newer.timeout && !prev.timeout && prev.endsAt > next.startsAt) out.endsAt = prev.endsAt;
  return out;
}

/** Alertmanager's alert order: by job, then instance, then the whole label set. */
export function compareAlerts(a: Alert, b: Alert): number {
  for (const k of ['job', 'instance']) {
    const ha = a.labels.has(k);
    const hb = b.labels.has(k);
    if (!ha && !hb) continue;
    if (!ha) return 1;
    if (!hb) return -1;
    const va = a.labels.get(k);
    const vb = b.labels.get(k);
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return Labels.compare(a.labels, b.labels);
}

/** `{a="1", b="2"}`, the form group keys and groupLabels print in. */
export function formatLabelSet(l: Labels): string {
  const parts: string[] = [];
  l.forEach((n, v) => {
    parts.push(`${n}=${JSON.stringify(v)}`);
  });
  return `{${parts.join(', ')}}`;
}
