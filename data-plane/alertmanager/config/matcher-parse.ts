import { BadDataError, Matcher, type MatchType } from '../../model/index.js';

const OPS: readonly MatchType[] = ['=~', '!~', '!=', '='];

/**
 * Parses Alertmanager matcher text: `name="value"`, `name=~value`, or a braced, comma-separated
 * list (`{a="1", b!~"x|y"}`). Values may be bare or double-quoted with Go escapes. Returns the
 * matchers in input order; throws BadDataError naming the problem.
 */
export function parseMatchers(input: string): Matcher[] {
  let s = input.trim();
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) throw new BadDataError(`missing closing "}" in ${JSON.stringify(input)}`);
    s = s.slice(1, -1);
  }
  const out: Matcher[] = [];
  let i = 0;
  const skipWs = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  while (true) {
    skipWs();
    if (i >= s.length) break;
    let name: string;
    if (s[i] === '"') {
      const q = readQuoted(s, i, input);
      name = q.value;
      i = q.end;
    } else {
      const start = i;
      while (i < s.length && !/[=!~\s,]/.test(s[i]!)) i++;
      name = s.slice(start, i);
    }
    if (name === '') throw new BadDataError(`missing label name in ${JSON.stringify(input)}`);
    skipWs();
    const op = OPS.find((o) => s.startsWith(o, i));
    if (!op) throw new BadDataError(`missing operator after ${JSON.stringify(name)} in ${JSON.stringify(input)}`);
    i += op.length;
    skipWs();
    let value: string;
    if (s[i] === '"') {
      const q = readQuoted(s, i, input);
      value = q.value;
      i = q.end;
    } else {
      const start = i;
      while (i < s.length && s[i] !== ',') i++;
      value = s.slice(start, i).trim();
      if (value.includes('"')) throw new BadDataError(`unexpected quote in value of ${JSON.stringify(input)}`);
    }
    out.push(new Matcher(op, name, value));
    skipWs();
    if (i < s.length) {
      if (s[i] !== ',') throw new BadDataError(`expected "," at offset ${i} in ${JSON.stringify(input)}`);
      i++;
    }
  }
  return out;
}

function readQuoted(s: string, start: number, input: string): { value: string; end: number } {
  let i = start + 1;
  let raw = '"';
  while (i < s.length && s[i] !== '"') {
    if (s[i] === '\\') raw += s[i++];
    raw += s[i++] ?? '';
  }
  if (i >= s.length) throw new BadDataError(`unterminated quoted string in ${JSON.stringify(input)}`);
  try {
    return { value: JSON.parse(`${raw}"`) as string, end: i + 1 };
  } catch {
    throw new BadDataError(`invalid escape in quoted string in ${JSON.stringify(input)}`);
  }
}

/** Orders matchers as Alertmanager sorts a route's matchers (name, then value, then type). */
export function sortMatchers(ms: Matcher[]): Matcher[] {
  return ms.sort((a, b) =>
    a.name !== b.name ? (a.name < b.name ? -1 : 1) : a.value !== b.value ? (a.value < b.value ? -1 : 1) : 0,
  );
}

/** `{a="1",b=~"x"}` — the text a route contributes to its group keys. */
export function formatMatchers(ms: readonly Matcher[]): string {
  return `{${ms.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).join(',')}}`;
}
