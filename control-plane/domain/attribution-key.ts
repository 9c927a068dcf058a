/**
 * The attribution keys the data plane appends to counter names (`samples{team="a",service="b"}`,
 * see data-plane/usage/cost-attribution.ts): label names, JSON-quoted values.
 */

/** Parses an attribution key back into its labels; undefined when it is not one (4 labels at most). */
export function parseAttributionKey(key: string): Record<string, string> | undefined {
  if (key.length > 2048 || !key.startsWith('{') || !key.endsWith('}')) return undefined;
  const out: Record<string, string> = Object.create(null);
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)=("(?:[^"\\]|\\.)*")(,|$)/y;
  const body = key.slice(1, -1);
  re.lastIndex = 0;
  let n = 0;
  while (re.lastIndex < body.length) {
    const m = re.exec(body);
    if (!m || ++n > 4 || m[1]! in out) return undefined;
    try {
      out[m[1]!] = JSON.parse(m[2]!) as string;
    } catch {
      return undefined;
    }
    if (m[3] === '' && re.lastIndex < body.length) return undefined;
  }
  return n > 0 && !body.endsWith(',') ? out : undefined;
}
