import { describe, expect, it } from 'vitest';
import { lezerExprValidator, validatorFromParser } from './expr-validator.js';
import { validateRuleGroup } from './rule-validation.js';

const opts = { exprs: lezerExprValidator, maxRules: 0 };

describe('validateRuleGroup', () => {
  it('normalises a valid group', () => {
    const g = validateRuleGroup(
      {
        name: 'g',
        interval: '30s',
        limit: 10,
        rules: [
          { record: 'job:up:sum', expr: 'sum by (job) (up)', labels: { team: 'a' } },
          { alert: 'Down', expr: 'up == 0', for: '5m', keep_firing_for: '1m', annotations: { s: '{{ $labels.job }}' } },
          { record: 'one', expr: 1 },
        ],
      },
      opts,
    );
    expect(g.rules[2]).toEqual({ record: 'one', expr: '1' });
    expect(g).toMatchObject({ name: 'g', interval: '30s', limit: 10 });
  });

  it.each([
    { name: 'not an object', group: [], error: /must be an object/ },
    { name: 'missing name', group: { rules: [] }, error: /"name" is required/ },
    { name: 'rules not a list', group: { name: 'g', rules: {} }, error: /"rules" must be a list/ },
    {
      name: 'unknown group field',
      group: { name: 'g', rules: [], evaluation_delay: '1m' },
      error: /unknown field "evaluation_delay"/,
    },
    { name: 'interval below 1s', group: { name: 'g', interval: '10ms', rules: [] }, error: /at least 1s/ },
    { name: 'negative limit', group: { name: 'g', limit: -1, rules: [] }, error: /non-negative integer/ },
    { name: 'neither record nor alert', group: { name: 'g', rules: [{ expr: 'up' }] }, error: /exactly one/ },
    { name: 'missing expr', group: { name: 'g', rules: [{ record: 'a' }] }, error: /expr: required/ },
    { name: 'invalid expr', group: { name: 'g', rules: [{ record: 'a', expr: 'up{' }] }, error: /invalid PromQL/ },
    {
      name: 'for on recording rule',
      group: { name: 'g', rules: [{ record: 'a', expr: 'up', for: '1m' }] },
      error: /only allowed on alerting rules/,
    },
    {
      name: 'reserved label name',
      group: { name: 'g', rules: [{ record: 'a', expr: 'up', labels: { __name__: 'x' } }] },
      error: /invalid label name "__name__"/,
    },
    {
      name: 'stray template close',
      group: { name: 'g', rules: [{ alert: 'A', expr: 'up', annotations: { s: 'x }}' } }] },
      error: /without a matching/,
    },
    {
      name: 'empty template action',
      group: { name: 'g', rules: [{ alert: 'A', expr: 'up', annotations: { s: '{{ }}' } }] },
      error: /empty template action/,
    },
  ])('rejects $name', ({ group, error }) => {
    expect(() => validateRuleGroup(group, opts)).toThrow(error);
  });

  it('enforces the rules-per-group limit with a stable ID', () => {
    const group = {
      name: 'g',
      rules: [
        { record: 'a', expr: 'up' },
        { record: 'b', expr: 'up' },
      ],
    };
    expect(() => validateRuleGroup(group, { ...opts, maxRules: 1 })).toThrow(/err-cortex-max-rules-per-rule-group/);
    expect(validateRuleGroup(group, { ...opts, maxRules: 2 }).rules).toHaveLength(2);
  });

  it('uses an injected expression validator', () => {
    const strict = validatorFromParser((e) => {
      if (e.includes('forbidden')) throw new Error('metric "forbidden" is not allowed');
    });
    const group = { name: 'g', rules: [{ record: 'a', expr: 'forbidden' }] };
    expect(() => validateRuleGroup(group, { exprs: strict, maxRules: 0 })).toThrow(/metric "forbidden" is not allowed/);
  });
});
