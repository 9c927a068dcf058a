export { goTime, type TemplateData, templateData, webhookPayload } from './data.js';
export { Firewall, type FirewallOptions, parseIp } from './firewall.js';
export { checkLiteralHost, guardedLookup, httpPost, NotifyError } from './http.js';
export { buildIntegrations, type IntegrationDeps } from './integrations.js';
export { type SmtpMessage, sendMail } from './smtp.js';
export type { Integration, NotifyData } from './types.js';
