import { type FloatHistogram, Labels, parseDuration, STALE_NAN } from '../../model/index.js';
import { unquoteString } from '../literals.js';
import { addHistograms, parseHistogram } from './histogram-notation.js';

/** A value position in a series sequence: float, histogram, or omitted (undefined). */
export type SeqValue = { f: number } | { h: FloatHistogram; hintGiven: boolean } | undefined;

export interface SeriesLine {
  labels: Labels;
  values: SeqValue[];
  /**
   * From an `@st` line: per position, the sample's start timestamp as an offset (ms) from its own
   * timestamp, undefined where omitted (FORMAT.md §3.3).
   */
  st?: (number | undefined)[];
}

export interface LoadCmd {
  kind: 'load';
  line: number;
  step: number;
  nhcb: boolean;
  series: SeriesLine[];
}

export interface ClearCmd {
  kind: 'clear';
  line: number;
}

export interface ExpectLine {
  type: 'fail' | 'warn' | 'info' | 'no_warn' | 'no_info' | 'ordered';
  msg?: string;
  regex?: RegExp;
}

export interface EvalCmd {
  kind: 'eval';
  line: number;
  instant: boolean;
  /** Instant time, or range start (ms). */
  start: number;
  end: number;
  step: number;
  expr: string;
  expects: ExpectLine[];
  /** Legacy eval_warn / eval_info. */
  legacyWarn: boolean;
  legacyInfo: boolean;
  expectedSeries: SeriesLine[];
  expectedScalar?: number;
  expectedString?: string;
  rangeVector?: { start: number; end: number; step: number };
}

export type Command = LoadCmd | ClearCmd | EvalCmd;

/** Parses a series description's labels part: `name{a="b", ...}`, `{...}` or `name`. */
export function parseLabelsPart(s: string): { labels: Labels; rest: string } {
  let i = 0;
  const pairs: [string, string][] = [];
  const nameM = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s);
  if (nameM) {
    pairs.push(['__name__', nameM[0]]);
    i = nameM[0].length;
  }
  if (s[i] === '{') {
    i++;
    for (;;) {
      while (s[i] === ' ' || s[i] === '\t' || s[i] === ',') i++;
      if (s[i] === '}') {
        i++;
        break;
      }
      if (i >= s.length) throw new Error(`unterminated label set in ${JSON.stringify(s)}`);
      let name: string;
      if (s[i] === '"' || s[i] === "'" || s[i] === '`') {
        const end = stringEnd(s, i);
        name = unquoteString(s.slice(i, end));
        i = end;
      } else {
        const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i));
        if (!m) throw new Error(`invalid label name at ${JSON.stringify(s.slice(i))}`);
        name = m[0];
        i += name.length;
      }
      while (s[i] === ' ') i++;
      if (s[i] !== '=') {
        // a bare quoted metric name: {"metric.name", ...}
        pairs.push(['__name__', name]);
        continue;
      }
      i++;
      while (s[i] === ' ') i++;
      const end = stringEnd(s, i);
      pairs.push([name, unquoteString(s.slice(i, end))]);
      i = end;
    }
  }
  return { labels: Labels.fromPairs(pairs), rest: s.slice(i).trim() };
}

function stringEnd(s: string, i: number): number {
  const q = s[i];
  if (q !== '"' && q !== "'" && q !== '`') throw new Error(`expected string at ${JSON.stringify(s.slice(i))}`);
  let j = i + 1;
  while (j < s.length && s[j] !== q) {
    if (s[j] === '\\' && q !== '`') j++;
    j++;
  }
  return j + 1;
}

function tokenize(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '{') depth++;
    if (c === '}') depth--;
    if ((c === ' ' || c === '\t') && depth === 0) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

function parseFloatToken(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf') return Number.POSITIVE_INFINITY;
  if (l === '-inf') return Number.NEGATIVE_INFINITY;
  if (l === 'nan' || l === '+nan' || l === '-nan') return Number.NaN;
  if (l === 'stale') return STALE_NAN;
  if (!/^[+-]?(\d[\d_]*(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(s)) throw new Error(`invalid value ${JSON.stringify(s)}`);
  return Number(s.replaceAll('_', ''));
}

/** Expands a value sequence (`1 2+3x4 _ _x2 stale {{...}}+{{...}}x3`). */
export function parseValues(s: string): SeqValue[] {
  const out: SeqValue[] = [];
  for (const tok of tokenize(s)) {
    if (tok === '_') {
      out.push(undefined);
      continue;
    }
    let m = /^_x(\d+)$/.exec(tok);
    if (m) {
      for (let k = 0; k < Number(m[1]); k++) out.push(undefined);
      continue;
    }
    if (tok.startsWith('{{')) {
      m = /^\{\{(.*?)\}\}(?:([+-])\{\{(.*?)\}\})?(?:x(\d+))?$/.exec(tok);
      if (!m) throw new Error(`invalid histogram token ${tok}`);
      const a = parseHistogram(m[1]!);
      if (m[4] === undefined) {
        if (m[2]) throw new Error(`histogram sequence without count: ${tok}`);
        out.push({ h: a.h, hintGiven: a.hintGiven });
        continue;
      }
      const n = Number(m[4]);
      const b = m[3] !== undefined ? parseHistogram(m[3]) : undefined;
      let cur = a.h;
      const hint = a.hintGiven || (b?.hintGiven ?? false);
      out.push({ h: cur, hintGiven: hint });
      for (let k = 0; k < n; k++) {
        if (b) cur = addHistograms(cur, b.h, m[2] === '-' ? -1 : 1);
        out.push({ h: cur, hintGiven: hint });
      }
      continue;
    }
    m = /^([+-]?(?:[0-9._]+(?:e[+-]?\d+)?|inf|nan))(?:([+-])([0-9._]+(?:e[+-]?\d+)?|inf))?x(\d+)$/i.exec(tok);
    if (m) {
      const a = parseFloatToken(m[1]!);
      const b = m[3] !== undefined ? parseFloatToken(m[3]) : 0;
      const sign = m[2] === '-' ? -1 : 1;
      let v = a;
      out.push({ f: v });
      for (let k = 0; k < Number(m[4]); k++) {
        v += sign * b;
        out.push({ f: v });
      }
      continue;
    }
    out.push({ f: parseFloatToken(tok) });
  }
  return out;
}

export function parseSeriesLine(line: string): SeriesLine {
  const { labels, rest } = parseLabelsPart(line);
  return { labels, values: parseValues(rest) };
}

/**
 * An `@st` line's offsets (Prometheus promqltest parseSTSequence): `_`, `_xN`, `<dur>`, `<dur>xN`
 * (N+1 positions), `<dur>+<dur>xN` / `<dur>-<dur>xN` (stepping); durations may be signed.
 */
export function parseSTSequence(text: string, line: number): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  const bad = (item: string, why: string) => new Error(`line ${line}: invalid ST item ${JSON.stringify(item)}: ${why}`);
  const count = (item: string, digits: string) => {
    if (!/^\d+$/.test(digits)) throw bad(item, 'invalid repeat count');
    return Number(digits);
  };
  /** A signed duration at the start of `s` (digits, then unit letters other than x). */
  const durationPrefix = (item: string, s: string): [number, string] => {
    const m = /^([+-]?)(\d+)([a-wyzA-Z]*)/.exec(s);
    if (!m) throw bad(item, `expected digits in duration ${JSON.stringify(s)}`);
    const ms = parseDuration(m[2]! + m[3]!);
    return [m[1] === '-' ? -ms : ms, s.slice(m[0].length)];
  };
  for (const item of text.split(/\s+/).filter(Boolean)) {
    if (item === '_') {
      out.push(undefined);
      continue;
    }
    if (item.startsWith('_x')) {
      const n = count(item, item.slice(2));
      if (n === 0) throw bad(item, 'invalid repeat count');
      for (let i = 0; i < n; i++) out.push(undefined);
      continue;
    }
    const [base, rest] = durationPrefix(item, item);
    if (rest === '') {
      out.push(base);
      continue;
    }
    if (rest[0] === 'x') {
      const n = count(item, rest.slice(1));
      for (let i = 0; i <= n; i++) out.push(base);
      continue;
    }
    if (rest[0] !== '+' && rest[0] !== '-') throw bad(item, `unexpected character ${JSON.stringify(rest[0])}`);
    const [d, rest2] = durationPrefix(item, rest.slice(1));
    const delta = rest[0] === '-' ? -d : d;
    if (rest2[0] !== 'x') throw bad(item, "expected 'x<count>' after step duration");
    const n = count(item, rest2.slice(1));
    for (let i = 0, off = base; i <= n; i++, off += delta) out.push(off);
  }
  return out;
}

function parseTime(s: string): number {
  return parseDuration(s.trim());
}

const EXPECT_RE = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.*))?$/;

/** Parses a promqltest script into commands (FORMAT.md). */
export function parseScript(text: string): Command[] {
  const lines = text.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const cmds: Command[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l === '') {
      i++;
      continue;
    }
    const word = l.split(/\s+/)[0]!.toLowerCase();
    const lineNo = i + 1;
    if (word === 'clear') {
      cmds.push({ kind: 'clear', line: lineNo });
      i++;
      continue;
    }
    const block: string[] = [];
    i++;
    while (i < lines.length && lines[i] !== '') block.push(lines[i++]!);
    if (word.startsWith('load')) {
      const step = parseTime(l.split(/\s+/)[1] ?? '');
      const byKey = new Map<string, SeriesLine>();
      let pendingST: { labels: Labels; st: (number | undefined)[]; line: number } | undefined;
      for (const [k, b] of block.entries()) {
        const first = b.split(/\s+/)[0]!;
        const at = lineNo + 1 + k;
        if (first.endsWith('@st')) {
          if (pendingST) throw new Error(`line ${pendingST.line}: @st line has no following sample line`);
          const { labels } = parseLabelsPart(first.slice(0, -3));
          pendingST = { labels, st: parseSTSequence(b.slice(first.length).trim(), at), line: at };
          continue;
        }
        const s = parseSeriesLine(b);
        if (pendingST) {
          if (pendingST.labels.key() !== s.labels.key())
            throw new Error(`line ${pendingST.line}: @st metric does not match the following sample line metric`);
          if (pendingST.st.length !== s.values.length)
            throw new Error(
              `line ${pendingST.line}: @st line has ${pendingST.st.length} values but sample line has ${s.values.length}`,
            );
          s.st = pendingST.st;
          pendingST = undefined;
        }
        byKey.set(s.labels.key(), s);
      }
      if (pendingST) throw new Error(`line ${pendingST.line}: @st line has no following sample line`);
      cmds.push({ kind: 'load', line: lineNo, step, nhcb: word === 'load_with_nhcb', series: [...byKey.values()] });
      continue;
    }
    if (word.startsWith('eval')) {
      cmds.push(parseEval(l, block, lineNo));
      continue;
    }
    throw new Error(`line ${lineNo}: invalid command ${JSON.stringify(word)}`);
  }
  return cmds;
}

function parseEval(head: string, body: string[], line: number): EvalCmd {
  const mi = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(\S+))?\s+(.+)$/i.exec(head);
  const mr = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+?)\s+(.+)$/i.exec(head);
  let cmd: EvalCmd;
  if (mi) {
    const t = parseTime(mi[2] ?? '0');
    cmd = {
      kind: 'eval',
      line,
      instant: true,
      start: t,
      end: t,
      step: 0,
      expr: mi[3]!,
      expects: [],
      legacyWarn: mi[1] === 'warn',
      legacyInfo: mi[1] === 'info',
      expectedSeries: [],
    };
    if (mi[1] === 'fail') cmd.expects.push({ type: 'fail' });
    if (mi[1] === 'ordered') cmd.expects.push({ type: 'ordered' });
  } else if (mr) {
    cmd = {
      kind: 'eval',
      line,
      instant: false,
      start: parseTime(mr[2]!),
      end: parseTime(mr[3]!),
      step: parseTime(mr[4]!),
      expr: mr[5]!,
      expects: [],
      legacyWarn: mr[1] === 'warn',
      legacyInfo: mr[1] === 'info',
      expectedSeries: [],
    };
    if (mr[1] === 'fail') cmd.expects.push({ type: 'fail' });
  } else throw new Error(`line ${line}: invalid eval command ${JSON.stringify(head)}`);
  for (const b of body) {
    let m = /^expected_fail_message\s+(.*)$/.exec(b);
    if (m) {
      const f = cmd.expects.find((x) => x.type === 'fail');
      if (f) f.msg = m[1]!.trim();
      break;
    }
    m = /^expected_fail_regexp\s+(.*)$/.exec(b);
    if (m) {
      const f = cmd.expects.find((x) => x.type === 'fail');
      if (f) f.regex = new RegExp(m[1]!.trim());
      break;
    }
    m = /^expect\s+range\s+vector\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+)$/.exec(b);
    if (m) {
      cmd.rangeVector = { start: parseTime(m[1]!), end: parseTime(m[2]!), step: parseTime(m[3]!) };
      cmd.start = cmd.end = cmd.rangeVector.end;
      continue;
    }
    m = /^expect\s+string\s+(.*)$/.exec(b);
    if (m) {
      cmd.expectedString = unquoteString(m[1]!.trim());
      continue;
    }
    if (b.split(/\s+/)[0] === 'expect') {
      const e = EXPECT_RE.exec(b);
      if (!e) throw new Error(`line ${line}: invalid expect line ${JSON.stringify(b)}`);
      const x: ExpectLine = { type: e[1] as ExpectLine['type'] };
      if (e[2] === 'msg') x.msg = e[3]!.trim();
      if (e[2] === 'regex') x.regex = new RegExp(e[3]!.trim());
      cmd.expects.push(x);
      continue;
    }
    const num = /^[+-]?(?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)$/i.exec(b);
    if (num) {
      cmd.expectedScalar = parseFloatToken(b);
      break;
    }
    cmd.expectedSeries.push(parseSeriesLine(b));
  }
  return cmd;
}
