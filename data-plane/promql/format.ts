/**
 * Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent, and
 * "+Inf"/"-Inf"/"NaN" for the special values (Prometheus API and count_values use this).
 */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  if (!s.includes('e')) return s;
  const neg = v < 0;
  const [mant, expStr] = (neg ? s.slice(1) : s).split('e') as [string, string];
  const exp = Number(expStr);
  const [intPart, frac = ''] = mant.split('.') as [string, string?];
  const digits = intPart + frac;
  const point = intPart.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${out}` : out;
}

/**
 * A sample value as the Prometheus HTTP API writes it (util/jsonutil MarshalFloat): formatFloat,
 * except that magnitudes below 1e-6 or from 1e21 up use Go's 'e' format ("1e-07", "1.5e+21").
 */
export function formatApiFloat(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && Number.isFinite(a) && (a < 1e-6 || a >= 1e21)) {
    const [mant, exp] = v.toExponential().split('e') as [string, string];
    const sign = exp[0] === '-' ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '');
    return `${mant}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
  }
  return formatFloat(v);
}

/** Go's %g formatting for the few messages that print floats. */
export { goFloat as formatG } from '../model/index.js';
