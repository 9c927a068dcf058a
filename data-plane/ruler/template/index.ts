export { TemplateError } from './errors.js';
export type { TemplateFunc } from './exec.js';
export {
  type FuncContext,
  humanize,
  humanize1024,
  humanizeDuration,
  humanizeTimestamp,
  reReplaceAll,
  TEMPLATE_FUNC_NAMES,
  type TemplateQueryFunc,
  type TemplateSample,
  templateFuncs,
} from './funcs.js';
export { formatE, formatF, formatG, sprintf } from './go-fmt.js';
export { labelMap, RuleTemplate, type TemplateData } from './template.js';
