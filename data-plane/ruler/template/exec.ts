import type { Arg, Cmd, Node, Pipe } from './ast.js';
import { TemplateError } from './errors.js';
import { formatG } from './go-fmt.js';

/** A template function: receives evaluated arguments (the piped value last). */
export type TemplateFunc = (...args: unknown[]) => unknown;

interface Var {
  name: string;
  value: unknown;
}

const MAX_OUTPUT = 1 << 20;

/**
 * Thrown by a function whose answer is not at hand yet (the `query` function before its PromQL ran).
 * The caller fetches it and executes again: templates have no side effects, so a rerun is safe, and
 * the interpreter stays synchronous (no promise per node).
 */
export class NeedsAsync extends Error {
  constructor(readonly fetch: () => void) {
    super('template needs an asynchronous result');
  }
}

/**
 * Executes parsed template nodes against `data` (the dot). Maps (label sets) are JS `Map`s;
 * structs are plain objects with fixed keys.
 */
export function execTemplate(nodes: readonly Node[], data: unknown, funcs: ReadonlyMap<string, TemplateFunc>): string {
  const st = new State(funcs, data);
  st.list(nodes, data);
  return st.out;
}

class State {
  out = '';
  readonly vars: Var[];

  constructor(
    private readonly funcs: ReadonlyMap<string, TemplateFunc>,
    data: unknown,
  ) {
    this.vars = [{ name: '$', value: data }];
  }

  list(nodes: readonly Node[], dot: unknown): void {
    const mark = this.vars.length;
    for (const n of nodes) this.node(n, dot);
    this.vars.length = mark;
  }

  private node(n: Node, dot: unknown): void {
    switch (n.kind) {
      case 'text':
        this.write(n.text);
        return;
      case 'action': {
        const v = this.pipe(n.pipe, dot);
        if (n.pipe.decl.length === 0) this.write(printValue(v));
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.pipe(n.pipe, dot);
        if (truthy(v)) this.list(n.list, n.kind === 'with' ? v : dot);
        else if (n.elseList) this.list(n.elseList, dot);
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.range(n, dot);
    }
  }

  private range(n: Extract<Node, { kind: 'if' | 'with' | 'range' }>, dot: unknown): void {
    const mark = this.vars.length;
    const v = this.pipe({ ...n.pipe, decl: [] }, dot);
    const entries: [unknown, unknown][] = [];
    if (Array.isArray(v)) for (const [i, e] of v.entries()) entries.push([i, e]);
    else if (v instanceof Map) for (const k of [...v.keys()].sort()) entries.push([k, v.get(k)]);
    else if (typeof v === 'number' && Number.isInteger(v)) for (let i = 0; i < v; i++) entries.push([i, i]);
    else if (v !== null && v !== undefined) throw new TemplateError(`range can't iterate over ${printValue(v)}`);
    if (entries.length === 0) {
      if (n.elseList) this.list(n.elseList, dot);
      return;
    }
    const [k1, k2] = n.pipe.decl;
    for (const [k, e] of entries) {
      this.vars.length = mark;
      if (k1 !== undefined && k2 !== undefined) this.vars.push({ name: k1, value: k }, { name: k2, value: e });
      else if (k1 !== undefined) this.vars.push({ name: k1, value: e });
      this.list(n.list, e);
    }
    this.vars.length = mark;
  }

  private pipe(p: Pipe, dot: unknown): unknown {
    let v: unknown;
    let first = true;
    for (const c of p.cmds) {
      v = this.cmd(c, dot, first ? NONE : v);
      first = false;
    }
    for (const name of p.decl) {
      if (p.assign) {
        const slot = this.lookup(name);
        slot.value = v;
      } else this.vars.push({ name, value: v });
    }
    return v;
  }

  private cmd(c: Cmd, dot: unknown, piped: unknown): unknown {
    const [head, ...rest] = c.args;
    if (head?.kind === 'ident') {
      const f = this.funcs.get(head.name);
      if (!f) throw new TemplateError(`function "${head.name}" not defined`);
      const args: unknown[] = [];
      for (const a of rest) args.push(this.arg(a, dot));
      if (piped !== NONE) args.push(piped);
      try {
        return f(...args);
      } catch (err) {
        if (err instanceof NeedsAsync) throw err;
        const msg = err instanceof Error ? err.message : String(err);
        throw new TemplateError(`error calling ${head.name}: ${msg}`);
      }
    }
    if (rest.length > 0 || piped !== NONE) throw new TemplateError("can't give argument to non-function");
    return this.arg(head!, dot);
  }

  private arg(a: Arg, dot: unknown): unknown {
    switch (a.kind) {
      case 'dot':
        return dot;
      case 'lit':
        return a.value;
      case 'field':
        return fields(dot, a.names);
      case 'var':
        return fields(this.lookup(a.name).value, a.names);
      case 'paren':
        return fields(this.pipe(a.pipe, dot), a.names);
      case 'ident': {
        const f = this.funcs.get(a.name);
        if (!f) throw new TemplateError(`function "${a.name}" not defined`);
        return f();
      }
    }
  }

  private lookup(name: string): Var {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!;
    throw new TemplateError(`undefined variable: ${name}`);
  }

  private write(s: string): void {
    if (this.out.length + s.length > MAX_OUTPUT) throw new TemplateError('template output too large');
    this.out += s;
  }
}

const NONE = Symbol('none');

function fields(v: unknown, names: readonly string[]): unknown {
  let cur = v;
  for (const n of names) {
    if (cur instanceof Map) cur = cur.has(n) ? cur.get(n) : '';
    else if (typeof cur === 'object' && cur !== null && !Array.isArray(cur) && Object.hasOwn(cur, n)) {
      cur = (cur as Record<string, unknown>)[n];
    } else throw new TemplateError(`can't evaluate field ${n} in ${typeOf(cur)}`);
  }
  return cur;
}

function typeOf(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  return typeof v === 'number' ? 'float64' : typeof v;
}

/** Go's truth: false, 0, nil and empty strings, slices and maps are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** How Go's fmt prints a value with `%v`. */
export function printValue(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatG(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Map) {
    return `map[${[...v.keys()]
      .sort()
      .map((k) => `${k}:${printValue(v.get(k))}`)
      .join(' ')}]`;
  }
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return `{${Object.values(v).map(printValue).join(' ')}}`;
  return String(v);
}
