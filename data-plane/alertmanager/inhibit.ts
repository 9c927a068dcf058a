import { type Labels, matchesAll } from '../model/index.js';
import type { Alert } from './alert.js';
import type { InhibitRuleConfig } from './config/index.js';

/**
 * Alertmanager's inhibitor: a target alert is muted while a firing source alert has the same values
 * for every `equal` label. An alert matching both sides is only muted by sources that do not match
 * the target side too (so two alerts of one rule cannot mute each other).
 */
export class Inhibitor {
  constructor(private readonly rules: readonly InhibitRuleConfig[]) {}

  /** Fingerprints of the source alerts that inhibit `labels` (empty when none). */
  inhibitedBy(labels: Labels, firing: Iterable<Alert>, fingerprint: string): string[] {
    const out = new Set<string>();
    for (const rule of this.rules) {
      if (!matchesAll(rule.targetMatchers, labels)) continue;
      const twoSided = matchesAll(rule.sourceMatchers, labels);
      for (const src of firing) {
        if (src.fingerprint === fingerprint) continue;
        if (!matchesAll(rule.sourceMatchers, src.labels)) continue;
        if (twoSided && matchesAll(rule.targetMatchers, src.labels)) continue;
        if (rule.equal.every((n) => src.labels.get(n) === labels.get(n))) out.add(src.fingerprint);
      }
    }
    return [...out].sort();
  }
}
