import type { ConfigError } from './types.js';

/** A policy finding; `at` says whether the key (a forbidden field) or its value (a bad URL) is at fault. */
export interface TenantPolicyError extends ConfigError {
  at: 'key' | 'value';
}

const URL_LIKE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;
const FILE_FIELD = /_files?$|^files$/;

/**
 * What an uploaded configuration may not contain, checked on the raw YAML value before (and beyond)
 * the parser's allow-list: a top-level `templates` entry that is a file path rather than the name (or
 * `*`/`?` glob) of an uploaded template, any field that reads a local file, and any URL (a
 * `url`/`*_url` field, or any string that looks like one, wherever it sits) other than http(s).
 * Shared by the control plane's upload check and `cortexctl alertmanager verify`, so both say the
 * same thing. Iterative; the caller bounds the depth.
 */
export function tenantPolicyErrors(root: unknown): TenantPolicyError[] {
  const errors: TenantPolicyError[] = [];
  const templates = isRecord(root) && Object.hasOwn(root, 'templates') ? root.templates : undefined;
  if (Array.isArray(templates)) {
    templates.forEach((t, i) => {
      if (typeof t === 'string' && isTemplatePath(t)) {
        errors.push({
          path: `templates[${i}]`,
          at: 'value',
          message: `template ${JSON.stringify(t.slice(0, 80))} must name an uploaded template (template_files), not a path`,
        });
      }
    });
  }
  const stack: Array<[unknown, string, string]> = [[root, '', '']];
  while (stack.length > 0) {
    const [v, path, key] = stack.pop()!;
    if (typeof v === 'string') {
      if (key === 'url' || key.endsWith('_url') || URL_LIKE.test(v)) {
        const message = urlPolicy(v);
        if (message) errors.push({ path, at: 'value', message });
      }
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`, key]);
    } else if (isRecord(v)) {
      for (const [k, child] of Object.entries(v).reverse()) {
        if (path === '' && k === 'templates') continue;
        const childPath = path === '' ? k : `${path}.${k}`;
        if (FILE_FIELD.test(k)) {
          errors.push({
            path: childPath,
            at: 'key',
            message: `field ${k}: fields that read local files are not allowed; put the value inline`,
          });
        } else stack.push([child, childPath, k]);
      }
    }
  }
  return errors;
}

function urlPolicy(raw: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `${JSON.stringify(raw.slice(0, 80))} is not a valid URL`;
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') return undefined;
  return `URL scheme ${u.protocol.replace(/:$/, '')} is not allowed: only http and https`;
}

/** Templates are looked up among the uploaded ones by name; nothing that reads like a path is. */
export function isTemplatePath(t: string): boolean {
  return t.includes('/') || t.includes('\\') || t.startsWith('.');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
