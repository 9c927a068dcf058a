/**
 * Go's float formatting as fmt prints it (`%v`, `%g`, `%.4g`, `%f`, `%e`). Templates rely on the
 * exact text: `{{ $value }}` of 1000000 is `1e+06` in Prometheus, not `1000000`.
 */

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return undefined;
}

/** Decimal digits and point position of `v` (|v| > 0), shortest or rounded to `prec` significant digits. */
function digitsOf(v: number, prec: number): { digits: string; exp: number } {
  const s = prec < 0 ? Math.abs(v).toExponential() : Math.abs(v).toExponential(Math.max(0, prec - 1));
  const [mant, e] = s.split('e') as [string, string];
  return { digits: mant.replace('.', ''), exp: Number(e) };
}

function expSuffix(exp: number): string {
  const a = Math.abs(exp);
  return `e${exp < 0 ? '-' : '+'}${a < 10 ? `0${a}` : a}`;
}

/** Go's %g with precision `prec` (-1 = shortest, as %v uses). Trailing zeros are dropped as in Go. */
export function formatG(v: number, prec = -1): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  if (v === 0) return `${sign}0`;
  const p = prec === 0 ? 1 : prec;
  const { digits: raw, exp } = digitsOf(v, p);
  const digits = raw.replace(/0+$/, '') || '0';
  let eprec = 6;
  if (p >= 0) {
    eprec = p;
    if (eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
  }
  if (exp < -4 || exp >= eprec) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return sign + m + expSuffix(exp);
  }
  return sign + placePoint(digits, exp);
}

function placePoint(digits: string, exp: number): string {
  const point = exp + 1;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Go's %e with precision `prec` (default 6). */
export function formatE(v: number, prec = 6): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  const s = v.toExponential(prec);
  const [m, e] = s.split('e') as [string, string];
  return m + expSuffix(Number(e));
}

/** Go's %f with precision `prec` (default 6). */
export function formatF(v: number, prec = 6): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  if (Math.abs(v) < 1e21) return v.toFixed(prec);
  return BigInt(Math.round(v)).toString() + (prec > 0 ? `.${'0'.repeat(prec)}` : '');
}

const VERB = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/g;

/** Go's fmt.Sprintf for the verbs templates use: v s d f F e E g G q x X t c %. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let n = 0;
  let out = format.replace(
    VERB,
    (_m, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      if (n >= args.length) return `%!${verb}(MISSING)`;
      const a = args[n++];
      const p = prec === undefined ? undefined : prec === '' ? 0 : Number(prec);
      return pad(formatOne(verb, a, p, flags), width === undefined ? 0 : Number(width), flags);
    },
  );
  if (n < args.length) {
    out += `%!(EXTRA ${args
      .slice(n)
      .map((a) => `${goType(a)}=${plain(a)}`)
      .join(', ')})`;
  }
  return out;
}

function goType(a: unknown): string {
  if (typeof a === 'number') return Number.isInteger(a) ? 'int' : 'float64';
  if (typeof a === 'string') return 'string';
  if (typeof a === 'boolean') return 'bool';
  return 'interface {}';
}

function plain(a: unknown): string {
  if (typeof a === 'number') return formatG(a);
  return String(a);
}

function formatOne(verb: string, a: unknown, prec: number | undefined, flags: string): string {
  const sign = (s: string) => (flags.includes('+') && !s.startsWith('-') ? `+${s}` : s);
  if (typeof a === 'number') {
    switch (verb) {
      case 'v':
      case 'g':
        return sign(formatG(a, prec ?? -1));
      case 'G':
        return sign(formatG(a, prec ?? -1).toUpperCase());
      case 'f':
      case 'F':
        return sign(formatF(a, prec ?? 6));
      case 'e':
        return sign(formatE(a, prec ?? 6));
      case 'E':
        return sign(formatE(a, prec ?? 6).toUpperCase());
      case 'd':
        return Number.isInteger(a) ? sign(String(a)) : `%!d(float64=${formatG(a)})`;
      case 'x':
      case 'X': {
        const s = Number.isInteger(a) ? a.toString(16) : `%!${verb}(float64=${formatG(a)})`;
        return verb === 'X' ? s.toUpperCase() : s;
      }
      case 'c':
        return Number.isInteger(a) ? String.fromCodePoint(a) : `%!c(float64=${formatG(a)})`;
      case 's':
      case 'q':
        return `%!${verb}(${goType(a)}=${formatG(a)})`;
      default:
        return `%!${verb}(${goType(a)}=${formatG(a)})`;
    }
  }
  if (typeof a === 'string') {
    switch (verb) {
      case 'v':
      case 's':
        return prec === undefined ? a : [...a].slice(0, prec).join('');
      case 'q':
        return JSON.stringify(a);
      case 'x':
      case 'X': {
        const s = Buffer.from(a, 'utf8').toString('hex');
        return verb === 'X' ? s.toUpperCase() : s;
      }
      default:
        return `%!${verb}(string=${a})`;
    }
  }
  if (typeof a === 'boolean') return verb === 'v' || verb === 't' ? String(a) : `%!${verb}(bool=${a})`;
  if (a === null || a === undefined) return verb === 'v' || verb === 's' ? '<nil>' : `%!${verb}(<nil>)`;
  return String(a);
}

function pad(s: string, width: number, flags: string): string {
  if (s.length >= width) return s;
  if (flags.includes('-')) return s + ' '.repeat(width - s.length);
  if (flags.includes('0') && /^[+-]?[\d.]/.test(s)) {
    const neg = s[0] === '-' || s[0] === '+' ? s[0] : '';
    return neg + '0'.repeat(width - s.length) + s.slice(neg.length);
  }
  return ' '.repeat(width - s.length) + s;
}
