/**
 * One expanded value: a number, `'stale'` for a staleness marker, or `undefined` for a missing
 * sample (`_`). Stale stays symbolic because arrays of doubles may canonicalise the marker's NaN bits.
 */
export type SeriesValue = number | 'stale' | undefined;

const NUM = '[-+]?(?:Inf|inf|NaN|nan|\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|\\.\\d+)';
const STEP = new RegExp(`^(${NUM})([+-])(${NUM})x(\\d+)$`);
const REPEAT = new RegExp(`^(${NUM})x(\\d+)$`);
const BLANKS = /^_x(\d+)$/;

function num(s: string): number {
  const t = s.replace(/^\+/, '');
  if (/^-?inf$/i.test(t)) return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(t)) return Number.NaN;
  const v = Number(t);
  if (Number.isNaN(v)) throw new Error(`invalid value ${JSON.stringify(s)}`);
  return v;
}

/**
 * Expands promtool's series notation: `1 2 3`, `1+2x3` (1 3 5 7), `5-1x2` (5 4 3), `7x2` (7 7 7),
 * `_` (missing), `_x3` (three missing), `stale` (staleness marker).
 */
export function expandSeriesValues(text: string): SeriesValue[] {
  const out: SeriesValue[] = [];
  for (const tok of text.trim().split(/\s+/).filter(Boolean)) {
    if (tok === '_') {
      out.push(undefined);
      continue;
    }
    if (tok === 'stale') {
      out.push('stale');
      continue;
    }
    let m = BLANKS.exec(tok);
    if (m) {
      for (let i = 0; i < Number(m[1]); i++) out.push(undefined);
      continue;
    }
    m = STEP.exec(tok);
    if (m) {
      const start = num(m[1]!);
      const step = num(m[3]!) * (m[2] === '-' ? -1 : 1);
      const n = Number(m[4]);
      // Adding repeatedly (not start + i*step) gives the same floats as Prometheus's loader.
      let v = start;
      out.push(v);
      for (let i = 0; i < n; i++) {
        v += step;
        out.push(v);
      }
      continue;
    }
    m = REPEAT.exec(tok);
    if (m) {
      const v = num(m[1]!);
      for (let i = 0; i <= Number(m[2]); i++) out.push(v);
      continue;
    }
    out.push(num(tok));
  }
  return out;
}
