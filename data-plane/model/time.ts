import { BadDataError } from './errors.js';

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];
const UNIT_MS = new Map(UNITS);
const DURATION_RE = /^(?:(\d+)(ms|y|w|d|h|m|s))+$/;
const PART_RE = /(\d+)(ms|y|w|d|h|m|s)/g;

/**
 * Parses a Prometheus duration (`1h30m`, `5m`, `250ms`, `0`) into integer milliseconds. Units must
 * appear largest first, each at most once, as Prometheus's model.ParseDuration requires.
 */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  if (!DURATION_RE.test(s)) throw new BadDataError(`not a valid duration string: ${JSON.stringify(s)}`);
  let total = 0;
  let lastRank = -1;
  for (const m of s.matchAll(PART_RE)) {
    const unit = m[2]!;
    const rank = UNITS.findIndex(([u]) => u === unit);
    if (rank <= lastRank) throw new BadDataError(`not a valid duration string: ${JSON.stringify(s)}`);
    lastRank = rank;
    total += Number(m[1]) * UNIT_MS.get(unit)!;
  }
  if (!Number.isSafeInteger(total)) throw new BadDataError(`duration out of range: ${JSON.stringify(s)}`);
  return total;
}

/** Formats milliseconds as Prometheus does (`1h30m`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.abs(ms);
  let out = ms < 0 ? '-' : '';
  for (const [u, size] of UNITS) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      rest -= n * size;
      out += `${n}${u}`;
    }
  }
  return out;
}

/** A source of the current time in ms; injected so tests never read the wall clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
