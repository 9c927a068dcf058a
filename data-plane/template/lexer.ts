import { TemplateError } from './errors.js';

export type Tok =
  | { t: 'text'; v: string }
  | { t: 'open' }
  | { t: 'close' }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'ident'; v: string }
  /** `adj`: written right after the previous operand (`$x.a`, `(…).a`, `.a.b`), so it continues its chain. */
  | { t: 'field'; v: string; adj: boolean }
  | { t: 'var'; v: string }
  | { t: 'dot' }
  | { t: 'punct'; v: '(' | ')' | '|' | ':=' | '=' | ',' };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/y;

/**
 * Splits a template into text and action tokens, honouring `{{-`/`-}}` trim markers and
 * `{{/* comments *\/}}` as Go's text/template lexer does.
 */
export function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (open < 0) {
      if (text !== '') out.push({ t: 'text', v: text });
      break;
    }
    let p = open + 2;
    const trimLeft = src[p] === '-' && isSpace(src[p + 1]);
    if (trimLeft) {
      text = text.replace(/\s+$/, '');
      p += 2;
    }
    if (text !== '') out.push({ t: 'text', v: text });
    while (isSpace(src[p])) p++;
    if (src.startsWith('/*', p)) {
      const end = src.indexOf('*/', p + 2);
      if (end < 0) throw new TemplateError('unclosed comment');
      p = end + 2;
      const close = closeAt(src, p);
      if (close < 0) throw new TemplateError('comment ends before closing delimiter');
      i = afterClose(src, p, close);
      continue;
    }
    out.push({ t: 'open' });
    i = lexAction(src, p, out);
  }
  return out;
}

/** Where the closing delimiter after optional space (and a trim marker) starts, or -1. */
function closeAt(src: string, p: number): number {
  let q = p;
  while (isSpace(src[q])) q++;
  if (src.startsWith('}}', q)) return q;
  if (src[q - 1] !== undefined && isSpace(src[q - 1]) && src.startsWith('-}}', q)) return q;
  return -1;
}

function afterClose(src: string, _p: number, close: number): number {
  if (src[close] === '-') {
    let q = close + 3;
    while (isSpace(src[q])) q++;
    return q;
  }
  return close + 2;
}

function lexAction(src: string, start: number, out: Tok[]): number {
  let p = start;
  for (;;) {
    while (isSpace(src[p])) p++;
    if (p >= src.length) throw new TemplateError('unclosed action');
    if (src.startsWith('}}', p)) {
      out.push({ t: 'close' });
      return p + 2;
    }
    if (src.startsWith('-}}', p) && isSpace(src[p - 1])) {
      out.push({ t: 'close' });
      p += 3;
      while (isSpace(src[p])) p++;
      return p;
    }
    const c = src[p]!;
    if (c === '"') {
      const [v, end] = readQuoted(src, p);
      out.push({ t: 'str', v });
      p = end;
    } else if (c === '`') {
      const end = src.indexOf('`', p + 1);
      if (end < 0) throw new TemplateError('unterminated raw quoted string');
      out.push({ t: 'str', v: src.slice(p + 1, end) });
      p = end + 1;
    } else if (c === '(' || c === ')' || c === '|' || c === ',') {
      out.push({ t: 'punct', v: c });
      p++;
    } else if (c === ':' && src[p + 1] === '=') {
      out.push({ t: 'punct', v: ':=' });
      p += 2;
    } else if (c === '=') {
      out.push({ t: 'punct', v: '=' });
      p++;
    } else if (c === '$') {
      IDENT.lastIndex = p + 1;
      const m = IDENT.exec(src);
      const name = m ? m[0] : '';
      out.push({ t: 'var', v: `$${name}` });
      p += 1 + name.length;
    } else if (c === '.') {
      IDENT.lastIndex = p + 1;
      const m = IDENT.exec(src);
      if (m) {
        out.push({ t: 'field', v: m[0], adj: /[A-Za-z0-9_)$]/.test(src[p - 1] ?? '') });
        p += 1 + m[0].length;
      } else if (/\d/.test(src[p + 1] ?? '')) {
        p = lexNumber(src, p, out);
      } else {
        out.push({ t: 'dot' });
        p++;
      }
    } else if (/[0-9+-]/.test(c)) {
      p = lexNumber(src, p, out);
    } else {
      IDENT.lastIndex = p;
      const m = IDENT.exec(src);
      if (!m) throw new TemplateError(`unexpected ${JSON.stringify(c)} in action`);
      out.push({ t: 'ident', v: m[0] });
      p += m[0].length;
    }
  }
}

function lexNumber(src: string, p: number, out: Tok[]): number {
  NUMBER.lastIndex = p;
  const m = NUMBER.exec(src);
  if (!m) throw new TemplateError(`bad number syntax at ${JSON.stringify(src.slice(p, p + 10))}`);
  const v = Number(m[0].replaceAll('_', ''));
  if (Number.isNaN(v)) throw new TemplateError(`bad number syntax: ${JSON.stringify(m[0])}`);
  out.push({ t: 'num', v });
  return p + m[0].length;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

function readQuoted(src: string, start: number): [string, number] {
  let out = '';
  let p = start + 1;
  while (p < src.length) {
    const c = src[p]!;
    if (c === '"') return [out, p + 1];
    if (c === '\n') break;
    if (c === '\\') {
      const n = src[p + 1] ?? '';
      if (n === 'x' || n === 'u' || n === 'U') {
        const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
        const hex = src.slice(p + 2, p + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new TemplateError('bad escape in string');
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        p += 2 + len;
        continue;
      }
      const e = ESCAPES[n];
      if (e === undefined) throw new TemplateError(`unknown escape sequence \\${n}`);
      out += e;
      p += 2;
      continue;
    }
    out += c;
    p++;
  }
  throw new TemplateError('unterminated quoted string');
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}
