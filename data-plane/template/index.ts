/**
 * One Go `text/template` engine for the ruler (Prometheus rule templates) and the Alertmanager
 * (notification templates). The engine is the language (lexer, parser, interpreter, Go builtins,
 * Go's fmt for numbers); each user brings its own function map and data:
 *
 * ```ts
 * const defs = new Map();
 * const nodes = parseTemplate(text, { funcs: new Set(funcs.keys()), defs });
 * const out = execTemplate(nodes, dot, { funcs, defs });
 * ```
 *
 * `data-plane/ruler/template` adds Prometheus's functions (`query`, `humanize`, …) and the rule
 * template data; `data-plane/alertmanager/template` adds the Alertmanager's functions, default
 * templates and notification data.
 */
export type { Arg, Cmd, Node, Pipe } from './ast.js';
export {
  type BuiltinOptions,
  goBuiltins,
  htmlEscape,
  queryEscape,
  re2,
  reReplaceAll,
  stringFuncs,
  titleCase,
} from './builtins.js';
export { TemplateError } from './errors.js';
export {
  type ExecOptions,
  execTemplate,
  field,
  type GoMap,
  isGoMap,
  NeedsAsync,
  printValue,
  type TemplateFunc,
  truthy,
} from './exec.js';
export { formatE, formatF, formatG, sprintf } from './go-fmt.js';
export { g4, humanize, humanize1024, humanizeDuration, humanizeTimestamp, toFloat } from './humanize.js';
export { type ParseOptions, parseTemplate } from './parser.js';
export { GoDuration, GoTimeValue } from './time.js';
