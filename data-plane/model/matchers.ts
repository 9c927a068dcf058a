import type { Labels } from './labels.js';
import { type RegexTest, regexTest } from './regex-match.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

/**
 * A label matcher with Prometheus semantics. Regexes follow RE2 (Go syntax, linear time) and are
 * fully anchored with `.` matching newlines, as Prometheus compiles them (`^(?s:re)$`).
 */
export class Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  private readonly re: RegexTest | undefined;

  constructor(type: MatchType, name: string, value: string) {
    this.type = type;
    this.name = name;
    this.value = value;
    if (type === '=~' || type === '!~') this.re = regexTest(value);
  }

  /** Whether a label value (''= absent) satisfies this matcher. */
  matches(v: string): boolean {
    switch (this.type) {
      case '=':
        return v === this.value;
      case '!=':
        return v !== this.value;
      case '=~':
        return this.re!(v);
      case '!~':
        return !this.re!(v);
    }
  }

  /** Whether this matcher also selects series that lack the label. */
  matchesEmpty(): boolean {
    return this.matches('');
  }

  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}

/** True when every matcher accepts the label set. */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const m of matchers) if (!m.matches(labels.get(m.name))) return false;
  return true;
}
