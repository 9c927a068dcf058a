import { isMap, parseDocument } from 'yaml';
import { countYamlIndicators, MAX_YAML_INDICATORS } from '../../data-plane/validation/index.js';
import type { AlertmanagerConfig } from '../client/index.js';

/**
 * Reads what a user hands to `alertmanager push`: plain Alertmanager YAML plus template files, or the
 * Cortex/Mimir wrapper (`alertmanager_config: |` and `template_files: {name: text}`). Separate template
 * files override wrapper entries of the same name. Throws on a malformed wrapper only; the
 * configuration itself is checked by verifyAlertmanagerConfig.
 */
export function toAlertmanagerConfig(text: string, templates: Record<string, string> = {}): AlertmanagerConfig {
  // too big to be the wrapper the server takes (verifyAlertmanagerConfig says why): as it is
  if (countYamlIndicators(text) > MAX_YAML_INDICATORS) return { config: text, templates };
  const doc = parseDocument(text, { prettyErrors: false });
  const root = doc.errors.length === 0 ? doc.contents : null;
  if (isMap(root) && root.has('alertmanager_config')) {
    const cfg = root.get('alertmanager_config');
    if (typeof cfg !== 'string') throw new Error('alertmanager_config must be a string holding the YAML configuration');
    const files = root.get('template_files');
    const wrapped: Record<string, string> = Object.create(null);
    if (isMap(files)) {
      for (const [k, v] of Object.entries(files.toJSON() as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new Error(`template_files.${k} must be a string`);
        wrapped[k] = v;
      }
    }
    return { config: cfg, templates: Object.assign(wrapped, templates) };
  }
  return { config: text, templates };
}
