/** A tenant's rule groups, read-only, as the Prometheus rule file of each namespace. */
import { type PromRuleGroup, ruleGroupFromProto } from '../../../control-plane/api/proto-values.js';
import type { RuleGroup } from '../../../gen/cortex/admin/v1/admin_pb.js';
import { h, replace } from '../dom.js';
import type { Ctx } from '../page.js';
import { notice } from '../ui.js';
import { toYaml, type YamlValue } from '../yaml.js';

/** A group in rule-file key order (name first; a rule's record or alert before its expr). */
function ruleFileGroup(g: PromRuleGroup): YamlValue {
  const { name, interval, limit, query_offset, labels, rules } = g;
  return {
    name,
    interval,
    limit,
    query_offset,
    labels,
    rules: rules.map((r) => ({
      record: r.record,
      alert: r.alert,
      expr: r.expr,
      for: r.for,
      keep_firing_for: r.keep_firing_for,
      labels: r.labels,
      annotations: r.annotations,
    })),
  };
}

/** Each namespace's rule file (what `cortexctl rules get` prints), namespaces in order. */
export function ruleFiles(groups: readonly RuleGroup[]): Map<string, string> {
  const byNs = new Map<string, YamlValue[]>();
  for (const g of groups) {
    const list = byNs.get(g.namespace) ?? [];
    list.push(ruleFileGroup(ruleGroupFromProto(g)));
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
