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

/**
 * 20 000 nodes is far beyond real rule groups (≈ 2 000 rules) and Alertmanager configs, and bounds one
 * parse to well under a second and a few tens of MiB (measured: 4 MiB of hostile list items used to
 * cost 30 s and 0.9 GiB; the pre-scan now rejects them in ~0.1 s).
 */
export const DEFAULT_YAML_LIMITS: YamlLimits = { maxDepth: 64, maxNodes: 20_000, maxAliases: 50 };

/**
 * Cheap lexical pre-scan, so hostile input never reaches the (recursive, ~30 µs/node) parser: the
 * deepest flow-collection nesting (`[[[[…`), and an upper bound on the node count (every line, comma
 * and collection opener outside quotes and comments could start a node).
 */
export function prescan(text: string): { flowDepth: number; maxNodes: number } {
  let depth = 0;
  let flowDepth = 0;
  let maxNodes = 1;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') maxNodes++;
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') {
      maxNodes++;
      flowDepth = Math.max(flowDepth, ++depth);
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
    else if (c === ',') maxNodes++;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      // A YAML comment starts only at a line start or after whitespace (`a#b` is a plain scalar).
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    }
  }
  return { flowDepth, maxNodes };
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
  const scan = prescan(text);
  if (scan.flowDepth > limits.maxDepth) throw new BadDataError(`${what}: nested deeper than ${limits.maxDepth} levels`);
  if (scan.maxNodes > limits.maxNodes) {
    throw new BadDataError(`${what}: more than ${limits.maxNodes} YAML nodes (lines, items or entries)`);
  }
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
