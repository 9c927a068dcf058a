export {
  formatE,
  formatF,
  formatG,
  sprintf,
  TemplateError,
  type TemplateFunc,
} from '../../template/index.js';
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
export { labelMap, RuleTemplate, type TemplateData } from './template.js';
