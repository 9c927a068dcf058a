export { formatMatchers, parseMatchers, sortMatchers } from './matcher-parse.js';
export { formatConfigErrors, type ParseOptions, parseAlertmanagerConfig } from './parse.js';
export { urlProblem } from './reader.js';
export { type TemplateLimits, templateRefErrors, validateTemplates } from './templates.js';
export { type TenantPolicyError, tenantPolicyErrors } from './tenant-policy.js';
export type * from './types.js';
