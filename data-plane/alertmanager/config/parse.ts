import type { Matcher } from '../../model/index.js';
import { Matcher as M } from '../../model/index.js';
import { loadYaml } from './load-yaml.js';
import { parseMatchers, sortMatchers } from './matcher-parse.js';
import { parseHttpConfig, parseReceivers } from './parse-receivers.js';
import { join, type RawMap, Reader } from './reader.js';
import { isTemplatePath } from './tenant-policy.js';
import { parseTimeIntervals } from './time-intervals.js';
import type { AlertmanagerConfig, ConfigError, GlobalConfig, InhibitRuleConfig, RouteConfig } from './types.js';

export interface ParseOptions {
  /** Largest accepted document (default 1 MiB). */
  maxBytes?: number;
  /** Deepest route tree (default 100). */
  maxRouteDepth?: number;
}

const ROUTE_KEYS = [
  'receiver',
  'group_by',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'matchers',
  'match',
  'match_re',
  'continue',
  'routes',
  'mute_time_intervals',
  'active_time_intervals',
];
const GLOBAL_KEYS = [
  'resolve_timeout',
  'smtp_from',
  'smtp_smarthost',
  'smtp_hello',
  'smtp_auth_username',
  'smtp_auth_password',
  'smtp_auth_identity',
  'smtp_require_tls',
  'slack_api_url',
  'pagerduty_url',
  'http_config',
];

/**
 * Parses and validates a tenant's Alertmanager YAML. Pure: reads no files, no environment. Returns
 * every problem found (each with the path of the bad field); `config` is only set when there are none.
 */
export function parseAlertmanagerConfig(
  yaml: string,
  opts: ParseOptions = {},
): { config: AlertmanagerConfig | undefined; errors: ConfigError[] } {
  const loaded = loadYaml(yaml, {
    maxBytes: opts.maxBytes ?? 1 << 20,
    maxAliases: 100,
    maxDepth: 64 + (opts.maxRouteDepth ?? 100) * 2,
  });
  if (loaded.errors.length > 0) return { config: undefined, errors: loaded.errors };
  const r = new Reader();
  findFileFields(r, loaded.value, '');
  const top = r.map(loaded.value, '', [
    'global',
    'route',
    'inhibit_rules',
    'receivers',
    'templates',
    'time_intervals',
    'mute_time_intervals',
  ]);
  if (!top) {
    r.err('', 'configuration must be a YAML mapping');
    return { config: undefined, errors: r.errors };
  }
  const global = parseGlobal(r, top.global);
  const receivers = parseReceivers(r, top.receivers, global);
  const timeIntervals = [
    ...parseTimeIntervals(r, top.mute_time_intervals, 'mute_time_intervals'),
    ...parseTimeIntervals(r, top.time_intervals, 'time_intervals'),
  ];
  const seen = new Set<string>();
  for (const ti of timeIntervals) {
    if (seen.has(ti.name)) r.err('time_intervals', `time interval ${JSON.stringify(ti.name)} is defined twice`);
    seen.add(ti.name);
  }
  const templates = r.strList(top, 'templates', '');
  templates.forEach((t, i) => {
    if (isTemplatePath(t)) {
      r.err(`templates[${i}]`, `template ${JSON.stringify(t)} must name an uploaded template, not a path`);
    }
  });
  const maxDepth = opts.maxRouteDepth ?? 100;
  let route: RouteConfig | undefined;
  const rootRaw = r.map(top.route, 'route', ROUTE_KEYS);
  if (!rootRaw) r.err('route', 'no route provided in config');
  else {
    if (rootRaw.matchers !== undefined || rootRaw.match !== undefined || rootRaw.match_re !== undefined) {
      r.err('route', 'root route must not have any matchers');
    }
    if (rootRaw.mute_time_intervals !== undefined || rootRaw.active_time_intervals !== undefined) {
      r.err('route', 'root route must not have any mute or active time intervals');
    }
    if (rootRaw.continue !== undefined) r.err('route.continue', 'cannot have continue in root route');
    if (r.str(rootRaw, 'receiver', 'route') === '')
      r.err('route.receiver', 'root route must specify a default receiver');
    route = parseRoute(r, rootRaw, 'route', undefined, 1, maxDepth);
  }
  const inhibitRules = r
    .list(top.inhibit_rules, 'inhibit_rules')
    .map((v, i) => parseInhibit(r, v, `inhibit_rules[${i}]`));
  if (route) {
    const names = new Set(receivers.map((x) => x.name));
    const intervals = new Set(timeIntervals.map((x) => x.name));
    checkRefs(r, route, 'route', names, intervals);
  }
  if (r.errors.length > 0 || !route) return { config: undefined, errors: r.errors };
  return { config: { global, route, inhibitRules, receivers, timeIntervals, templates }, errors: [] };
}

/** Rejects every field that would make the Alertmanager read a local file (`*_file`, `files`). */
function findFileFields(r: Reader, v: unknown, path: string): void {
  const stack: [unknown, string][] = [[v, path]];
  while (stack.length > 0) {
    const [node, p] = stack.pop()!;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) stack.push([node[i], `${p}[${i}]`]);
    } else if (node !== null && typeof node === 'object') {
      for (const [k, x] of Object.entries(node as RawMap)) {
        if (/_file$|^files?$|_files$/.test(k))
          r.err(join(p, k), `setting ${k} is not allowed: configurations may not reference local files`);
        else stack.push([x, join(p, k)]);
      }
    }
  }
}

function parseGlobal(r: Reader, raw: unknown): GlobalConfig {
  const m = r.map(raw, 'global', GLOBAL_KEYS);
  const g: GlobalConfig = {
    resolveTimeoutMs: r.duration(m, 'resolve_timeout', 'global') ?? 5 * 60_000,
    smtpHello: r.str(m, 'smtp_hello', 'global', 'localhost'),
    smtpRequireTls: r.bool(m, 'smtp_require_tls', 'global', true),
    pagerdutyUrl: r.url(m, 'pagerduty_url', 'global', false) || 'https://events.pagerduty.com/v2/enqueue',
    httpConfig: parseHttpConfig(r, m?.http_config, 'global.http_config'),
  };
  const opt = (k: keyof GlobalConfig, key: string) => {
    const v = r.optStr(m, key, 'global');
    if (v !== undefined) (g as unknown as Record<string, unknown>)[k] = v;
  };
  opt('smtpFrom', 'smtp_from');
  opt('smtpSmarthost', 'smtp_smarthost');
  opt('smtpAuthUsername', 'smtp_auth_username');
  opt('smtpAuthPassword', 'smtp_auth_password');
  const slack = r.url(m, 'slack_api_url', 'global', false);
  if (slack !== '') g.slackApiUrl = slack;
  return g;
}

function parseRoute(
  r: Reader,
  m: RawMap,
  path: string,
  parent: RouteConfig | undefined,
  depth: number,
  maxDepth: number,
): RouteConfig {
  const groupByRaw = m.group_by === undefined ? undefined : r.strList(m, 'group_by', path);
  const groupByAll = groupByRaw ? groupByRaw.includes('...') : (parent?.groupByAll ?? false);
  if (groupByRaw?.includes('...') && groupByRaw.length > 1) {
    r.err(`${path}.group_by`, "cannot have wildcard group_by ('...') and other labels at the same time");
  }
  const groupBy = groupByRaw ? groupByRaw.filter((x) => x !== '...') : (parent?.groupBy ?? []);
  if (new Set(groupBy).size !== groupBy.length) r.err(`${path}.group_by`, 'duplicated label in group_by');
  const positive = (key: string, dflt: number) => {
    const v = r.duration(m, key, path);
    if (v === 0) r.err(`${path}.${key}`, `${key} cannot be zero`);
    return v ?? dflt;
  };
  const route: RouteConfig = {
    receiver: r.str(m, 'receiver', path, parent?.receiver ?? ''),
    groupBy,
    groupByAll,
    groupWaitMs: r.duration(m, 'group_wait', path) ?? parent?.groupWaitMs ?? 30_000,
    groupIntervalMs: positive('group_interval', parent?.groupIntervalMs ?? 5 * 60_000),
    repeatIntervalMs: positive('repeat_interval', parent?.repeatIntervalMs ?? 4 * 3600_000),
    matchers: sortMatchers(routeMatchers(r, m, path)),
    continue: r.bool(m, 'continue', path, false),
    routes: [],
    muteTimeIntervals: r.strList(m, 'mute_time_intervals', path),
    activeTimeIntervals: r.strList(m, 'active_time_intervals', path),
  };
  if (depth >= maxDepth && m.routes !== undefined) {
    r.err(`${path}.routes`, `route tree is deeper than ${maxDepth} levels`);
    return route;
  }
  r.list(m.routes, `${path}.routes`).forEach((c, i) => {
    const p = `${path}.routes[${i}]`;
    const cm = r.map(c, p, ROUTE_KEYS);
    if (cm) route.routes.push(parseRoute(r, cm, p, route, depth + 1, maxDepth));
  });
  return route;
}

/** `matchers` (new syntax) plus the legacy `match`/`match_re` maps. */
function routeMatchers(r: Reader, m: RawMap, path: string): Matcher[] {
  const out: Matcher[] = [];
  out.push(...matcherList(r, m, 'matchers', path));
  for (const [k, v] of Object.entries(r.strMap(m, 'match', path))) out.push(new M('=', k, v));
  for (const [k, v] of Object.entries(r.strMap(m, 'match_re', path))) {
    try {
      out.push(new M('=~', k, v));
    } catch (e) {
      r.err(`${path}.match_re.${k}`, (e as Error).message);
    }
  }
  return out;
}

function matcherList(r: Reader, m: RawMap | undefined, key: string, path: string): Matcher[] {
  const out: Matcher[] = [];
  r.strList(m, key, path).forEach((s, i) => {
    try {
      out.push(...parseMatchers(s));
    } catch (e) {
      r.err(`${join(path, key)}[${i}]`, (e as Error).message);
    }
  });
  return out;
}

function parseInhibit(r: Reader, raw: unknown, path: string): InhibitRuleConfig {
  const m = r.map(raw, path, [
    'source_matchers',
    'target_matchers',
    'source_match',
    'source_match_re',
    'target_match',
    'target_match_re',
    'equal',
  ]);
  const legacy = (eqKey: string, reKey: string): Matcher[] => {
    const out: Matcher[] = [];
    for (const [k, v] of Object.entries(r.strMap(m, eqKey, path))) out.push(new M('=', k, v));
    for (const [k, v] of Object.entries(r.strMap(m, reKey, path))) {
      try {
        out.push(new M('=~', k, v));
      } catch (e) {
        r.err(`${path}.${reKey}.${k}`, (e as Error).message);
      }
    }
    return out;
  };
  return {
    sourceMatchers: [...matcherList(r, m, 'source_matchers', path), ...legacy('source_match', 'source_match_re')],
    targetMatchers: [...matcherList(r, m, 'target_matchers', path), ...legacy('target_match', 'target_match_re')],
    equal: r.strList(m, 'equal', path),
  };
}

function checkRefs(r: Reader, route: RouteConfig, path: string, receivers: Set<string>, intervals: Set<string>): void {
  if (route.receiver !== '' && !receivers.has(route.receiver)) {
    r.err(`${path}.receiver`, `undefined receiver ${JSON.stringify(route.receiver)} used in route`);
  }
  for (const [key, list] of [
    ['mute_time_intervals', route.muteTimeIntervals],
    ['active_time_intervals', route.activeTimeIntervals],
  ] as const) {
    list.forEach((n, i) => {
      if (!intervals.has(n))
        r.err(`${path}.${key}[${i}]`, `undefined time interval ${JSON.stringify(n)} used in route`);
    });
  }
  route.routes.forEach((c, i) => {
    checkRefs(r, c, `${path}.routes[${i}]`, receivers, intervals);
  });
}

/** One line per error, `path: message`, for CLI and API answers. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return errors.map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`)).join('\n');
}
