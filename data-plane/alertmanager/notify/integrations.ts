import type { GlobalConfig, ReceiverConfig } from '../config/index.js';
import type { Firewall } from './firewall.js';
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
  return r.integrations.map((c) => {
    switch (c.kind) {
      case 'webhook':
        return webhookIntegration(c, next('webhook'), deps.firewall, deps.timeoutMs);
      default:
        throw new Error(`integration ${c.kind} is not available`);
    }
  });
}
