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

const enc = new TextEncoder();

/**
 * Alertmanager's label-set fingerprint (FNV-1a 64 over name, 0xff, value, 0xff), 16 hex digits.
 * The 64-bit state lives in four 16-bit limbs so the multiply stays exact in doubles (no BigInt).
 */
export function fingerprint(labels: Labels): string {
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const add = (b: number) => {
    h0 ^= b;
    // × 0x100000001b3 = × 0x1b3 + (× 1 << 40); 1 << 40 is 0x100 in limb 2.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  };
  const addString = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        for (const b of enc.encode(s.slice(i))) add(b);
        return;
      }
      add(c);
    }
  };
  labels.forEach((n, v) => {
    addString(n);
    add(0xff);
    addString(v);
    add(0xff);
  });
  const hex = (x: number) => x.toString(16).padStart(4, '0');
  return hex(h3) + hex(h2) + hex(h1) + hex(h0);
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

/** 9999-12-31T23:59:59.999Z, the latest time `parseApiTime` can return. */
export const MAX_API_TIME_MS = 253_402_300_799_999;

/**
 * Validates one posted alert and fills in times as Alertmanager does: a missing startsAt is now; a
 * missing endsAt is now + resolve_timeout (and marks the alert as timing out).
 */
export function alertFromPostable(p: PostableAlert, now: number, resolveTimeoutMs: number): Alert {
  const labels = labelSet(p.labels, 'labels', true);
  if (labels.isEmpty()) throw new BadDataError('at least one label pair required');
  const annotations = labelSet(p.annotations ?? {}, 'annotations', false);
  const endsAtMissing = p.endsAt === undefined || p.endsAt === '' || p.endsAt === '0001-01-01T00:00:00.000Z';
  // Alertmanager starts a resolved alert that names no start at its end, not at the receive time:
  // a client's clock may run a little behind ours, and the resolve must still be accepted.
  const startsAt =
    p.startsAt !== undefined && p.startsAt !== ''
      ? time(p.startsAt, 'startsAt')
      : endsAtMissing
        ? now
        : time(p.endsAt as string, 'endsAt');
  let endsAt: number;
  let timeout = false;
  if (endsAtMissing) {
    // resolve_timeout may be any duration: keep the sum a printable date (year 9999 at most).
    endsAt = Math.min(Math.max(now, startsAt) + resolveTimeoutMs, MAX_API_TIME_MS);
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

/**
 * RFC 3339 as Alertmanager's API reads it (four-digit year, optional fraction, `Z` or an offset).
 * `Date.parse` alone takes almost anything (`-1`, `1.5`, `+275760-09-13…`), and times beyond year
 * 9999 later overflow `Date` when printed.
 */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:?\d{2})$/;

/** Parses an API time (RFC 3339) into ms; BadDataError naming the field otherwise. */
export function parseApiTime(v: unknown, what: string): number {
  const t = typeof v === 'string' && RFC3339.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t)) {
    const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v;
    throw new BadDataError(`${what} must be an RFC 3339 time such as 2006-01-02T15:04:05Z, got ${shown}`);
  }
  return t;
}

function time(v: unknown, what: string): number {
  return parseApiTime(v, what);
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
