import { describe, expect, it } from 'vitest';
import { type PromRuleGroup, ruleGroupFromProto, ruleGroupToProto } from './proto-values.js';

describe('rule groups through the RuleGroup message (cortexctl rules, SetRuleGroup)', () => {
  const cases: { name: string; group: PromRuleGroup }[] = [
    { name: 'plain', group: { name: 'g', rules: [{ record: 'a:b', expr: 'up' }] } },
    {
      name: 'federated (source_tenants)',
      group: { name: 'g', interval: '1m', source_tenants: ['b', 'a'], rules: [{ alert: 'A', expr: 'up == 0' }] },
    },
  ];
  it.each(cases)('round-trips $name', ({ group }) => {
    const msg = ruleGroupToProto('ns', group);
    expect(msg.sourceTenants).toEqual(group.source_tenants ?? []);
    expect(ruleGroupFromProto(msg)).toEqual(group);
  });
});
