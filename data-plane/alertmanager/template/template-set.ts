import { execTemplate, type Node } from '../../template/index.js';
import { DEFAULT_TEMPLATES } from './defaults.js';
import { FUNC_MAP, printNumber } from './funcs.js';
import { parseTemplate } from './parse.js';

const LIMITS = { maxOutput: 1 << 20, maxDepth: 50, maxSteps: 200_000 };

/**
 * A tenant's template set: the defaults, then the tenant's templates selected by the config's
 * `templates:` names or globs (`*.tmpl`). Templates come from the feed only; nothing reads files.
 */
export class TemplateSet {
  private readonly defs = new Map<string, Node[]>();
  private readonly cache = new Map<string, Node[]>();

  constructor(
    tenantTemplates: Record<string, string> = {},
    selected: readonly string[] = Object.keys(tenantTemplates),
  ) {
    parseTemplate(DEFAULT_TEMPLATES, this.defs);
    const globs = selected.map(globToRegExp);
    for (const name of Object.keys(tenantTemplates).sort()) {
      if (globs.some((g) => g.test(name))) parseTemplate(tenantTemplates[name]!, this.defs);
    }
  }

  /** Renders `text` (which may call any defined template) against `data`. */
  execute(text: string, data: unknown): string {
    if (!text.includes('{{')) return text;
    let nodes = this.cache.get(text);
    if (!nodes) {
      nodes = parseTemplate(text, this.defs);
      if (this.cache.size > 512) this.cache.clear();
      this.cache.set(text, nodes);
    }
    return execTemplate(nodes, data, { funcs: FUNC_MAP, defs: this.defs, printNumber, ...LIMITS });
  }
}

function globToRegExp(g: string): RegExp {
  const body = g
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
