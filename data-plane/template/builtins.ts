import { RE2JS } from 're2js';
import { isGoMap, printValue, type TemplateFunc, truthy } from './exec.js';
import { formatG, sprintf } from './go-fmt.js';

export interface BuiltinOptions {
  /** How numbers print in `print`, `println` and `%v` (default float64's `%v`). */
  printNumber?: (n: number) => string;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a !== typeof b) throw new Error('incompatible types for comparison');
  if (typeof a === 'number' || typeof a === 'string') return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  if (typeof a === 'boolean') {
    if (a === b) return 0;
    throw new Error('invalid type for comparison');
  }
  throw new Error('invalid type for comparison');
}

function len(a: unknown): number {
  if (typeof a === 'string' || Array.isArray(a)) return a.length;
  if (a instanceof Map) return a.size;
  if (isGoMap(a)) return a.goKeys().length;
  throw new Error(
    `len of type ${a === null || a === undefined ? 'nil' : typeof a === 'number' ? 'float64' : typeof a}`,
  );
}

function index(a: unknown, ...keys: unknown[]): unknown {
  let cur = a;
  for (const k of keys) {
    if (cur instanceof Map) cur = cur.has(k) ? cur.get(k) : '';
    else if (isGoMap(cur)) cur = cur.goGet(String(k));
    else if (Array.isArray(cur) || typeof cur === 'string') {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length) throw new Error(`index out of range: ${String(k)}`);
      cur = cur[i];
    } else throw new Error(`can't index item of type ${cur === null || cur === undefined ? 'nil' : typeof cur}`);
  }
  return cur;
}

/** Go's html/template HTMLEscapeString. */
export function htmlEscape(s: string): string {
  return s.replace(
    /[&<>"'\0]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;', '\0': '\uFFFD' })[c]!,
  );
}

/** Go's JSEscapeString. */
function jsEscape(s: string): string {
  return s.replace(/[\\'"<>&=\x00-\x1f]/g, (c) => {
    if (c === '\\' || c === "'" || c === '"') return `\\${c}`;
    return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/** Go's url.QueryEscape: only `A-Za-z0-9-_.~` stay, space becomes `+`. */
export function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go text/template's predefined functions (`call` excepted: templates here hold no function values). */
export function goBuiltins(opts: BuiltinOptions = {}): Map<string, TemplateFunc> {
  const num = opts.printNumber ?? formatG;
  const pv = (v: unknown) => printValue(v, num);
  return new Map<string, TemplateFunc>([
    ['and', (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1]],
    ['or', (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1]],
    ['not', (a) => !truthy(a)],
    ['len', len],
    ['index', index],
    [
      'slice',
      (s, i, j) => {
        if (typeof s !== 'string' && !Array.isArray(s)) throw new Error(`can't slice item of type ${typeof s}`);
        return s.slice(Number(i ?? 0), j === undefined ? undefined : Number(j));
      },
    ],
    ['print', (...a) => a.map(pv).join('')],
    ['println', (...a) => `${a.map(pv).join(' ')}\n`],
    ['printf', (fmt, ...a) => sprintf(String(fmt), a)],
    ['eq', (a, ...bs) => bs.some((b) => compare(a, b) === 0)],
    ['ne', (a, b) => compare(a, b) !== 0],
    ['lt', (a, b) => compare(a, b) < 0],
    ['le', (a, b) => compare(a, b) <= 0],
    ['gt', (a, b) => compare(a, b) > 0],
    ['ge', (a, b) => compare(a, b) >= 0],
    ['urlquery', (...a) => queryEscape(a.map(pv).join(''))],
    ['html', (...a) => htmlEscape(a.map(pv).join(''))],
    ['js', (...a) => jsEscape(a.map(pv).join(''))],
  ]);
}

// String functions both Prometheus and the Alertmanager define, with the same semantics.

const regexCache = new Map<string, RE2JS>();
/** A compiled RE2 pattern (Go's regexp syntax), cached. */
export function re2(pattern: string): RE2JS {
  let r = regexCache.get(pattern);
  if (!r) {
    r = RE2JS.compile(pattern);
    if (regexCache.size > 256) regexCache.clear();
    regexCache.set(pattern, r);
  }
  return r;
}

/** Go's regexp ReplaceAllString: `$1`, `${1}`, `$name`, `${name}`, `$$` in the replacement. */
export function reReplaceAll(pattern: string, repl: string, text: string): string {
  const re = re2(pattern);
  const names = re.namedGroups() as Record<string, number>;
  const n = re.groupCount();
  return re.matcher(text).replaceAll((...args: unknown[]) => {
    const group = (i: number) => (i < 0 || i > n ? '' : String(args[i] ?? ''));
    return repl.replace(
      /\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g,
      (_m, all: string, braced?: string, bare?: string) => {
        if (all === '$') return '$';
        const name = braced ?? bare ?? '';
        if (/^\d+$/.test(name)) return group(Number(name));
        const idx = Object.hasOwn(names, name) ? names[name] : undefined;
        return idx === undefined ? '' : group(idx);
      },
    );
  });
}

/** Go's strings.Title: upper-cases the first letter of each word (letters, digits and `_` join words). */
export function titleCase(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase());
}

/** toUpper, toLower, title, match, reReplaceAll, safeHtml: defined alike by Prometheus and the Alertmanager. */
export function stringFuncs(): Map<string, TemplateFunc> {
  return new Map<string, TemplateFunc>([
    ['toUpper', (s) => String(s).toUpperCase()],
    ['toLower', (s) => String(s).toLowerCase()],
    ['title', (s) => titleCase(String(s))],
    ['match', (p, s) => re2(String(p)).matcher(String(s)).find()],
    ['reReplaceAll', (p, r, t) => reReplaceAll(String(p), String(r), String(t))],
    ['safeHtml', (s) => String(s)],
  ]);
}
