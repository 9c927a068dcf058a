import type { GlobalConfig, ReceiverConfig } from '../config/index.js';
import { TemplateSet } from '../template/index.js';
import { emailIntegration } from './email.js';
import type { Firewall } from './firewall.js';
import { pagerdutyIntegration } from './pagerduty.js';
import { slackIntegration } from './slack.js';
import type { Integration } from './types.js';
import { webhookIntegration } from './webhook.js';

export interface IntegrationDeps {
  firewall: Firewall;
  timeoutMs: number;
  /** The tenant's uploaded templates (name → text). */
  templates: Record<string, string>;
  /** The config's `templates:` list (names or globs over names). */
  templateNames: string[];
  global: GlobalConfig;
}

/** One Integration per configured `*_configs` entry of a receiver; an empty receiver drops notifications. */
export function buildIntegrations(r: ReceiverConfig, deps: IntegrationDeps): Integration[] {
  const counters = new Map<string, number>();
  const next = (kind: string) => {
    const i = counters.get(kind) ?? 0;
    counters.set(kind, i + 1);
    return i;
  };
  const tmpl = new TemplateSet(deps.templates, deps.templateNames);
  return r.integrations.map((c) => {
    switch (c.kind) {
      case 'webhook':
        return webhookIntegration(c, next('webhook'), deps.firewall, deps.timeoutMs);
      case 'slack':
        return slackIntegration(c, next('slack'), tmpl, deps.firewall, deps.timeoutMs);
      case 'pagerduty':
        return pagerdutyIntegration(c, next('pagerduty'), tmpl, deps.firewall, deps.timeoutMs);
      case 'email':
        return emailIntegration(c, next('email'), tmpl, deps.firewall, deps.timeoutMs);
      default:
        throw new Error(`unknown integration ${(c as { kind: string }).kind}`);
    }
  });
}
