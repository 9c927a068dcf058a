/**
 * Offline validation of a tenant's Alertmanager configuration, shared by `cortexctl alertmanager
 * verify`/`push` and (through the integrator) the control plane's PUT handler. Pure: depends on the
 * `yaml` package only, never on the file system or network.
 *
 * What a multi-tenant service must refuse beyond YAML structure: receivers that are referenced but
 * not defined, any `*_file` field (a tenant must not make the server read its local files), and URLs
 * other than http(s) (no `file:`, no other schemes). Kept in line with the control plane's own check
 * (control-plane/domain/alertmanager-validation.ts) so that `verify` predicts what `push` accepts, but
 * reports every problem with its line and column instead of the first one.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, parseDocument, type YAMLMap } from 'yaml';
import { parseAlertmanagerConfig } from '../../data-plane/alertmanager/config/index.js';

/** One finding; `line`/`col` are 1-based; `path` is the YAML path, e.g. `route.routes[0].receiver`. */
export interface AlertmanagerProblem {
  line: number;
  col: number;
  path: string;
  message: string;
}

const TOP_KEYS = new Set(['global', 'route', 'receivers', 'inhibit_rules', 'mute_time_intervals', 'time_intervals']);
const ROOT_MATCHERS = ['match', 'match_re', 'matchers'];
const ROUTE_KEYS = new Set([
  'receiver',
  'group_by',
  'continue',
  'matchers',
  'match',
  'match_re',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'mute_time_intervals',
  'active_time_intervals',
  'routes',
]);
const URL_LIKE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/** Validates Alertmanager YAML; an empty list means valid. Never throws. */
export function verifyAlertmanagerConfig(text: string): AlertmanagerProblem[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems: AlertmanagerProblem[] = [];
  const report = (node: Node | null | undefined, path: string, message: string) => {
    const { line, col } = lc.linePos(node?.range?.[0] ?? 0);
    problems.push({ line, col, path, message });
  };
  for (const e of doc.errors) {
    const { line, col } = lc.linePos(e.pos[0]);
    problems.push({ line, col, path: '', message: e.message.split('\n')[0]! });
  }
  if (problems.length > 0) return problems;
  const root = doc.contents;
  if (!isMap(root)) {
    report(root, '', 'expected a mapping (an Alertmanager configuration)');
    return problems;
  }
  for (const p of root.items) {
    const k = keyOf(p);
    if (k === 'templates') {
      report(p.key as Node, k, 'field templates is not allowed: upload templates as files next to the configuration');
    } else if (!TOP_KEYS.has(k)) report(p.key as Node, k, `field ${k} not found in Alertmanager config`);
  }

  const receivers = new Set<string>();
  const recvNode = root.get('receivers', true) as Node | undefined;
  if (recvNode !== undefined && !isSeq(recvNode)) report(recvNode, 'receivers', '"receivers" must be a list');
  if (isSeq(recvNode)) {
    recvNode.items.forEach((r, i) => {
      const path = `receivers[${i}]`;
      const name = isMap(r) ? (r.get('name', true) as Node | undefined) : undefined;
      if (!isMap(r) || !isScalar(name) || typeof name.value !== 'string' || name.value === '') {
        report(r as Node, path, 'a receiver needs a non-empty "name"');
        return;
      }
      if (receivers.has(name.value)) report(name, `${path}.name`, `receiver "${name.value}" is defined twice`);
      receivers.add(name.value);
    });
  }

  const intervals = new Set<string>();
  for (const key of ['time_intervals', 'mute_time_intervals']) {
    const n = root.get(key, true) as Node | undefined;
    if (isSeq(n)) {
      for (const ti of n.items) {
        const name = isMap(ti) ? ti.get('name') : undefined;
        if (typeof name === 'string') intervals.add(name);
      }
    }
  }

  const route = root.get('route', true) as Node | undefined;
  if (route === undefined) report(root, 'route', 'no route provided in config');
  else if (!isMap(route)) report(route, 'route', '"route" must be a mapping');
  else {
    if (!isScalar(route.get('receiver', true)))
      report(route, 'route.receiver', 'root route must specify a default receiver');
    for (const m of ROOT_MATCHERS) {
      if (route.has(m)) report(route.get(m, true) as Node, `route.${m}`, 'root route must not have any matchers');
    }
    checkRoute(route, 'route', receivers, intervals, report);
  }

  walk(root, '', report);
  // Last, the Alertmanager's own parser (what the server runs when it loads the config), so that
  // `verify` passing means the tenant's Alertmanager will load it too.
  if (problems.length === 0) {
    for (const e of parseAlertmanagerConfig(text).errors) report(nodeAt(doc.contents, e.path), e.path, e.message);
  }
  return problems;
}

/** The node at a path like `route.routes[0].receiver` (or the nearest existing parent). */
function nodeAt(root: unknown, path: string): Node | undefined {
  let node = root as Node | undefined;
  for (const seg of path.match(/[^.[\]]+/g) ?? []) {
    const next = isMap(node)
      ? node.get(seg, true)
      : isSeq(node) && /^\d+$/.test(seg)
        ? node.get(Number(seg), true)
        : undefined;
    if (next === undefined || next === null) break;
    node = next as Node;
  }
  return node;
}

type Report = (node: Node | null | undefined, path: string, message: string) => void;

function checkRoute(
  route: YAMLMap,
  path: string,
  receivers: Set<string>,
  intervals: Set<string>,
  report: Report,
): void {
  for (const p of route.items) {
    const k = keyOf(p);
    if (!ROUTE_KEYS.has(k)) report(p.key as Node, `${path}.${k}`, `field ${k} not found in route`);
  }
  const recv = route.get('receiver', true) as Node | undefined;
  if (isScalar(recv) && !receivers.has(String(recv.value))) {
    report(recv, `${path}.receiver`, `undefined receiver "${String(recv.value)}" used in route`);
  }
  for (const key of ['mute_time_intervals', 'active_time_intervals']) {
    const list = route.get(key, true) as Node | undefined;
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      if (isScalar(item) && !intervals.has(String(item.value))) {
        report(item, `${path}.${key}`, `undefined time interval "${String(item.value)}" used in route`);
      }
    }
  }
  const children = route.get('routes', true) as Node | undefined;
  if (children === undefined) return;
  if (!isSeq(children)) {
    report(children, `${path}.routes`, '"routes" must be a list');
    return;
  }
  children.items.forEach((c, i) => {
    if (isMap(c)) checkRoute(c, `${path}.routes[${i}]`, receivers, intervals, report);
    else report(c as Node, `${path}.routes[${i}]`, 'a route must be a mapping');
  });
}

/** Every key anywhere: no `*_file`/`*_files`, and URL-valued fields must be http(s). */
function walk(node: unknown, path: string, report: Report): void {
  if (isSeq(node)) {
    for (const [i, x] of node.items.entries()) walk(x, `${path}[${i}]`, report);
    return;
  }
  if (!isMap(node)) return;
  for (const p of node.items as Pair[]) {
    const k = keyOf(p);
    const here = path ? `${path}.${k}` : k;
    if (/_files?$/.test(k) || k === 'files') {
      report(
        p.key as Node,
        here,
        `field ${k} is not allowed: reading local files is not supported in a multi-tenant Alertmanager`,
      );
      continue;
    }
    const v = isScalar(p.value) ? p.value.value : undefined;
    if (typeof v === 'string' && (k === 'url' || k.endsWith('_url') || URL_LIKE.test(v))) {
      const problem = urlProblem(v);
      if (problem) report(p.value as Node, here, problem);
    }
    walk(p.value, here, report);
  }
}

function urlProblem(raw: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `invalid URL ${JSON.stringify(raw)}`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return `URL scheme ${u.protocol.replace(':', '')} is not allowed: only http and https`;
  }
  return undefined;
}

function keyOf(p: Pair): string {
  return isScalar(p.key) ? String(p.key.value) : String(p.key);
}
