import { type Piece, splitActions, TemplateError, type Token, tokenize } from './lex.js';

export type Operand =
  | { k: 'lit'; v: unknown }
  | { k: 'dot'; fields: string[] }
  | { k: 'var'; name: string; fields: string[] }
  | { k: 'fn'; name: string }
  | { k: 'sub'; pipe: Pipeline; fields: string[] };

export interface Pipeline {
  decl: string[];
  assign: boolean;
  cmds: Operand[][];
}

export type Node =
  | { k: 'text'; text: string }
  | { k: 'out'; pipe: Pipeline }
  | { k: 'if' | 'with'; pipe: Pipeline; body: Node[]; alt: Node[] }
  | { k: 'range'; pipe: Pipeline; body: Node[]; alt: Node[] }
  | { k: 'call'; name: string; pipe: Pipeline | undefined };

/** Parses a template; `define`/`block` bodies go into `defs`. */
export function parseTemplate(src: string, defs: Map<string, Node[]>): Node[] {
  const pieces = splitActions(src);
  let i = 0;
  const list = (stops: string[]): { nodes: Node[]; stop: string; rest: string } => {
    const nodes: Node[] = [];
    while (i < pieces.length) {
      const p = pieces[i++] as Piece;
      if (p.kind === 'text') {
        nodes.push({ k: 'text', text: p.text });
        continue;
      }
      const word = /^[a-z]+/.exec(p.text)?.[0] ?? '';
      const rest = p.text.slice(word.length).trim();
      if (stops.includes(word)) return { nodes, stop: word, rest };
      switch (word) {
        case 'if':
        case 'with':
          nodes.push(branch(word, rest));
          break;
        case 'range': {
          const body = list(['else', 'end']);
          const els = body.stop === 'else' ? list(['end']).nodes : [];
          nodes.push({ k: 'range', pipe: pipeline(rest), body: body.nodes, alt: els });
          break;
        }
        case 'define':
        case 'block': {
          const toks = tokenize(rest);
          const name = toks[0];
          if (name?.t !== 'str') throw new TemplateError(`${word} needs a quoted template name`);
          const body = list(['end']);
          defs.set(name.v, body.nodes);
          if (word === 'block') nodes.push({ k: 'call', name: name.v, pipe: pipeFrom(toks.slice(1)) });
          break;
        }
        case 'template': {
          const toks = tokenize(rest);
          const name = toks[0];
          if (name?.t !== 'str') throw new TemplateError('template needs a quoted template name');
          nodes.push({ k: 'call', name: name.v, pipe: toks.length > 1 ? pipeFrom(toks.slice(1)) : undefined });
          break;
        }
        case 'end':
        case 'else':
          throw new TemplateError(`unexpected {{${word}}}`);
        default:
          nodes.push({ k: 'out', pipe: pipeline(p.text) });
      }
    }
    if (stops.length > 0) throw new TemplateError(`unexpected end of template: missing {{${stops.join('/')}}}`);
    return { nodes, stop: '', rest: '' };
  };
  const branch = (k: 'if' | 'with', cond: string): Node => {
    const then = list(['else', 'end']);
    let els: Node[] = [];
    if (then.stop === 'else') {
      const nested = /^(if|with)\b/.exec(then.rest);
      if (nested) els = [branch(nested[1] as 'if' | 'with', then.rest.slice(nested[1]!.length).trim())];
      else els = list(['end']).nodes;
    }
    return { k, pipe: pipeline(cond), body: then.nodes, alt: els };
  };
  const nodes = list([]).nodes;
  return nodes;
}

function pipeline(s: string): Pipeline {
  const p = pipeFrom(tokenize(s));
  if (!p) throw new TemplateError('empty pipeline');
  return p;
}

function pipeFrom(toks: Token[]): Pipeline | undefined {
  if (toks.length === 0) return undefined;
  let pos = 0;
  const decl: string[] = [];
  let assign = false;
  // `$x := …`, `$i, $e := …`, `$x = …`
  const declEnd = toks.findIndex((t) => t.t === 'punct' && (t.v === ':=' || t.v === '='));
  if (declEnd > 0 && toks.slice(0, declEnd).every((t) => t.t === 'var' || (t.t === 'punct' && t.v === ','))) {
    for (const t of toks.slice(0, declEnd)) if (t.t === 'var') decl.push(t.v);
    assign = (toks[declEnd] as { v: string }).v === '=';
    pos = declEnd + 1;
  }
  const cmds: Operand[][] = [[]];
  const operand = (): Operand => {
    const t = toks[pos++]!;
    switch (t.t) {
      case 'str':
      case 'num':
        return { k: 'lit', v: t.v };
      case 'dot':
        return { k: 'dot', fields: [] };
      case 'field':
        return { k: 'dot', fields: t.v };
      case 'var':
        return { k: 'var', name: t.v, fields: t.fields };
      case 'ident':
        if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' };
        if (t.v === 'nil') return { k: 'lit', v: undefined };
        return { k: 'fn', name: t.v };
      case 'punct': {
        if (t.v !== '(') throw new TemplateError(`unexpected ${t.v}`);
        let depth = 1;
        const st = pos;
        while (pos < toks.length && depth > 0) {
          const x = toks[pos++]!;
          if (x.t === 'punct' && x.v === '(') depth++;
          if (x.t === 'punct' && x.v === ')') depth--;
        }
        if (depth !== 0) throw new TemplateError('unclosed parenthesis');
        const inner = pipeFrom(toks.slice(st, pos - 1));
        if (!inner) throw new TemplateError('empty parenthesis');
        const next = toks[pos];
        let fields: string[] = [];
        if (next?.t === 'field') {
          fields = next.v;
          pos++;
        }
        return { k: 'sub', pipe: inner, fields };
      }
    }
  };
  while (pos < toks.length) {
    const t = toks[pos]!;
    if (t.t === 'punct' && t.v === '|') {
      pos++;
      cmds.push([]);
      continue;
    }
    cmds[cmds.length - 1]!.push(operand());
  }
  if (cmds.some((c) => c.length === 0)) throw new TemplateError('missing command in pipeline');
  return { decl, assign, cmds };
}
