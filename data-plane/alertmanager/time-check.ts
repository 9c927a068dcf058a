import type { TimeIntervalSpec } from './config/index.js';

const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

interface Parts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minute: number;
  daysInMonth: number;
}

function partsIn(t: number, zone: string): Parts {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
  });
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(t))) p[x.type] = x.value;
  const year = Number(p.year);
  const month = Number(p.month);
  return {
    year,
    month,
    day: Number(p.day),
    weekday: WEEKDAY.indexOf(p.weekday ?? ''),
    minute: Number(p.hour) * 60 + Number(p.minute),
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

const inRanges = (v: number, rs: readonly { begin: number; end: number }[]) =>
  rs.length === 0 || rs.some((r) => v >= r.begin && v <= r.end);

/** Whether `t` (ms) falls inside the interval; every non-empty field must match. */
export function inTimeInterval(spec: TimeIntervalSpec, t: number): boolean {
  const p = partsIn(t, spec.location);
  if (spec.times.length > 0 && !spec.times.some((x) => p.minute >= x.startMinute && p.minute < x.endMinute))
    return false;
  if (!inRanges(p.weekday, spec.weekdays)) return false;
  if (!inRanges(p.month, spec.months)) return false;
  if (!inRanges(p.year, spec.years)) return false;
  if (spec.daysOfMonth.length > 0) {
    const abs = (d: number) => (d < 0 ? p.daysInMonth + d + 1 : d);
    if (!spec.daysOfMonth.some((r) => p.day >= abs(r.begin) && p.day <= abs(r.end))) return false;
  }
  return true;
}
