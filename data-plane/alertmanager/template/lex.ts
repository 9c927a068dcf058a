/** A piece of template source: literal text or the inside of one `{{ }}` action. */
export type Piece = { kind: 'text'; text: string } | { kind: 'action'; text: string; pos: number };

/** Splits a Go template into text and actions, applying `{{-` / `-}}` whitespace trimming. */
export function splitActions(src: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text !== '') out.push({ kind: 'text', text });
      break;
    }
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text !== '') out.push({ kind: 'text', text });
    const close = findClose(src, start);
    if (close < 0) throw new TemplateError(`unclosed action at offset ${open}`);
    let end = close;
    if (src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '')) {
      end = close - 1;
      trimNext = true;
    }
    const body = src.slice(start, end).trim();
    if (!(body.startsWith('/*') && body.endsWith('*/'))) out.push({ kind: 'action', text: body, pos: open });
    i = close + 2;
  }
  return out;
}

/** The `}}` that ends the action starting at `i`, skipping quoted strings. */
function findClose(src: string, i: number): number {
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
    } else if (c === '`') {
      i = src.indexOf('`', i + 1);
      if (i < 0) return -1;
    } else if (c === '}' && src[i + 1] === '}') return i;
    i++;
  }
  return -1;
}

export type Token =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'ident'; v: string }
  | { t: 'field'; v: string[] }
  | { t: 'var'; v: string; fields: string[] }
  | { t: 'dot' }
  | { t: 'punct'; v: '(' | ')' | '|' | ':=' | '=' | ',' };

/** Tokens of one action's text. */
export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fieldChain = (): string[] => {
    const f: string[] = [];
    while (s[i] === '.' && /[A-Za-z_]/.test(s[i + 1] ?? '')) {
      i++;
      const st = i;
      while (i < s.length && /[A-Za-z0-9_]/.test(s[i]!)) i++;
      f.push(s.slice(st, i));
    }
    return f;
  };
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      if (j >= s.length) throw new TemplateError('unterminated quoted string');
      out.push({ t: 'str', v: JSON.parse(s.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (c === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError('unterminated raw string');
      out.push({ t: 'str', v: s.slice(i + 1, j) });
      i = j + 1;
    } else if (/[0-9-]/.test(c) && /[0-9]/.test(s[c === '-' ? i + 1 : i] ?? '')) {
      const m = /^-?\d+(\.\d+)?/.exec(s.slice(i))!;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (c === '.') {
      const f = fieldChain();
      if (f.length === 0) {
        out.push({ t: 'dot' });
        i++;
      } else out.push({ t: 'field', v: f });
    } else if (c === '$') {
      const st = ++i;
      while (i < s.length && /[A-Za-z0-9_]/.test(s[i]!)) i++;
      out.push({ t: 'var', v: `$${s.slice(st, i)}`, fields: fieldChain() });
    } else if (c === ':' && s[i + 1] === '=') {
      out.push({ t: 'punct', v: ':=' });
      i += 2;
    } else if (c === '(' || c === ')' || c === '|' || c === '=' || c === ',') {
      out.push({ t: 'punct', v: c });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const st = i;
      while (i < s.length && /[A-Za-z0-9_]/.test(s[i]!)) i++;
      out.push({ t: 'ident', v: s.slice(st, i) });
    } else throw new TemplateError(`unexpected ${JSON.stringify(c)} in action`);
  }
  return out;
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}
