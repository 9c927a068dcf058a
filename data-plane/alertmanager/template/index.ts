export { DEFAULT_TEMPLATES } from './defaults.js';
export { FUNCS } from './exec.js';
export { TemplateError } from './lex.js';
export { TemplateSet } from './template-set.js';
export { type AlertList, alertList, GoTimeValue, KV, templateValue } from './values.js';
