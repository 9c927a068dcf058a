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
 * UTF-8 at the end. Go strings may hold invalid UTF-8; such a byte b is kept as the lone surrogate
 * U+DC00+b (Python's "surrogateescape"), so a message can quote it as Go does (`"a\xc5z"`) and
 * label-name checks see it is not valid UTF-8. Encoding such a string to UTF-8 gives U+FFFD.
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
  return decodeUTF8Escaped(bytes);
}

/** UTF-8 bytes to a string; each byte not part of a valid sequence becomes U+DC00+byte. */
function decodeUTF8Escaped(b: number[]): string {
  let out = '';
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    let cp = n === 1 ? c : n === 2 ? c & 0x1f : n === 3 ? c & 0x0f : c & 0x07;
    let ok = n > 0 && i + n <= b.length;
    for (let k = 1; ok && k < n; k++) {
      const x = b[i + k]!;
      if ((x & 0xc0) !== 0x80) ok = false;
      cp = (cp << 6) | (x & 0x3f);
    }
    // overlong forms, surrogates and code points past U+10FFFF are invalid too
    if (
      ok &&
      ((n === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n === 4 && (cp < 0x10000 || cp > 0x10ffff)))
    )
      ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += n;
    } else {
      out += String.fromCharCode(0xdc00 + c);
      i++;
    }
  }
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether the string is valid UTF-8 as Go sees it (no byte kept by `unquoteString` as invalid). */
export function isValidUTF8(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

function parseHex(s: string, n: number): number {
  if (s.length !== n || !/^[0-9a-fA-F]+$/.test(s)) throw new BadDataError('invalid hex escape');
  return Number.parseInt(s, 16);
}

/**
 * Go's %q-like quoting used in messages: JSON quoting, which is close enough for valid UTF-8, with
 * the invalid bytes `unquoteString` kept as lone surrogates written `\xNN` as Go writes them.
 */
export function quote(s: string): string {
  const j = JSON.stringify(s);
  if (isValidUTF8(s)) return j;
  return j.replace(/\\ud([c-f][0-9a-f])([0-9a-f])/g, (m, hi: string, lo: string) => {
    const v = Number.parseInt(`d${hi}${lo}`, 16) - 0xdc00;
    return v >= 0x80 && v <= 0xff ? `\\x${v.toString(16).padStart(2, '0')}` : m;
  });
}
