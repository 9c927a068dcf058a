import { parseTemplate } from '../template/parse.js';
import type { ConfigError } from './types.js';

export interface TemplateLimits {
  /** Most templates per tenant (0 = no limit). */
  maxCount?: number;
  /** Largest template in bytes (0 = no limit). */
  maxBytes?: number;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

/**
 * Validates a tenant's uploaded templates: names are plain file names, count and size within the
 * limits, and each parses (Alertmanager's Go-template subset). Pure, for upload-time checks.
 */
export function validateTemplates(templates: Record<string, string>, limits: TemplateLimits = {}): ConfigError[] {
  const errors: ConfigError[] = [];
  const names = Object.keys(templates);
  if (limits.maxCount && names.length > limits.maxCount) {
    errors.push({
      path: 'templates',
      message: `too many templates in the configuration: ${names.length} (limit: ${limits.maxCount})`,
    });
  }
  for (const name of names) {
    const text = templates[name]!;
    const path = `templates.${name}`;
    if (!NAME.test(name) || name.includes('..')) {
      errors.push({ path, message: `invalid template name ${JSON.stringify(name)}: use a plain file name` });
      continue;
    }
    const size = Buffer.byteLength(text, 'utf8');
    if (limits.maxBytes && size > limits.maxBytes) {
      errors.push({ path, message: `template ${name} is too big: ${size} bytes (limit: ${limits.maxBytes})` });
      continue;
    }
    try {
      parseTemplate(text, new Map());
    } catch (e) {
      errors.push({ path, message: `template ${name} does not parse: ${(e as Error).message}` });
    }
  }
  return errors;
}

/**
 * The config's `templates:` entries against the uploaded template names: a plain name (no `*` or `?`)
 * that names no uploaded template can never load, so it is reported (Alertmanager would silently
 * match no file). Globs may match nothing, as in Alertmanager.
 */
export function templateRefErrors(selected: readonly string[], uploaded: readonly string[]): ConfigError[] {
  const names = new Set(uploaded);
  const errors: ConfigError[] = [];
  selected.forEach((t, i) => {
    if (!/[*?]/.test(t) && !names.has(t)) {
      errors.push({
        path: `templates[${i}]`,
        message: `no uploaded template is named ${JSON.stringify(t.slice(0, 80))}; upload it with the configuration (template_files)`,
      });
    }
  });
  return errors;
}
