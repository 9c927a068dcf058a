import type { Reader } from './reader.js';
import type { TimeIntervalConfig, TimeIntervalSpec } from './types.js';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

type Range = { begin: number; end: number };

export function parseTimeIntervals(r: Reader, raw: unknown, key: string): TimeIntervalConfig[] {
  return r.list(raw, key).flatMap((ti, i) => {
    const path = `${key}[${i}]`;
    const m = r.map(ti, path, ['name', 'time_intervals']);
    if (!m) return [];
    const name = r.str(m, 'name', path);
    if (name === '') r.err(`${path}.name`, 'is required');
    const intervals = r
      .list(m.time_intervals, `${path}.time_intervals`)
      .map((s, j) => parseSpec(r, s, `${path}.time_intervals[${j}]`));
    return [{ name, intervals }];
  });
}

function parseSpec(r: Reader, raw: unknown, path: string): TimeIntervalSpec {
  const m = r.map(raw, path, ['times', 'weekdays', 'days_of_month', 'months', 'years', 'location']);
  const times = r.list(m?.times, `${path}.times`).flatMap((t, i) => {
    const p = `${path}.times[${i}]`;
    const tm = r.map(t, p, ['start_time', 'end_time']);
    const start = clock(r, r.str(tm, 'start_time', p), `${p}.start_time`);
    const end = clock(r, r.str(tm, 'end_time', p), `${p}.end_time`);
    if (start === undefined || end === undefined) return [];
    if (start >= end) r.err(p, 'start_time must be before end_time');
    return [{ startMinute: start, endMinute: end }];
  });
  const location = r.str(m, 'location', path, 'UTC');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: location });
  } catch {
    r.err(`${path}.location`, `unknown time zone ${JSON.stringify(location)}`);
  }
  return {
    times,
    weekdays: ranges(r, m, 'weekdays', path, (s) => named(s, WEEKDAYS, 0), 0, 6),
    daysOfMonth: ranges(r, m, 'days_of_month', path, (s) => int(s), -31, 31),
    months: ranges(r, m, 'months', path, (s) => named(s, MONTHS, 1) ?? int(s), 1, 12),
    years: ranges(r, m, 'years', path, (s) => int(s), 1, 9999),
    location,
  };
}

function clock(r: Reader, s: string, path: string): number | undefined {
  const mt = /^(\d{2}):(\d{2})$/.exec(s);
  const h = Number(mt?.[1]);
  const min = Number(mt?.[2]);
  if (!mt || h > 24 || min > 59 || (h === 24 && min !== 0)) {
    r.err(path, `invalid time of day ${JSON.stringify(s)}: use HH:MM`);
    return undefined;
  }
  return h * 60 + min;
}

function ranges(
  r: Reader,
  m: Record<string, unknown> | undefined,
  key: string,
  path: string,
  one: (s: string) => number | undefined,
  min: number,
  max: number,
): Range[] {
  return r.strList(m, key, path).flatMap((s, i) => {
    const parts = s.split(':');
    const b = one(parts[0]!.trim().toLowerCase());
    const e = parts.length > 1 ? one(parts[1]!.trim().toLowerCase()) : b;
    const ok = (x: number | undefined) => x !== undefined && x >= min && x <= max;
    if (parts.length > 2 || !ok(b) || !ok(e) || (key === 'days_of_month' && (b === 0 || e === 0))) {
      r.err(`${path}.${key}[${i}]`, `invalid range ${JSON.stringify(s)}`);
      return [];
    }
    if (Math.sign(b!) === Math.sign(e!) && b! > e!) {
      r.err(`${path}.${key}[${i}]`, `start of range ${JSON.stringify(s)} is after its end`);
      return [];
    }
    return [{ begin: b!, end: e! }];
  });
}

function named(s: string, names: string[], base: number): number | undefined {
  const i = names.indexOf(s);
  return i < 0 ? undefined : i + base;
}

function int(s: string): number | undefined {
  return /^-?\d+$/.test(s) ? Number(s) : undefined;
}
