/**
 * Alertmanager matcher syntax (`name op value`, value optionally double-quoted) as used in
 * `matchers:`, `source_matchers:` and `target_matchers:`. Regex values are compiled with RE2 semantics.
 */
import { BadDataError, compileAnchored } from '../../data-plane/model/index.js';

const MATCHER = /^\s*\{?\s*([a-zA-Z_][a-zA-Z0-9_]*|"(?:[^"\\]|\\.)+")\s*(=~|!~|!=|=)\s*(.*?)\s*\}?\s*$/s;

export function checkMatcher(s: unknown, where: string): void {
  if (typeof s !== 'string') throw new BadDataError(`${where}: matcher must be a string like 'severity="critical"'`);
  const m = MATCHER.exec(s);
  if (!m) throw new BadDataError(`${where}: cannot parse matcher ${JSON.stringify(s.slice(0, 80))}`);
  const op = m[2]!;
  let value = m[3]!;
  if (value.startsWith('"')) {
    try {
      value = JSON.parse(value) as string;
    } catch {
      throw new BadDataError(
        `${where}: unterminated or invalid quoted value in matcher ${JSON.stringify(s.slice(0, 80))}`,
      );
    }
  }
  if (op === '=~' || op === '!~') {
    try {
      compileAnchored(value);
    } catch (err) {
      throw new BadDataError(`${where}: ${(err as Error).message}`);
    }
  }
}
