import type { Arg, Cmd, Node, Pipe } from './ast.js';
import { TemplateError } from './errors.js';
import { lex, type Tok } from './lexer.js';

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

export interface ParseOptions {
  /**
   * Functions templates may call. An unknown one is a parse error, as in Go, so validation catches
   * typos before anything runs. Undefined: any name parses (and fails when executed).
   */
  funcs?: ReadonlySet<string>;
  /** Receives the bodies of `{{define}}` and `{{block}}` (a later definition replaces an earlier one). */
  defs?: Map<string, Node[]>;
}

/** Parses a Go text/template into nodes; `define`d templates go into `opts.defs`. */
export function parseTemplate(src: string, opts: ParseOptions = {}): Node[] {
  const p = new Parser(lex(src), opts.funcs, opts.defs ?? new Map());
  const { list, end } = p.list();
  if (end !== undefined) throw new TemplateError(`unexpected {{${end}}}`);
  return list;
}

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly toks: Tok[],
    private readonly funcs: ReadonlySet<string> | undefined,
    private readonly defs: Map<string, Node[]>,
  ) {}

  /** Parses nodes until EOF or an `{{end}}`/`{{else …}}`, returning which keyword stopped it. */
  list(): { list: Node[]; end: 'end' | 'else' | undefined } {
    const out: Node[] = [];
    while (this.i < this.toks.length) {
      const tok = this.toks[this.i++]!;
      if (tok.t === 'text') {
        out.push({ kind: 'text', text: tok.v });
        continue;
      }
      if (tok.t !== 'open') throw new TemplateError('unexpected token outside action');
      const kw = this.peek();
      if (kw?.t === 'ident' && KEYWORDS.has(kw.v)) {
        this.i++;
        switch (kw.v) {
          case 'end':
            this.expectClose();
            return { list: out, end: 'end' };
          case 'else':
            return { list: out, end: 'else' };
          case 'if':
          case 'with':
          case 'range':
            out.push(this.control(kw.v));
            break;
          case 'define':
            this.define();
            break;
          case 'block':
          case 'template':
            out.push(this.templateCall(kw.v));
            break;
          case 'break':
          case 'continue':
            if (this.rangeDepth === 0) throw new TemplateError(`{{${kw.v}}} outside {{range}}`);
            this.expectClose();
            out.push({ kind: kw.v });
            break;
          default:
            throw new TemplateError(`unexpected {{${kw.v}}}`);
        }
        continue;
      }
      const pipe = this.pipe(true);
      this.expectClose();
      out.push({ kind: 'action', pipe });
    }
    return { list: out, end: undefined };
  }

  /** `{{define "name"}}…{{end}}`: a body with its own variables (only `$`). */
  private define(): void {
    const name = this.templateName('define');
    this.expectClose();
    this.defs.set(name, this.body('define'));
  }

  /** `{{template "name" [pipeline]}}`, or `{{block "name" pipeline}}…{{end}}` (define + call). */
  private templateCall(kw: 'template' | 'block'): Node {
    const name = this.templateName(kw);
    const pipe = this.peek()?.t === 'close' ? undefined : this.pipe(false);
    this.expectClose();
    if (kw === 'block') this.defs.set(name, this.body('block'));
    return { kind: 'template', name, pipe };
  }

  private templateName(kw: string): string {
    const t = this.toks[this.i++];
    if (t?.t !== 'str') throw new TemplateError(`{{${kw}}} needs a quoted template name`);
    return t.v;
  }

  private body(kw: string): Node[] {
    const saved = { vars: this.vars, rangeDepth: this.rangeDepth };
    this.vars = ['$'];
    this.rangeDepth = 0;
    const b = this.list();
    Object.assign(this, saved);
    if (b.end === undefined) throw new TemplateError(`unexpected EOF: missing {{end}} for {{${kw}}}`);
    if (b.end !== 'end') throw new TemplateError(`unexpected {{else}} in {{${kw}}}`);
    return b.list;
  }

  private control(kind: 'if' | 'with' | 'range'): Node {
    const mark = this.vars.length;
    const pipe = this.pipe(true);
    this.expectClose();
    if (kind === 'range') this.rangeDepth++;
    const body = this.list();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.end === undefined) {
      throw new TemplateError(`unexpected EOF: {{${kind}}} without {{end}} (missing {{else/end}})`);
    }
    if (body.end === 'else') {
      const next = this.peek();
      if (next?.t === 'ident' && (next.v === 'if' || next.v === 'with') && kind !== 'range') {
        // `{{else if …}}` is `{{else}}{{if …}}…{{end}}{{end}}` sharing the outer `end`.
        this.i++;
        elseList = [this.control(next.v)];
      } else {
        this.expectClose();
        const e = this.list();
        if (e.end !== 'end') throw new TemplateError(`expected {{end}} after {{else}} in {{${kind}}}`);
        elseList = e.list;
      }
    }
    this.vars.length = mark;
    return { kind, pipe, list: body.list, elseList };
  }

  private pipe(allowDecl: boolean): Pipe {
    const decl: string[] = [];
    let assign = false;
    if (allowDecl) {
      const save = this.i;
      const names: string[] = [];
      while (this.peek()?.t === 'var') {
        names.push((this.toks[this.i++] as { v: string }).v);
        const n = this.peek();
        if (n?.t === 'punct' && n.v === ',' && names.length === 1) {
          this.i++;
          continue;
        }
        break;
      }
      const op = this.peek();
      if (names.length > 0 && op?.t === 'punct' && (op.v === ':=' || op.v === '=')) {
        this.i++;
        decl.push(...names);
        assign = op.v === '=';
        for (const n of names) {
          if (assign && !this.vars.includes(n)) throw new TemplateError(`undefined variable: ${n}`);
        }
      } else this.i = save;
    }
    const cmds: Cmd[] = [];
    for (;;) {
      cmds.push(this.cmd());
      const n = this.peek();
      if (n?.t === 'punct' && n.v === '|') {
        this.i++;
        continue;
      }
      break;
    }
    if (!assign) for (const n of decl) this.vars.push(n);
    return { decl, assign, cmds };
  }

  private cmd(): Cmd {
    const args: Arg[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || t.t === 'close' || (t.t === 'punct' && (t.v === '|' || t.v === ')'))) break;
      args.push(this.operand());
    }
    if (args.length === 0) throw new TemplateError('missing value for command');
    return { args };
  }

  private operand(): Arg {
    const t = this.toks[this.i++];
    if (!t) throw new TemplateError('unexpected EOF in action');
    switch (t.t) {
      case 'dot':
        return { kind: 'dot' };
      case 'field':
        return { kind: 'field', names: [t.v, ...this.fieldChain()] };
      case 'var':
        if (!this.vars.includes(t.v)) throw new TemplateError(`undefined variable "${t.v}"`);
        return { kind: 'var', name: t.v, names: this.fieldChain() };
      case 'str':
        return { kind: 'lit', value: t.v };
      case 'num':
        return { kind: 'lit', value: t.v };
      case 'ident':
        if (t.v === 'true' || t.v === 'false') return { kind: 'lit', value: t.v === 'true' };
        if (t.v === 'nil') return { kind: 'lit', value: null };
        if (this.funcs && !this.funcs.has(t.v)) throw new TemplateError(`function "${t.v}" not defined`);
        return { kind: 'ident', name: t.v };
      case 'punct':
        if (t.v === '(') {
          const pipe = this.pipe(false);
          const c = this.toks[this.i++];
          if (c?.t !== 'punct' || c.v !== ')') throw new TemplateError('unclosed left paren');
          return { kind: 'paren', pipe, names: this.fieldChain() };
        }
        throw new TemplateError(`unexpected "${t.v}" in operand`);
      default:
        throw new TemplateError('unexpected token in operand');
    }
  }

  private fieldChain(): string[] {
    const names: string[] = [];
    for (let t = this.peek(); t?.t === 'field' && t.adj; t = this.peek()) {
      names.push(t.v);
      this.i++;
    }
    return names;
  }

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }

  private expectClose(): void {
    const t = this.toks[this.i++];
    if (t?.t !== 'close') throw new TemplateError('unexpected token in action; expected "}}"');
  }
}
