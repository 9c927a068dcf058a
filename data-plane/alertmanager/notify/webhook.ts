import type { WebhookConfig } from '../config/index.js';
import { templateData, webhookPayload } from './data.js';
import type { Firewall } from './firewall.js';
import { checkStatus, httpPost } from './http.js';
import type { Integration, NotifyData } from './types.js';

export function webhookIntegration(
  cfg: WebhookConfig,
  index: number,
  firewall: Firewall,
  timeoutMs: number,
): Integration {
  return {
    name: 'webhook',
    index,
    sendResolved: cfg.sendResolved,
    async notify(d: NotifyData, signal?: AbortSignal) {
      const data = templateData(d);
      let truncated = 0;
      if (cfg.maxAlerts > 0 && data.alerts.length > cfg.maxAlerts) {
        truncated = data.alerts.length - cfg.maxAlerts;
        data.alerts = data.alerts.slice(0, cfg.maxAlerts);
      }
      const body = JSON.stringify(webhookPayload(data, truncated));
      const res = await httpPost(cfg.url, body, {
        firewall,
        httpConfig: cfg.httpConfig,
        timeoutMs,
        ...(signal ? { signal } : {}),
      });
      checkStatus('webhook', res);
    },
  };
}
