import { describe, expect, it } from 'vitest';
import { validateRuleFile, validateRuleGroup } from './validate.js';

const ok = { name: 'g', interval: '30s', rules: [{ record: 'job:x:sum', expr: 'sum by (job) (x)' }] };

describe('validateRuleGroup', () => {
  it('accepts a valid group and normalises it', () => {
    const r = validateRuleGroup({
      ...ok,
      limit: 10,
      query_offset: '1m',
      labels: { team: 'a' },
      rules: [
        ...ok.rules,
        { alert: 'A', expr: 'up == 0', for: '5m', keep_firing_for: '1m', annotations: { s: '{{ $value }}' } },
      ],
    });
    expect(r.errors).toEqual([]);
    expect(r.group?.rules).toHaveLength(2);
  });

  it.each([
    { name: 'not an object', group: 'x', path: '.', msg: 'must be an object' },
    { name: 'missing name', group: { rules: [] }, path: 'name', msg: 'must not be empty' },
    { name: 'unknown group field', group: { ...ok, extra: 1 }, path: 'extra', msg: 'unknown field' },
    { name: 'bad interval', group: { ...ok, interval: '5 minutes' }, path: 'interval', msg: 'not a valid duration' },
    { name: 'zero interval', group: { ...ok, interval: '0' }, path: 'interval', msg: 'must be positive' },
    { name: 'negative limit', group: { ...ok, limit: -1 }, path: 'limit', msg: 'non-negative' },
    { name: 'rules not a list', group: { name: 'g', rules: {} }, path: 'rules', msg: 'must be a list' },
    {
      name: 'record and alert',
      group: { name: 'g', rules: [{ record: 'a', alert: 'b', expr: '1' }] },
      path: 'rules[0]',
      msg: 'exactly one',
    },
    { name: 'neither', group: { name: 'g', rules: [{ expr: '1' }] }, path: 'rules[0]', msg: 'exactly one' },
    {
      name: 'bad record name',
      group: { name: 'g', rules: [{ record: 'a-b', expr: '1' }] },
      path: 'rules[0].record',
      msg: 'invalid recording rule name',
    },
    {
      name: 'bad PromQL',
      group: { name: 'g', rules: [{ record: 'a', expr: 'sum(' }] },
      path: 'rules[0].expr',
      msg: 'could not parse expression',
    },
    {
      name: 'empty expr',
      group: { name: 'g', rules: [{ record: 'a', expr: ' ' }] },
      path: 'rules[0].expr',
      msg: 'must be set',
    },
    {
      name: 'for on record',
      group: { name: 'g', rules: [{ record: 'a', expr: '1', for: '1m' }] },
      path: 'rules[0].for',
      msg: 'invalid field',
    },
    {
      name: 'bad for',
      group: { name: 'g', rules: [{ alert: 'a', expr: '1', for: 'soon' }] },
      path: 'rules[0].for',
      msg: 'not a valid duration',
    },
    {
      name: 'bad label name',
      group: { name: 'g', rules: [{ alert: 'a', expr: '1', labels: { 'a-b': 'x' } }] },
      path: 'rules[0].labels.a-b',
      msg: 'invalid label name',
    },
    {
      name: '__name__ label',
      group: { name: 'g', rules: [{ record: 'a', expr: '1', labels: { __name__: 'x' } }] },
      path: 'rules[0].labels.__name__',
      msg: 'invalid label name',
    },
    {
      name: 'bad template',
      group: { name: 'g', rules: [{ alert: 'a', expr: '1', annotations: { s: '{{ nope }}' } }] },
      path: 'rules[0].annotations.s',
      msg: 'function "nope" not defined',
    },
    {
      name: 'unknown rule field',
      group: { name: 'g', rules: [{ alert: 'a', expr: '1', severity: 'x' }] },
      path: 'rules[0].severity',
      msg: 'unknown field',
    },
  ])('$name', ({ group, path, msg }) => {
    const r = validateRuleGroup(group);
    expect(r.errors).toContainEqual({ path, message: expect.stringContaining(msg) });
  });

  it('collects every problem at once', () => {
    const r = validateRuleGroup({
      name: '',
      rules: [
        { record: 'a', expr: 'sum(' },
        { alert: '', expr: '' },
      ],
    });
    expect(r.errors.map((e) => e.path)).toEqual(['name', 'rules[0].expr', 'rules[1].alert', 'rules[1].expr']);
  });
});

describe('validateRuleFile', () => {
  it('reads groups and the optional namespace', () => {
    const r = validateRuleFile(
      'namespace: team\ngroups:\n  - name: g\n    rules:\n      - record: a\n        expr: "1"\n',
    );
    expect(r).toMatchObject({ namespace: 'team', errors: [] });
    expect(r.groups.map((g) => g.name)).toEqual(['g']);
  });

  it.each([
    { name: 'invalid YAML', text: 'groups: [', msg: 'invalid YAML' },
    {
      name: 'repeated group',
      text: 'groups:\n  - {name: g, rules: []}\n  - {name: g, rules: []}\n',
      msg: 'is repeated',
    },
    { name: 'unknown top-level key', text: 'groupz: []\n', msg: 'unknown field' },
  ])('$name', ({ text, msg }) => {
    expect(
      validateRuleFile(text)
        .errors.map((e) => e.message)
        .join('\n'),
    ).toContain(msg);
  });
});
