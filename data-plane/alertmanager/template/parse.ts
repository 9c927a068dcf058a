import { type Node, parseTemplate as parse } from '../../template/index.js';
import { FUNC_NAMES } from './funcs.js';

export type { Node } from '../../template/index.js';

/**
 * Parses an Alertmanager template with the shared engine (data-plane/template): unknown functions
 * are parse errors, `define`/`block` bodies go into `defs`.
 */
export function parseTemplate(src: string, defs: Map<string, Node[]>): Node[] {
  return parse(src, { funcs: FUNC_NAMES, defs });
}
