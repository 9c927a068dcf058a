import type { Arg, Cmd, Node, Pipe } from './ast.js';
import { TemplateError } from './errors.js';
import { formatG } from './go-fmt.js';

/** A template function: receives evaluated arguments (the piped value last). */
export type TemplateFunc = (...args: unknown[]) => unknown;

/**
 * A value templates treat as a Go map (Alertmanager's `KV`): `.key` and `index` look keys up,
 * `len`, `range` (keys sorted) and truthiness work on its entries. Capitalised methods stay callable
 * (`.SortedPairs`); lower-case members are invisible to templates, as unexported Go names are.
 */
export interface GoMap {
  goKeys(): string[];
  goGet(key: string): unknown;
}

export function isGoMap(v: unknown): v is GoMap {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Partial<GoMap>).goKeys === 'function' &&
    typeof (v as Partial<GoMap>).goGet === 'function'
  );
}

export interface ExecOptions {
  funcs: ReadonlyMap<string, TemplateFunc>;
  /** Templates `{{template "name"}}` may call (from `define`/`block`). */
  defs?: ReadonlyMap<string, readonly Node[]>;
  /** How numbers print (default Go's `%v` of a float64: `1e+06`). */
  printNumber?: (n: number) => string;
  /** Bytes of output (default 1 MiB). */
  maxOutput?: number;
  /** Nested `{{template}}` calls (default 50). */
  maxDepth?: number;
  /** Nodes executed (default 200,000): bounds loops over large values and recursion. */
  maxSteps?: number;
}

interface Var {
  name: string;
  value: unknown;
}

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

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

/**
 * Executes parsed template nodes against `data` (the dot). Maps are JS `Map`s or `GoMap`s; structs
 * are plain objects whose own properties are the fields and whose capitalised functions are methods.
 */
export function execTemplate(nodes: readonly Node[], data: unknown, opts: ExecOptions): string {
  const st = new State(opts, data);
  st.list(nodes, data);
  return st.out;
}

class State {
  out = '';
  vars: Var[];
  private steps = 0;
  private depth = 0;
  private readonly print: (v: unknown) => string;

  constructor(
    private readonly opts: ExecOptions,
    data: unknown,
  ) {
    this.vars = [{ name: '$', value: data }];
    const num = opts.printNumber ?? formatG;
    this.print = (v) => printValue(v, num);
  }

  list(nodes: readonly Node[], dot: unknown): void {
    const mark = this.vars.length;
    for (const n of nodes) this.node(n, dot);
    this.vars.length = mark;
  }

  private node(n: Node, dot: unknown): void {
    this.step();
    switch (n.kind) {
      case 'text':
        this.write(n.text);
        return;
      case 'action': {
        const v = this.pipe(n.pipe, dot);
        if (n.pipe.decl.length === 0) this.write(this.print(v));
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
        return;
      case 'template':
        this.call(n.name, n.pipe, dot);
        return;
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  private maxSteps(): number {
    return this.opts.maxSteps ?? 200_000;
  }

  private step(): void {
    if (++this.steps > this.maxSteps()) throw new TemplateError('template ran too long');
  }

  private call(name: string, pipe: Pipe | undefined, dot: unknown): void {
    const body = this.opts.defs?.get(name);
    if (!body) throw new TemplateError(`no such template ${JSON.stringify(name)}`);
    if (this.depth >= (this.opts.maxDepth ?? 50)) throw new TemplateError('template recursion too deep');
    const d = pipe ? this.pipe(pipe, dot) : undefined;
    // A called template sees only `$` (its dot), as in Go.
    const saved = this.vars;
    this.vars = [{ name: '$', value: d }];
    this.depth++;
    try {
      this.list(body, d);
    } finally {
      this.depth--;
      this.vars = saved;
    }
  }

  private range(n: Extract<Node, { kind: 'if' | 'with' | 'range' }>, dot: unknown): void {
    const mark = this.vars.length;
    const v = this.pipe({ ...n.pipe, decl: [] }, dot);
    const entries: [unknown, unknown][] = [];
    if (Array.isArray(v)) for (const [i, e] of v.entries()) entries.push([i, e]);
    else if (v instanceof Map) for (const k of [...v.keys()].sort()) entries.push([k, v.get(k)]);
    else if (isGoMap(v)) for (const k of v.goKeys().sort()) entries.push([k, v.goGet(k)]);
    else if (typeof v === 'number' && Number.isInteger(v)) {
      if (v > this.maxSteps()) throw new TemplateError('template ran too long');
      for (let i = 0; i < v; i++) entries.push([i, i]);
    } else if (v !== null && v !== undefined) throw new TemplateError(`range can't iterate over ${this.print(v)}`);
    if (entries.length === 0) {
      if (n.elseList) this.list(n.elseList, dot);
      return;
    }
    const [k1, k2] = n.pipe.decl;
    try {
      for (const [k, e] of entries) {
        this.step();
        this.vars.length = mark;
        if (k1 !== undefined && k2 !== undefined) this.vars.push({ name: k1, value: k }, { name: k2, value: e });
        else if (k1 !== undefined) this.vars.push({ name: k1, value: e });
        try {
          this.list(n.list, e);
        } catch (sig) {
          if (sig !== CONTINUE) throw sig;
        }
      }
    } catch (sig) {
      if (sig !== BREAK) throw sig;
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
    const args = () => {
      const out: unknown[] = [];
      for (const a of rest) out.push(this.arg(a, dot));
      if (piped !== NONE) out.push(piped);
      return out;
    };
    if (head?.kind === 'ident') return this.callFunc(head.name, args());
    if (rest.length === 0 && piped === NONE) return this.arg(head!, dot);
    // A method call with arguments: `.CommonLabels.Remove .GroupLabels.Names`.
    return this.arg(head!, dot, args());
  }

  private callFunc(name: string, args: unknown[]): unknown {
    const f = this.opts.funcs.get(name);
    if (!f) throw new TemplateError(`function "${name}" not defined`);
    try {
      return f(...args);
    } catch (err) {
      if (err instanceof NeedsAsync || err instanceof TemplateError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new TemplateError(`error calling ${name}: ${msg}`);
    }
  }

  /** An operand's value; `callArgs` go to the method its field chain ends in. */
  private arg(a: Arg, dot: unknown, callArgs?: unknown[]): unknown {
    switch (a.kind) {
      case 'dot':
      case 'lit':
        if (callArgs) throw new TemplateError("can't give argument to non-function");
        return a.kind === 'dot' ? dot : a.value;
      case 'field':
        return fields(dot, a.names, callArgs);
      case 'var':
        return fields(this.lookup(a.name).value, a.names, callArgs);
      case 'paren':
        return fields(this.pipe(a.pipe, dot), a.names, callArgs);
      case 'ident':
        return this.callFunc(a.name, callArgs ?? []);
    }
  }

  private lookup(name: string): Var {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!;
    throw new TemplateError(`undefined variable: ${name}`);
  }

  private write(s: string): void {
    if (this.out.length + s.length > (this.opts.maxOutput ?? 1 << 20)) {
      throw new TemplateError('template output too large');
    }
    this.out += s;
  }
}

const NONE = Symbol('none');

function fields(v: unknown, names: readonly string[], callArgs: unknown[] | undefined): unknown {
  if (names.length === 0) {
    if (callArgs) throw new TemplateError("can't give argument to non-function");
    return v;
  }
  let cur = v;
  names.forEach((n, i) => {
    cur = field(cur, n, i === names.length - 1 ? callArgs : undefined);
  });
  return cur;
}

/** `.name` on a value: a method (capitalised function), a map key, or a struct field. */
export function field(cur: unknown, name: string, callArgs?: unknown[]): unknown {
  if (typeof cur === 'object' && cur !== null) {
    const m = (cur as Record<string, unknown>)[name];
    if (typeof m === 'function' && /^[A-Z]/.test(name)) return (m as TemplateFunc).apply(cur, callArgs ?? []);
    if (callArgs) throw new TemplateError(`${name} is not a method but has arguments`);
    if (cur instanceof Map) return cur.has(name) ? cur.get(name) : '';
    if (isGoMap(cur)) return cur.goGet(name);
    if (!Array.isArray(cur) && Object.hasOwn(cur, name) && typeof m !== 'function') return m;
  }
  throw new TemplateError(`can't evaluate field ${name} in type ${typeOf(cur)}`);
}

function typeOf(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'object') return 'struct';
  return typeof v;
}

/** Go's truth: false, 0, nil and empty strings, slices and maps are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (isGoMap(v)) return v.goKeys().length > 0;
  return true;
}

/** How Go's fmt prints a value with `%v` (numbers through `printNumber`, float64 by default). */
export function printValue(v: unknown, printNumber: (n: number) => string = formatG): string {
  const pv = (x: unknown) => printValue(x, printNumber);
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return printNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Map) {
    return `map[${[...v.keys()]
      .sort()
      .map((k) => `${k}:${pv(v.get(k))}`)
      .join(' ')}]`;
  }
  if (isGoMap(v)) {
    return `map[${v
      .goKeys()
      .sort()
      .map((k) => `${k}:${pv(v.goGet(k))}`)
      .join(' ')}]`;
  }
  if (Array.isArray(v)) return `[${v.map(pv).join(' ')}]`;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    // A value with its own String() (a Go Stringer, e.g. a time) prints through it.
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) {
      const s = (v as { toString(): string }).toString();
      if (s !== '[object Object]') return s;
    }
    return `{${Object.values(v).map(pv).join(' ')}}`;
  }
  return String(v);
}
