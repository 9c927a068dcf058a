/**
 * Validates a tenant's Alertmanager configuration before it is stored. Security rules first: no field
 * may name a local file (every `*_file` key, `files`, top-level `templates` globs — the Cortex CVE
 * class), and every URL must be http(s). Destinations are not resolved here; private-address blocking
 * belongs at connect time in the notifier (DNS rebinding makes a write-time check meaningless).
 * Then structure: route tree, receivers referenced by routes exist, matchers parse, durations parse.
 */

import {
  formatConfigErrors,
  parseAlertmanagerConfig,
  validateTemplates,
} from '../../data-plane/alertmanager/config/index.js';
import { BadDataError, compileAnchored, parseDuration } from '../../data-plane/model/index.js';
import { checkMatcher } from './am-matchers.js';
import { checkLabelName } from './names.js';
import { parseYaml } from './safe-yaml.js';
import { checkTemplate } from './templates.js';

const TOP_KEYS = new Set(['global', 'route', 'receivers', 'inhibit_rules', 'time_intervals', 'mute_time_intervals']);
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
const TEMPLATE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const MAX_TEMPLATES = 100;
const URL_LIKE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rejects file references and non-http(s) URLs anywhere in the tree (iterative; depth already bounded). */
function checkForbidden(root: unknown): void {
  const stack: Array<[unknown, string, string]> = [[root, '', '']];
  while (stack.length > 0) {
    const [v, path, key] = stack.pop()!;
    if (typeof v === 'string') {
      const urlKey = key === 'url' || key.endsWith('_url');
      if (urlKey || URL_LIKE.test(v)) {
        let u: URL;
        try {
          u = new URL(v);
        } catch {
          throw new BadDataError(`alertmanager config: ${path}: ${JSON.stringify(v.slice(0, 80))} is not a valid URL`);
        }
        if (u.protocol !== 'http:' && u.protocol !== 'https:') {
          throw new BadDataError(
            `alertmanager config: ${path}: only http and https URLs are allowed, got ${u.protocol}`,
          );
        }
      }
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    const entries = Array.isArray(v) ? v.map((c, i) => [String(i), c] as const) : Object.entries(v);
    for (const [k, child] of entries) {
      const childPath = path === '' ? k : `${path}.${k}`;
      if (!Array.isArray(v) && (k.endsWith('_file') || k === 'files' || k.endsWith('_files'))) {
        throw new BadDataError(
          `alertmanager config: ${childPath}: fields that read local files are not allowed; put the value inline`,
        );
      }
      stack.push([child, childPath, Array.isArray(v) ? key : k]);
    }
  }
}

function checkDuration(v: unknown, where: string): void {
  if (v === undefined) return;
  if (typeof v !== 'string') throw new BadDataError(`alertmanager config: ${where}: must be a duration string`);
  try {
    parseDuration(v);
  } catch {
    throw new BadDataError(`alertmanager config: ${where}: ${JSON.stringify(v.slice(0, 40))} is not a valid duration`);
  }
}

function checkRoute(
  route: unknown,
  where: string,
  ctx: { receivers: Set<string>; intervals: Set<string> },
  top: boolean,
) {
  if (!isObj(route)) throw new BadDataError(`alertmanager config: ${where}: must be a mapping`);
  for (const k of Object.keys(route)) {
    if (!ROUTE_KEYS.has(k)) throw new BadDataError(`alertmanager config: ${where}: unknown field ${JSON.stringify(k)}`);
  }
  if (route.receiver === undefined) {
    if (top) throw new BadDataError('alertmanager config: route: the root route must name a receiver');
  } else if (typeof route.receiver !== 'string' || !ctx.receivers.has(route.receiver)) {
    throw new BadDataError(
      `alertmanager config: ${where}.receiver: ${JSON.stringify(route.receiver)} is not a defined receiver`,
    );
  }
  if (route.group_by !== undefined) {
    if (!Array.isArray(route.group_by))
      throw new BadDataError(`alertmanager config: ${where}.group_by: must be a list`);
    for (const l of route.group_by) {
      if (l !== '...' && typeof l === 'string') checkLabelName(l, `alertmanager config: ${where}.group_by`);
      else if (l !== '...') throw new BadDataError(`alertmanager config: ${where}.group_by: must list label names`);
    }
  }
  if (route.matchers !== undefined) {
    if (!Array.isArray(route.matchers))
      throw new BadDataError(`alertmanager config: ${where}.matchers: must be a list`);
    for (const [i, m] of route.matchers.entries()) checkMatcher(m, `alertmanager config: ${where}.matchers[${i}]`);
  }
  for (const k of ['match', 'match_re'] as const) {
    const m = route[k];
    if (m === undefined) continue;
    if (!isObj(m)) throw new BadDataError(`alertmanager config: ${where}.${k}: must be a map`);
    for (const [name, value] of Object.entries(m)) {
      if (typeof value !== 'string')
        throw new BadDataError(`alertmanager config: ${where}.${k}.${name}: must be a string`);
      if (k === 'match_re') {
        try {
          compileAnchored(value);
        } catch (err) {
          throw new BadDataError(`alertmanager config: ${where}.match_re.${name}: ${(err as Error).message}`);
        }
      }
    }
  }
  for (const k of ['group_wait', 'group_interval', 'repeat_interval'] as const)
    checkDuration(route[k], `${where}.${k}`);
  for (const k of ['mute_time_intervals', 'active_time_intervals'] as const) {
    const names = route[k];
    if (names === undefined) continue;
    if (!Array.isArray(names)) throw new BadDataError(`alertmanager config: ${where}.${k}: must be a list`);
    for (const n of names) {
      if (typeof n !== 'string' || !ctx.intervals.has(n)) {
        throw new BadDataError(
          `alertmanager config: ${where}.${k}: ${JSON.stringify(n)} is not a defined time interval`,
        );
      }
    }
  }
  if (route.routes !== undefined) {
    if (!Array.isArray(route.routes)) throw new BadDataError(`alertmanager config: ${where}.routes: must be a list`);
    for (const [i, r] of route.routes.entries()) checkRoute(r, `${where}.routes[${i}]`, ctx, false);
  }
}

function names(list: unknown, what: string): Set<string> {
  const out = new Set<string>();
  if (list === undefined) return out;
  if (!Array.isArray(list)) throw new BadDataError(`alertmanager config: ${what}: must be a list`);
  list.forEach((item, i) => {
    if (!isObj(item) || typeof item.name !== 'string' || item.name === '') {
      throw new BadDataError(`alertmanager config: ${what}[${i}]: "name" is required`);
    }
    if (out.has(item.name))
      throw new BadDataError(`alertmanager config: ${what}: duplicate name ${JSON.stringify(item.name)}`);
    out.add(item.name);
  });
  return out;
}

export interface AlertmanagerInput {
  config: string;
  templates: Record<string, string>;
}

/** Validates config + templates; `maxBytes` 0 means unlimited (alertmanager_max_config_size_bytes). */
export function validateAlertmanagerConfig(input: AlertmanagerInput, maxBytes: number): void {
  const templates = Object.entries(input.templates);
  const size =
    Buffer.byteLength(input.config) +
    templates.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (maxBytes > 0 && size > maxBytes) {
    throw new BadDataError(
      `alertmanager config: ${size} bytes exceed the limit of ${maxBytes} (err-cortex-alertmanager-max-config-size); raise limits.alertmanager_max_config_size_bytes for this tenant`,
      { id: 'err-cortex-alertmanager-max-config-size' },
    );
  }
  if (templates.length > MAX_TEMPLATES) throw new BadDataError(`alertmanager templates: at most ${MAX_TEMPLATES}`);
  for (const [name, text] of templates) {
    if (!TEMPLATE_NAME.test(name)) {
      throw new BadDataError(
        `alertmanager templates: invalid name ${JSON.stringify(name.slice(0, 60))} (must match ${TEMPLATE_NAME.source})`,
      );
    }
    if (typeof text !== 'string') throw new BadDataError(`alertmanager templates: ${name}: must be a string`);
    checkTemplate(text, `alertmanager templates: ${name}`);
  }
  const cfg = parseYaml(input.config, 'alertmanager config');
  if (!isObj(cfg)) throw new BadDataError('alertmanager config: must be a YAML mapping');
  for (const k of Object.keys(cfg)) {
    if (k === 'templates') {
      throw new BadDataError(
        'alertmanager config: "templates" file globs are not allowed; upload templates in the "templates" map',
      );
    }
    if (!TOP_KEYS.has(k))
      throw new BadDataError(`alertmanager config: unknown top-level field ${JSON.stringify(k.slice(0, 60))}`);
  }
  checkForbidden(cfg);
  const receivers = names(cfg.receivers, 'receivers');
  const intervals = new Set([
    ...names(cfg.time_intervals, 'time_intervals'),
    ...names(cfg.mute_time_intervals, 'mute_time_intervals'),
  ]);
  if (cfg.route === undefined) throw new BadDataError('alertmanager config: "route" is required');
  checkRoute(cfg.route, 'route', { receivers, intervals }, true);
  if (cfg.inhibit_rules !== undefined) {
    if (!Array.isArray(cfg.inhibit_rules)) throw new BadDataError('alertmanager config: inhibit_rules: must be a list');
    cfg.inhibit_rules.forEach((rule, i) => {
      const where = `alertmanager config: inhibit_rules[${i}]`;
      if (!isObj(rule)) throw new BadDataError(`${where}: must be a mapping`);
      for (const k of ['source_matchers', 'target_matchers'] as const) {
        const ms = rule[k];
        if (ms === undefined) continue;
        if (!Array.isArray(ms)) throw new BadDataError(`${where}.${k}: must be a list`);
        for (const [j, m] of ms.entries()) checkMatcher(m, `${where}.${k}[${j}]`);
      }
      if (rule.equal !== undefined) {
        if (!Array.isArray(rule.equal)) throw new BadDataError(`${where}.equal: must be a list`);
        for (const l of rule.equal) {
          if (typeof l !== 'string') throw new BadDataError(`${where}.equal: must list label names`);
          checkLabelName(l, `${where}.equal`);
        }
      }
    });
  }
  // Finally the Alertmanager's own parser, so nothing is accepted here that the tenant's
  // Alertmanager would refuse to load (unsupported receiver types, bad templates, …).
  const problems = [
    ...parseAlertmanagerConfig(input.config, { maxBytes: Number.MAX_SAFE_INTEGER }).errors,
    ...validateTemplates(input.templates),
  ];
  if (problems.length > 0) throw new BadDataError(`alertmanager config: ${formatConfigErrors(problems)}`);
}
