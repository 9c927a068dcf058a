/**
 * Validates a tenant's Alertmanager configuration before it is stored. The data plane's parser
 * (`parseAlertmanagerConfig`) is the authority on structure: nothing is stored that the tenant's
 * Alertmanager would refuse to load. Around it, what only the control plane checks: the size limit,
 * the uploaded templates, bounded YAML, the tenant policy (no local files, http(s) URLs only; shared
 * with `cortexctl alertmanager verify`) and label names. Destinations are not resolved here;
 * private-address blocking belongs at connect time in the notifier (DNS rebinding makes a write-time
 * check meaningless).
 */

import {
  formatConfigErrors,
  parseAlertmanagerConfig,
  parseMatchers,
  templateRefErrors,
  tenantPolicyErrors,
  validateTemplates,
} from '../../data-plane/alertmanager/config/index.js';
import { BadDataError } from '../../data-plane/model/index.js';
import { checkLabelName } from './names.js';
import { parseYaml } from './safe-yaml.js';
import { checkTemplate } from './templates.js';

const TEMPLATE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const MAX_TEMPLATES = 100;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

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
  const policy = tenantPolicyErrors(cfg);
  if (policy.length > 0) throw new BadDataError(`alertmanager config: ${formatConfigErrors(policy)}`);
  checkRoutesAndMatchers(cfg);
  const parsed = parseAlertmanagerConfig(input.config, { maxBytes: Number.MAX_SAFE_INTEGER });
  const problems = [
    ...parsed.errors,
    ...validateTemplates(input.templates),
    ...templateRefErrors(parsed.config?.templates ?? [], Object.keys(input.templates)),
  ];
  if (problems.length > 0) throw new BadDataError(`alertmanager config: ${formatConfigErrors(problems)}`);
}

/**
 * Before the parser, in this API's own words: a missing route, routes naming undefined receivers and
 * matchers that do not parse (the answers clients have been given all along). Also what the parser
 * does not check: `group_by` and `equal` must list valid label names. Values of the wrong type are
 * left to the parser, which reports them with their path.
 */
function checkRoutesAndMatchers(cfg: Obj): void {
  if (cfg.route === undefined) throw new BadDataError('alertmanager config: "route" is required');
  const receivers = new Set(list(cfg.receivers).flatMap((r) => (isObj(r) && r.name != null ? [String(r.name)] : [])));
  const routes: Array<[unknown, string]> = [[cfg.route, 'route']];
  while (routes.length > 0) {
    const [route, where] = routes.pop()!;
    if (!isObj(route)) continue;
    const receiver = route.receiver;
    if ((typeof receiver === 'string' || typeof receiver === 'number') && !receivers.has(String(receiver))) {
      throw new BadDataError(
        `alertmanager config: ${where}.receiver: ${JSON.stringify(receiver)} is not a defined receiver`,
      );
    }
    for (const l of list(route.group_by)) {
      if (typeof l === 'string' && l !== '...') checkLabelName(l, `alertmanager config: ${where}.group_by`);
    }
    for (const [i, m] of list(route.matchers).entries())
      checkMatcher(m, `alertmanager config: ${where}.matchers[${i}]`);
    const children = list(route.routes);
    for (let i = children.length - 1; i >= 0; i--) routes.push([children[i], `${where}.routes[${i}]`]);
  }
  list(cfg.inhibit_rules).forEach((rule, i) => {
    if (!isObj(rule)) return;
    const where = `alertmanager config: inhibit_rules[${i}]`;
    for (const k of ['source_matchers', 'target_matchers'] as const) {
      for (const [j, m] of list(rule[k]).entries()) checkMatcher(m, `${where}.${k}[${j}]`);
    }
    for (const l of list(rule.equal)) if (typeof l === 'string') checkLabelName(l, `${where}.equal`);
  });
}

/** Alertmanager matcher text, parsed by the data plane's own matcher parser. */
function checkMatcher(m: unknown, where: string): void {
  if (typeof m !== 'string') return;
  try {
    parseMatchers(m);
  } catch (err) {
    throw new BadDataError(
      `${where}: cannot parse matcher ${JSON.stringify(m.slice(0, 80))}: ${(err as Error).message}`,
    );
  }
}
