export { TemplateError } from '../../template/index.js';
export { DEFAULT_TEMPLATES } from './defaults.js';
export { FUNCS } from './funcs.js';
export { TemplateSet } from './template-set.js';
export { type AlertList, alertList, GoDuration, GoTimeValue, KV, templateValue } from './values.js';
