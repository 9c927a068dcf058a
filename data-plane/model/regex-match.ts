import { RE2JS } from 're2js';
import { BadDataError } from './errors.js';

/** Whether a whole label value matches a Prometheus regex (anchored, `.` matching newlines). */
export type RegexTest = (v: string) => boolean;

/**
 * Compiled regexes by pattern: dashboards send the same few (`instance=~"$host"`, `job=~".+"`) with
 * every panel and refresh, and RE2 compilation costs far more than a lookup.
 */
const compiled = new Map<string, RegexTest>();
const MAX_COMPILED = 4096;

/**
 * The test for a Prometheus regex with RE2 semantics. The shapes dashboards use most are answered
 * without running the regex, as Prometheus's FastRegexMatcher does: `.*`, `.+`, alternations of
 * literals (Grafana's multi-value variables: `(a|b\.c)`), and a literal after or before `.*`. Every
 * pattern is compiled by RE2 first, so one it refuses is refused here too (BadDataError).
 */
export function regexTest(pattern: string): RegexTest {
  let test = compiled.get(pattern);
  if (test !== undefined) return test;
  const re = cachedAnchored(pattern);
  test = fastTest(pattern) ?? ((v: string) => re.matches(v));
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(pattern, test);
  return test;
}

/** `compileAnchored`, compiled once per pattern (label_replace evaluates the same few again and again). */
export function cachedAnchored(re: string): RE2JS {
  let r = programs.get(re);
  if (r === undefined) {
    r = compileAnchored(re);
    if (programs.size >= MAX_COMPILED) programs.clear();
    programs.set(re, r);
  }
  return r;
}
const programs = new Map<string, RE2JS>();

/** Compiles a Prometheus regex with RE2 semantics; throws BadDataError naming the regex on failure. */
export function compileAnchored(re: string): RE2JS {
  try {
    return RE2JS.compile(`(?s:${re})`);
  } catch (err) {
    throw new BadDataError(`invalid regular expression ${JSON.stringify(re)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function fastTest(pattern: string): RegexTest | undefined {
  if (pattern === '.*') return () => true;
  if (pattern === '.+') return (v) => v !== '';
  const alts = literalAlternatives(pattern);
  if (alts !== undefined) {
    if (alts.length === 1) {
      const only = alts[0]!;
      return (v) => v === only;
    }
    const set = new Set(alts);
    return (v) => set.has(v);
  }
  const starts = pattern.endsWith('.*') ? literalAlternatives(pattern.slice(0, -2)) : undefined;
  const ends = pattern.startsWith('.*') ? literalAlternatives(pattern.slice(2)) : undefined;
  if (starts?.length === 1 && !pattern.startsWith('.*')) {
    const prefix = starts[0]!;
    return (v) => v.startsWith(prefix);
  }
  if (ends?.length === 1 && !pattern.endsWith('.*')) {
    const suffix = ends[0]!;
    return (v) => v.endsWith(suffix);
  }
  if (pattern.length >= 4 && pattern.startsWith('.*') && pattern.endsWith('.*')) {
    const inner = literalAlternatives(pattern.slice(2, -2));
    if (inner?.length === 1) {
      const part = inner[0]!;
      return (v) => v.includes(part);
    }
  }
  return undefined;
}

/** RE2's metacharacters outside a class: any of them (unescaped) makes a pattern more than literals. */
const META = new Set(['.', '+', '*', '?', '(', ')', '[', ']', '{', '}', '^', '$', '|', '\\']);

/**
 * The literal strings of a pattern that is only literals separated by `|`, optionally in one group
 * (`(…)` or `(?:…)`), with punctuation escaped by a backslash (`\.`: Grafana escapes variables so);
 * undefined for anything else.
 */
function literalAlternatives(pattern: string): string[] | undefined {
  let s = pattern;
  if (s.startsWith('(?:') && s.endsWith(')')) s = s.slice(3, -1);
  else if (s.startsWith('(') && !s.startsWith('(?') && s.endsWith(')')) s = s.slice(1, -1);
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      // an escaped ASCII punctuation character is itself; \d, \w, \1… are not literals
      const next = s.charCodeAt(i + 1);
      if (!(next < 128 && isAsciiPunctuation(next))) return undefined;
      cur += s[++i]!;
    } else if (c === '|') {
      out.push(cur);
      cur = '';
    } else if (META.has(c)) return undefined;
    else cur += c;
  }
  out.push(cur);
  return out;
}

function isAsciiPunctuation(c: number): boolean {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}
