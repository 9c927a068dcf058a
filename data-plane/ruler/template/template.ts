import type { Labels } from '../../model/index.js';
import {
  execTemplate,
  NeedsAsync,
  type Node,
  parseTemplate,
  TemplateError,
  type TemplateFunc,
} from '../../template/index.js';
import { type FuncContext, TEMPLATE_FUNC_NAMES, templateFuncs } from './funcs.js';

// Prometheus prepends these definitions to every rule template (rules/alerting.go).
const DEFS =
  '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

/** Distinct queries one template may run. */
const MAX_QUERIES = 20;

/** What a rule template sees: the alert's labels and value, plus the ruler's external labels and URL. */
export interface TemplateData {
  labels: Labels;
  externalLabels: Labels;
  externalURL: string;
  value: number;
}

/** A parsed rule label or annotation template; parse once, expand per alert. */
export class RuleTemplate {
  private constructor(
    readonly text: string,
    private readonly nodes: readonly Node[] | undefined,
    /** Templates it `define`s (and `block`s), callable with `{{template "name" .}}`. */
    private readonly defs: ReadonlyMap<string, Node[]> = new Map(),
  ) {}

  /** Parses `text`; throws TemplateError with Go-like messages for syntax errors and unknown functions. */
  static parse(text: string): RuleTemplate {
    if (!text.includes('{{')) return new RuleTemplate(text, undefined);
    const defs = new Map<string, Node[]>();
    const nodes = parseTemplate(DEFS + text, { funcs: TEMPLATE_FUNC_NAMES, defs });
    return new RuleTemplate(text, nodes, defs);
  }

  /** Expands the template; throws TemplateError when execution fails. */
  expand(data: TemplateData, ctx: FuncContext): Promise<string> {
    return this.expandWith(data, templateFuncs(ctx));
  }

  /** Like `expand` with a function map built once by `templateFuncs` (many alerts, one evaluation). */
  async expandWith(data: TemplateData, funcs: ReadonlyMap<string, TemplateFunc>): Promise<string> {
    if (!this.nodes) return this.text;
    const dot = Object.assign(Object.create(null), {
      Labels: labelMap(data.labels),
      ExternalLabels: labelMap(data.externalLabels),
      ExternalURL: data.externalURL,
      Value: data.value,
    });
    // Each pass either finishes or stops at one query whose result is not cached yet.
    for (let pass = 0; pass < MAX_QUERIES + 1; pass++) {
      try {
        return execTemplate(this.nodes, dot, { funcs, defs: this.defs });
      } catch (err) {
        if (!(err instanceof NeedsAsync)) throw err;
        await err.fetch();
      }
    }
    throw new TemplateError(`template runs more than ${MAX_QUERIES} queries`);
  }
}

/** Go maps keyed by label name; a Map keeps `__proto__` an ordinary key. */
export function labelMap(l: Labels): Map<string, string> {
  const m = new Map<string, string>();
  for (const [n, v] of l) m.set(n, v);
  return m;
}
