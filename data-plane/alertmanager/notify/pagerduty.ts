import { createHash } from 'node:crypto';
import type { PagerdutyConfig } from '../config/index.js';
import type { TemplateSet } from '../template/index.js';
import { templateValue } from '../template/index.js';
import { templateData } from './data.js';
import type { Firewall } from './firewall.js';
import { checkStatus, httpPost } from './http.js';
import type { Integration } from './types.js';

/** PagerDuty Events API v2: one incident per group, deduplicated by the hashed group key. */
export function pagerdutyIntegration(
  cfg: PagerdutyConfig,
  index: number,
  tmpl: TemplateSet,
  firewall: Firewall,
  timeoutMs: number,
): Integration {
  return {
    name: 'pagerduty',
    index,
    sendResolved: cfg.sendResolved,
    async notify(d, signal) {
      const td = templateData(d);
      const data = templateValue(td);
      const t = (s: string) => tmpl.execute(s, data);
      const firing = td.alerts.filter((a) => a.status === 'firing');
      // The tenant names the `details` keys: a prototype-free map keeps `__proto__` a plain key.
      const details: Record<string, string> = Object.assign(Object.create(null), {
        firing: t('{{ template "pagerduty.default.instances" .Alerts.Firing }}'),
        resolved: t('{{ template "pagerduty.default.instances" .Alerts.Resolved }}'),
        num_firing: String(firing.length),
        num_resolved: String(td.alerts.length - firing.length),
      });
      for (const [k, v] of Object.entries(cfg.details)) details[k] = t(v);
      const payload: Record<string, unknown> = {
        summary: truncate(t(cfg.description), 1024),
        source: t(cfg.client),
        severity: t(cfg.severity),
        custom_details: details,
      };
      for (const k of ['class', 'component', 'group'] as const) if (cfg[k]) payload[k] = t(cfg[k]);
      const event = {
        routing_key: t(cfg.routingKey),
        event_action: td.status === 'firing' ? 'trigger' : 'resolve',
        dedup_key: createHash('sha256').update(d.groupKey).digest('hex'),
        payload,
        client: t(cfg.client),
        client_url: t(cfg.clientUrl),
      };
      const res = await httpPost(cfg.url, JSON.stringify(event), {
        firewall,
        httpConfig: cfg.httpConfig,
        timeoutMs,
        ...(signal ? { signal } : {}),
      });
      checkStatus('pagerduty', res);
    },
  };
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
