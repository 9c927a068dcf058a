import { isMap, isSeq, parseDocument } from 'yaml';
import type { ConfigError } from './types.js';

export interface LoadLimits {
  maxBytes: number;
  maxAliases: number;
  maxDepth: number;
}

/**
 * Parses YAML text into plain JS with the limits a tenant-supplied document needs: a byte cap, an
 * alias-expansion cap (billion-laughs) and a nesting cap (checked on the node tree before any
 * conversion, so a 10 000-deep document cannot exhaust the stack later).
 */
export function loadYaml(text: string, limits: LoadLimits): { value: unknown; errors: ConfigError[] } {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    return {
      value: undefined,
      errors: [{ path: '', message: `configuration is too big: ${bytes} bytes (limit: ${limits.maxBytes})` }],
    };
  }
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, merge: false });
    if (doc.errors.length > 0) {
      return { value: undefined, errors: doc.errors.map((e) => ({ path: '', message: `invalid YAML: ${e.message}` })) };
    }
    if (depthOf(doc.contents) > limits.maxDepth) {
      return {
        value: undefined,
        errors: [{ path: '', message: `configuration nests deeper than ${limits.maxDepth} levels` }],
      };
    }
    return { value: doc.toJS({ maxAliasCount: limits.maxAliases }), errors: [] };
  } catch (e) {
    const msg = e instanceof RangeError ? 'configuration nests too deeply' : (e as Error).message;
    return { value: undefined, errors: [{ path: '', message: `invalid YAML: ${msg}` }] };
  }
}

function depthOf(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, d] = stack.pop()!;
    if (d > max) max = d;
    if (isMap(node)) for (const p of node.items) stack.push([p.value, d + 1]);
    else if (isSeq(node)) for (const it of node.items) stack.push([it, d + 1]);
  }
  return max;
}
