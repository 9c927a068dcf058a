import { BadDataError, parseDuration } from '../model/index.js';

/** Parses a PromQL number or duration literal (durations become seconds), sign included. */
export function parseNumberLiteral(text: string): number {
  let s = text.trim();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1).trim();
  }
  const lower = s.toLowerCase();
  if (lower === 'inf') return sign * Number.POSITIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  if (/^0x[0-9a-f]+$/i.test(s)) return sign * Number.parseInt(s.slice(2), 16);
  if (/^[0-9]+(ms|[smhdwy])/.test(s)) return (sign * parseDuration(s)) / 1000;
  const n = Number(s.replaceAll('_', ''));
  if (Number.isNaN(n)) throw new BadDataError(`bad number or duration syntax: "${text}"`);
  return sign * n;
}

const SIMPLE_ESC: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/**
 * Unquotes a PromQL string literal with Go escape rules. `\x`/octal escapes are bytes, decoded as
 * UTF-8 at the end; invalid UTF-8 is kept as U+FFFD replacement characters.
 */
export function unquoteString(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new BadDataError('unterminated quoted string');
  const body = lit.slice(1, -1);
  if (q === '`') return body;
  if (!body.includes('\\')) return body;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  const pushStr = (s: string) => {
    for (const b of enc.encode(s)) bytes.push(b);
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      pushStr(ch);
      i += ch.length - 1;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new BadDataError('invalid escape sequence at end of string');
    const simple = SIMPLE_ESC[e];
    if (simple !== undefined) {
      if ((e === "'" && q === '"') || (e === '"' && q === "'"))
        throw new BadDataError(`unknown escape sequence '\\${e}'`);
      pushStr(simple);
    } else if (e === 'x') {
      bytes.push(parseHex(body.slice(i + 1, i + 3), 2));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const cp = parseHex(body.slice(i + 1, i + 1 + n), n);
      // Go's strconv.Unquote: no surrogate halves, nothing past U+10FFFF (String.fromCodePoint throws there)
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        throw new BadDataError(`invalid Unicode code point in escape sequence '\\${e}${body.slice(i + 1, i + 1 + n)}'`);
      }
      pushStr(String.fromCodePoint(cp));
      i += n;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i, i + 3);
      const byte = Number.parseInt(oct, 8);
      if (!/^[0-7]{3}$/.test(oct) || byte > 255) throw new BadDataError(`invalid octal escape '\\${oct}'`);
      bytes.push(byte);
      i += 2;
    } else {
      throw new BadDataError(`unknown escape sequence '\\${e}'`);
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function parseHex(s: string, n: number): number {
  if (s.length !== n || !/^[0-9a-fA-F]+$/.test(s)) throw new BadDataError('invalid hex escape');
  return Number.parseInt(s, 16);
}

/** Go's %q-like quoting used in messages (JSON quoting is close enough for valid UTF-8). */
export function quote(s: string): string {
  return JSON.stringify(s);
}
