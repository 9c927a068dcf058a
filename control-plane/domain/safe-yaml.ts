/**
 * Parses untrusted YAML (rule files, Alertmanager configs) with bounded cost: one document only, a
 * capped alias count (billion laughs), duplicate keys rejected, a nesting-depth limit checked before
 * parsing (deep flow collections) and after (deep block collections), and a node-count limit.
 */
import { parseAllDocuments } from 'yaml';
import { BadDataError } from '../../data-plane/model/index.js';

export interface YamlLimits {
  readonly maxDepth: number;
  readonly maxNodes: number;
  readonly maxAliases: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxDepth: 64, maxNodes: 200_000, maxAliases: 50 };

/** Rough pre-scan of flow-collection nesting, so a `[[[[…` bomb never reaches the recursive parser. */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if ((c === ']' || c === '}') && depth > 0) depth--;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
  }
  return max;
}

/** Walks a parsed value iteratively; throws when it is deeper or larger than allowed. */
export function checkShape(value: unknown, what: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (++nodes > limits.maxNodes) throw new BadDataError(`${what}: more than ${limits.maxNodes} nodes`);
    if (v === null || typeof v !== 'object') continue;
    if (d > limits.maxDepth) throw new BadDataError(`${what}: nested deeper than ${limits.maxDepth} levels`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
}

export function parseYaml(text: string, what: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): unknown {
  if (flowDepth(text) > limits.maxDepth)
    throw new BadDataError(`${what}: nested deeper than ${limits.maxDepth} levels`);
  let value: unknown;
  try {
    const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false, strict: true });
    if (!Array.isArray(docs) || docs.length === 0) throw new BadDataError(`${what}: empty YAML document`);
    if (docs.length > 1) throw new BadDataError(`${what}: expected one YAML document, found ${docs.length}`);
    const doc = docs[0]!;
    const err = doc.errors[0];
    if (err) throw new BadDataError(`${what}: invalid YAML: ${err.message.split('\n')[0]}`);
    value = doc.toJS({ maxAliasCount: limits.maxAliases });
  } catch (err) {
    if (err instanceof BadDataError) throw err;
    // yaml throws ReferenceError for excessive aliases and RangeError on stack exhaustion.
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new BadDataError(`${what}: invalid YAML: ${msg}`, { cause: err });
  }
  checkShape(value, what, limits);
  return value;
}
