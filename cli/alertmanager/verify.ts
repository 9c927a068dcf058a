/**
 * Offline validation of a tenant's Alertmanager configuration for `cortexctl alertmanager verify` and
 * `push`. The checks are the server's own: the tenant policy the control plane applies on upload (no
 * local files, http(s) URLs only) and the data plane's parser (what the tenant's Alertmanager loads),
 * both from `data-plane/alertmanager/config`. This file only places every finding at its line and
 * column. Pure: no file system, no network.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { parseAlertmanagerConfig, tenantPolicyErrors } from '../../data-plane/alertmanager/config/index.js';
import { countYamlIndicators, MAX_YAML_INDICATORS } from '../../data-plane/validation/index.js';

/** The server's refusal of a config with more than MAX_YAML_INDICATORS YAML indicators, as a finding. */
export function tooManyIndicators(): AlertmanagerProblem {
  return {
    line: 1,
    col: 1,
    path: '',
    message: `more than ${MAX_YAML_INDICATORS} YAML lines, entries, anchors or tags: the server refuses it`,
  };
}

/** One finding; `line`/`col` are 1-based; `path` is the YAML path, e.g. `route.routes[0].receiver`. */
export interface AlertmanagerProblem {
  line: number;
  col: number;
  path: string;
  message: string;
}

/** Validates Alertmanager YAML; an empty list means valid. Never throws. */
export function verifyAlertmanagerConfig(text: string): AlertmanagerProblem[] {
  // what the server refuses unparsed, the yaml library would take minutes over
  if (countYamlIndicators(text) > MAX_YAML_INDICATORS) return [tooManyIndicators()];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => ({ ...lc.linePos(e.pos[0]), path: '', message: e.message.split('\n')[0]! }));
  }
  const at = (node: Node | undefined) => lc.linePos(node?.range?.[0] ?? 0);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return [{ line: 1, col: 1, path: '', message: (err as Error).message }];
  }
  const policy = tenantPolicyErrors(value);
  // The parser finds the same fields again (a file field is also an unknown one): one report each.
  const covered = (path: string) =>
    policy.some((p) => path === p.path || path.startsWith(`${p.path}.`) || path.startsWith(`${p.path}[`));
  const parsed = parseAlertmanagerConfig(text).errors.filter((e) => !covered(e.path));
  const problems = [
    ...policy.map((e) => ({ ...at(nodeAt(doc.contents, e.path, e.at)), path: e.path, message: e.message })),
    ...parsed.map((e) => ({ ...at(nodeAt(doc.contents, e.path, 'value')), path: e.path, message: e.message })),
  ];
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The node at a path like `route.routes[0].receiver` (its key or value), or the nearest existing parent. */
function nodeAt(root: unknown, path: string, part: 'key' | 'value'): Node | undefined {
  let node = root as Node | undefined;
  const segs = path.match(/[^.[\]]+/g) ?? [];
  for (const [i, seg] of segs.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === seg);
      if (pair === undefined) break;
      if (i === segs.length - 1 && part === 'key') return pair.key as Node;
      if (pair.value === null) return pair.key as Node;
      node = pair.value as Node;
    } else if (isSeq(node) && /^\d+$/.test(seg)) {
      const next = node.items[Number(seg)];
      if (next === undefined || next === null) break;
      node = next as Node;
    } else break;
  }
  return node;
}
