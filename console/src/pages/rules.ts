/** A tenant's rule groups, read-only, as the Prometheus rule file of each namespace. */
import type { RuleGroup } from '../../../gen/cortex/admin/v1/admin_pb.js';
import { h, replace } from '../dom.js';
import type { Ctx } from '../page.js';
import { notice } from '../ui.js';
import { toYaml, type YamlValue } from '../yaml.js';

const orNone = (s: string): string | undefined => (s === '' ? undefined : s);
const mapOrNone = (m: Record<string, string>) => (Object.keys(m).length === 0 ? undefined : { ...m });

/** A group as a Prometheus rule file writes it: rule-file keys in their usual order, empty ones absent. */
export function ruleFileGroup(g: RuleGroup): YamlValue {
  return {
    name: g.name,
    interval: orNone(g.interval),
    limit: g.limit === 0 ? undefined : g.limit,
    query_offset: orNone(g.queryOffset),
    labels: mapOrNone(g.labels),
    rules: g.rules.map((r) => ({
      record: orNone(r.record),
      alert: orNone(r.alert),
      expr: r.expr,
      for: orNone(r.forDuration),
      keep_firing_for: orNone(r.keepFiringFor),
      labels: mapOrNone(r.labels),
      annotations: mapOrNone(r.annotations),
    })),
  };
}

/** Each namespace's rule file (what `cortexctl rules get` prints), namespaces in order. */
export function ruleFiles(groups: readonly RuleGroup[]): Map<string, string> {
  const byNs = new Map<string, YamlValue[]>();
  for (const g of groups) {
    const list = byNs.get(g.namespace) ?? [];
    list.push(ruleFileGroup(g));
    byNs.set(g.namespace, list);
  }
  const out = new Map<string, string>();
  for (const ns of [...byNs.keys()].sort()) out.set(ns, toYaml({ namespace: ns, groups: byNs.get(ns)! }));
  return out;
}

export function rulesTab(ctx: Ctx, tenantId: string): HTMLElement {
  const status = notice();
  const content = h('div', { 'aria-busy': 'true' }, 'Loading…');
  ctx.admin
    .listRuleGroups({ tenantId }, { signal: ctx.signal })
    .then((res) => {
      content.removeAttribute('aria-busy');
      const files = ruleFiles(res.ruleGroups);
      if (files.size === 0) {
        replace(content, h('p', { class: 'muted' }, 'No rule groups. Push some with `cortexctl rules sync`.'));
        return;
      }
      replace(
        content,
        [...files].map(([ns, yaml]) =>
          h(
            'section',
            { class: 'card' },
            h('h2', null, `Namespace ${ns}`),
            h('pre', { class: 'yaml', tabindex: 0 }, yaml),
          ),
        ),
      );
    })
    .catch((err) => {
      replace(content);
      ctx.fail(err, (m) => status.error(`Could not list rule groups: ${m}`));
    });
  return h('div', null, status.el, content);
}
