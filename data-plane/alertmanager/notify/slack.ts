import type { SlackConfig } from '../config/index.js';
import type { TemplateSet } from '../template/index.js';
import { templateValue } from '../template/index.js';
import { templateData } from './data.js';
import type { Firewall } from './firewall.js';
import { checkStatus, httpPost } from './http.js';
import type { Integration } from './types.js';

/** Slack incoming-webhook message with one attachment, as Alertmanager sends it. */
export function slackIntegration(
  cfg: SlackConfig,
  index: number,
  tmpl: TemplateSet,
  firewall: Firewall,
  timeoutMs: number,
): Integration {
  return {
    name: 'slack',
    index,
    sendResolved: cfg.sendResolved,
    async notify(d, signal) {
      const data = templateValue(templateData(d));
      const t = (s: string) => tmpl.execute(s, data);
      const attachment: Record<string, unknown> = {
        title: t(cfg.title),
        title_link: t(cfg.titleLink),
        text: t(cfg.text),
        fallback: t('{{ template "slack.default.fallback" . }}'),
        color: t(cfg.color),
        mrkdwn_in: ['fallback', 'pretext', 'text'],
      };
      const msg: Record<string, unknown> = {
        channel: t(cfg.channel),
        username: t(cfg.username),
        attachments: [attachment],
      };
      if (cfg.iconEmoji) msg.icon_emoji = t(cfg.iconEmoji);
      if (cfg.iconUrl) msg.icon_url = t(cfg.iconUrl);
      const res = await httpPost(cfg.apiUrl, JSON.stringify(msg), {
        firewall,
        httpConfig: cfg.httpConfig,
        timeoutMs,
        ...(signal ? { signal } : {}),
      });
      checkStatus('slack', res);
    },
  };
}
