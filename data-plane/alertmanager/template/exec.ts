import { RE2JS } from 're2js';
import { TemplateError } from './lex.js';
import type { Node, Operand, Pipeline } from './parse.js';
import { GoTimeValue, KV } from './values.js';

export interface ExecLimits {
  maxOutputBytes: number;
  maxDepth: number;
  maxSteps: number;
}

type Fn = (...args: unknown[]) => unknown;

const regexCache = new Map<string, RE2JS>();
function re(p: unknown): RE2JS {
  const s = String(p);
  let r = regexCache.get(s);
  if (!r) {
    r = RE2JS.compile(s);
    if (regexCache.size > 256) regexCache.clear();
    regexCache.set(s, r);
  }
  return r;
}

const cmp = (a: unknown, b: unknown) =>
  typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;

/** The functions templates may call: Go's builtins plus Alertmanager's. None touches files or the environment. */
export const FUNCS: Record<string, Fn> = {
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
  not: (a) => !truthy(a),
  len: (a) => lengthOf(a),
  index: (a, ...keys) => keys.reduce((v, k) => field(v, String(k), true), a),
  eq: (a, ...bs) => bs.some((b) => toPrim(a) === toPrim(b)),
  ne: (a, b) => toPrim(a) !== toPrim(b),
  lt: (a, b) => cmp(a, b) < 0,
  le: (a, b) => cmp(a, b) <= 0,
  gt: (a, b) => cmp(a, b) > 0,
  ge: (a, b) => cmp(a, b) >= 0,
  print: (...a) => a.map(str).join(''),
  println: (...a) => `${a.map(str).join(' ')}\n`,
  printf: (f, ...a) => sprintf(String(f), a),
  html: (s) => escapeHtml(str(s)),
  js: (s) => JSON.stringify(str(s)).slice(1, -1),
  urlquery: (...a) => encodeURIComponent(a.map(str).join('')),
  slice: (s, i, j) =>
    typeof s === 'string' || Array.isArray(s) ? s.slice(Number(i ?? 0), j === undefined ? undefined : Number(j)) : s,
  toUpper: (s) => str(s).toUpperCase(),
  toLower: (s) => str(s).toLowerCase(),
  title: (s) => str(s).replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
  trimSpace: (s) => str(s).trim(),
  join: (sep, list) => (Array.isArray(list) ? list.map(str).join(str(sep)) : str(list)),
  match: (p, s) => re(p).matcher(str(s)).find(),
  reReplaceAll: (p, r, s) =>
    re(p)
      .matcher(str(s))
      .replaceAll(str(r).replace(/\$\{(\w+)\}/g, '$$$1')),
  safeHtml: (s) => str(s),
  safeUrl: (s) => str(s),
  urlUnescape: (s) => decodeURIComponent(str(s)),
  stringSlice: (...a) => a.map(str),
  toJson: (v) => JSON.stringify(jsonable(v)),
};

function jsonable(v: unknown): unknown {
  if (v instanceof KV) return Object.fromEntries(v.pairs);
  if (v instanceof GoTimeValue) return v.toString();
  if (Array.isArray(v)) return v.map(jsonable);
  return v;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);
}

function toPrim(v: unknown): unknown {
  return v instanceof GoTimeValue ? v.ms : v;
}

export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof KV) return v.pairs.length > 0;
  return true;
}

function lengthOf(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v instanceof KV) return v.pairs.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  throw new TemplateError(`len of ${typeof v}`);
}

/** Go's %v-ish printing. */
export function str(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (Array.isArray(v)) return `[${v.map(str).join(' ')}]`;
  if (v instanceof KV) return `map[${v.pairs.map(([k, x]) => `${k}:${x}`).join(' ')}]`;
  return String(v);
}

function sprintf(f: string, args: unknown[]): string {
  let i = 0;
  return f.replace(
    /%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdvqfxt%])/g,
    (_m, _flags, width: string, prec: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      const a = args[i++];
      let s: string;
      switch (verb) {
        case 'd':
          s = String(Math.trunc(Number(a)));
          break;
        case 'f':
          s = Number(a).toFixed(prec === undefined ? 6 : Number(prec));
          break;
        case 'q':
          s = JSON.stringify(str(a));
          break;
        case 'x':
          s = typeof a === 'number' ? a.toString(16) : Buffer.from(str(a)).toString('hex');
          break;
        default:
          s = str(a);
      }
      return width ? s.padStart(Number(width)) : s;
    },
  );
}

/** Looks a field or method up the way text/template does on Alertmanager's data types. */
function field(v: unknown, name: string, isIndex = false, args: unknown[] = []): unknown {
  if (v instanceof KV) {
    const m = (v as unknown as Record<string, unknown>)[name];
    if (!isIndex && typeof m === 'function' && /^[A-Z]/.test(name)) return (m as Fn).apply(v, args);
    return v.get(name);
  }
  if (v === null || v === undefined) throw new TemplateError(`can't evaluate field ${name} of nil`);
  if (typeof v !== 'object') throw new TemplateError(`can't evaluate field ${name} in type ${typeof v}`);
  if (!Object.hasOwn(v, name) && !/^[A-Z]/.test(name) && !isIndex)
    throw new TemplateError(`can't evaluate field ${name}`);
  const x = (v as Record<string, unknown>)[name];
  if (typeof x === 'function') {
    if (!/^[A-Z]/.test(name)) throw new TemplateError(`can't call ${name}`);
    return (x as Fn).apply(v, args);
  }
  if (x === undefined && !Object.hasOwn(v, name) && !isIndex) throw new TemplateError(`can't evaluate field ${name}`);
  return x;
}

export class Executor {
  private out = '';
  private steps = 0;

  constructor(
    private readonly defs: Map<string, Node[]>,
    private readonly limits: ExecLimits,
  ) {}

  run(nodes: Node[], dot: unknown): string {
    this.out = '';
    this.steps = 0;
    this.walk(nodes, dot, [new Map([['$', dot]])], 0);
    return this.out;
  }

  private emit(s: string): void {
    this.out += s;
    if (this.out.length > this.limits.maxOutputBytes) throw new TemplateError('template output too large');
  }

  private walk(nodes: Node[], dot: unknown, vars: Map<string, unknown>[], depth: number): void {
    for (const n of nodes) {
      if (++this.steps > this.limits.maxSteps) throw new TemplateError('template ran too long');
      switch (n.k) {
        case 'text':
          this.emit(n.text);
          break;
        case 'out': {
          const v = this.pipe(n.pipe, dot, vars);
          if (n.pipe.decl.length === 0) this.emit(str(v));
          break;
        }
        case 'if':
        case 'with': {
          const scope = [...vars, new Map<string, unknown>()];
          const v = this.pipe(n.pipe, dot, scope);
          if (truthy(v)) this.walk(n.body, n.k === 'with' ? v : dot, scope, depth);
          else this.walk(n.alt, dot, scope, depth);
          break;
        }
        case 'range': {
          const v = this.pipe({ ...n.pipe, decl: [] }, dot, vars);
          const items: [unknown, unknown][] = Array.isArray(v)
            ? v.map((x, i) => [i, x])
            : v instanceof KV
              ? v.pairs.map(([k, x]) => [k, x])
              : typeof v === 'number'
                ? Array.from({ length: v }, (_, i) => [i, i])
                : v && typeof v === 'object'
                  ? Object.keys(v)
                      .sort()
                      .map((k) => [k, (v as Record<string, unknown>)[k]])
                  : [];
          if (items.length === 0) {
            this.walk(n.alt, dot, vars, depth);
            break;
          }
          for (const [k, x] of items) {
            const scope = new Map<string, unknown>();
            const d = n.pipe.decl;
            if (d.length === 1) scope.set(d[0]!, x);
            if (d.length === 2) {
              scope.set(d[0]!, k);
              scope.set(d[1]!, x);
            }
            this.walk(n.body, x, [...vars, scope], depth);
          }
          break;
        }
        case 'call': {
          const body = this.defs.get(n.name);
          if (!body) throw new TemplateError(`no such template ${JSON.stringify(n.name)}`);
          if (depth >= this.limits.maxDepth) throw new TemplateError('template recursion too deep');
          const d = n.pipe ? this.pipe(n.pipe, dot, vars) : undefined;
          this.walk(body, d, [new Map([['$', d]])], depth + 1);
          break;
        }
      }
    }
  }

  private pipe(p: Pipeline, dot: unknown, vars: Map<string, unknown>[]): unknown {
    let prev: unknown;
    let first = true;
    for (const cmd of p.cmds) {
      prev = this.command(cmd, dot, vars, first ? undefined : [prev]);
      first = false;
    }
    if (p.decl.length > 0) {
      const name = p.decl[p.decl.length - 1]!;
      if (p.assign) {
        const scope = [...vars].reverse().find((s) => s.has(name));
        if (!scope) throw new TemplateError(`undefined variable ${name}`);
        scope.set(name, prev);
      } else vars[vars.length - 1]!.set(name, prev);
    }
    return prev;
  }

  private command(cmd: Operand[], dot: unknown, vars: Map<string, unknown>[], piped: unknown[] | undefined): unknown {
    const [head, ...rest] = cmd;
    const args = () => [...rest.map((o) => this.operand(o, dot, vars, [])), ...(piped ?? [])];
    if (head!.k === 'fn') {
      const fn = FUNCS[head!.name];
      if (!fn) throw new TemplateError(`function ${JSON.stringify(head!.name)} not defined`);
      return fn(...args());
    }
    if (cmd.length === 1 && !piped) return this.operand(head!, dot, vars, []);
    // A method call with arguments: `.CommonLabels.Remove .GroupLabels.Names`.
    return this.operand(head!, dot, vars, args());
  }

  private operand(o: Operand, dot: unknown, vars: Map<string, unknown>[], args: unknown[]): unknown {
    let base: unknown;
    let fields: string[];
    switch (o.k) {
      case 'lit':
        return o.v;
      case 'fn': {
        const fn = FUNCS[o.name];
        if (!fn) throw new TemplateError(`function ${JSON.stringify(o.name)} not defined`);
        return fn(...args);
      }
      case 'dot':
        base = dot;
        fields = o.fields;
        break;
      case 'var': {
        const scope = [...vars].reverse().find((s) => s.has(o.name));
        if (!scope) throw new TemplateError(`undefined variable ${o.name}`);
        base = scope.get(o.name);
        fields = o.fields;
        break;
      }
      case 'sub':
        base = this.pipe(o.pipe, dot, vars);
        fields = o.fields;
        break;
    }
    for (let i = 0; i < fields.length; i++) base = field(base, fields[i]!, false, i === fields.length - 1 ? args : []);
    return base;
  }
}
