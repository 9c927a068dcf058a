import { describe, expect, it } from 'vitest';
import { checkExpr, formatProblem, parseRuleFile } from './index.js';

const good = `namespace: infra
groups:
  - name: node
    interval: 1m
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: InstanceDown
        expr: |
          up == 0
        for: 5m
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.instance }} down"
`;

describe('parseRuleFile', () => {
  it('reads groups, rules and the namespace', () => {
    const f = parseRuleFile('rules/a.yaml', good);
    expect(f.problems).toEqual([]);
    expect(f.namespace).toBe('infra');
    expect(f.groups).toEqual([
      {
        name: 'node',
        interval: '1m',
        rules: [
          { record: 'job:up:sum', expr: 'sum by (job) (up)' },
          {
            alert: 'InstanceDown',
            expr: 'up == 0\n',
            for: '5m',
            labels: { severity: 'page' },
            annotations: { summary: '{{ $labels.instance }} down' },
          },
        ],
      },
    ]);
  });

  it('reads source_tenants of a federated group', () => {
    const text =
      'groups:\n  - name: fed\n    source_tenants: [b, a]\n    rules:\n      - record: a:b\n        expr: up\n';
    const f = parseRuleFile('f.yaml', text);
    expect(f.problems).toEqual([]);
    expect(f.groups[0]!.source_tenants).toEqual(['b', 'a']);
  });

  it.each([
    { name: '--namespace wins over the file', file: 'x/a.yaml', ns: 'cli', want: 'cli' },
    { name: 'file name without namespace key', file: 'x/my-rules.yml', ns: undefined, want: 'my-rules' },
  ])('namespace: $name', ({ file, ns, want }) => {
    const text = ns === 'cli' ? good : good.replace('namespace: infra\n', '');
    expect(parseRuleFile(file, text, ns).namespace).toBe(want);
  });

  const bad = [
    { name: 'YAML syntax', text: 'groups:\n  - name: a\n    rules: [\n', want: ['f.yaml:4:1: '] },
    {
      name: 'PromQL error in plain scalar',
      text: 'groups:\n  - name: a\n    rules:\n      - record: a:b\n        expr: sum(rate(x[5m])\n',
      want: ['f.yaml:5:30: parse error: unexpected end of input'],
    },
    {
      name: 'PromQL error in quoted scalar',
      text: 'groups:\n  - name: a\n    rules:\n      - record: a:b\n        expr: "up +"\n',
      want: ['f.yaml:5:20: parse error: unexpected end of input'],
    },
    {
      name: 'PromQL error in block scalar, second line',
      text: 'groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: |\n          up\n            == bogus(\n',
      want: ['f.yaml:7:21: parse error: unexpected character or token at "(\\n"'],
    },
    {
      name: 'record and alert both set',
      text: 'groups:\n  - name: a\n    rules:\n      - record: a\n        alert: b\n        expr: up\n',
      want: ['f.yaml:4:9: only one of "record" and "alert" may be set'],
    },
    {
      name: 'invalid record name and bad duration',
      text: 'groups:\n  - name: a\n    interval: often\n    rules:\n      - record: a-b\n        expr: up\n',
      want: [
        'f.yaml:3:15: "interval": not a valid duration string: "often"',
        'f.yaml:5:17: invalid recording rule name: a-b',
      ],
    },
    {
      name: 'unknown field and for on a recording rule',
      text: 'groups:\n  - name: a\n    rules:\n      - record: a\n        expr: up\n        for: 1m\n        exp: x\n',
      want: ['f.yaml:7:9: field exp not found in rule', 'f.yaml:6:14: invalid field "for" in recording rule'],
    },
    {
      name: 'duplicate group and empty group',
      text: 'groups:\n  - name: a\n    rules: []\n  - name: a\n    rules:\n      - record: a\n        expr: up\n',
      want: ['f.yaml:2:5: group "a" has no rules', 'f.yaml:4:5: groupname: "a" is repeated in the same file'],
    },
    { name: 'not a mapping', text: '- a\n', want: ['f.yaml:1:1: expected a mapping with a "groups" key'] },
    {
      name: 'source_tenants not a list',
      text: 'groups:\n  - name: a\n    source_tenants: b\n    rules:\n      - record: a\n        expr: up\n',
      want: ['f.yaml:3:21: "source_tenants" must be a list of tenant IDs'],
    },
    {
      name: 'source_tenants invalid and duplicate',
      text: 'groups:\n  - name: a\n    source_tenants: [b, "c|d", b]\n    rules:\n      - record: a\n        expr: up\n',
      want: [
        'f.yaml:3:25: source_tenants: "c|d" is not a tenant ID',
        'f.yaml:3:32: source_tenants: tenant b is listed twice',
      ],
    },
    { name: 'missing groups', text: 'namespace: x\n', want: ['f.yaml:1:1: missing "groups"'] },
  ];
  it.each(bad)('reports $name with file:line:col', ({ text, want }) => {
    const got = parseRuleFile('f.yaml', text).problems.map(formatProblem);
    expect(got).toHaveLength(want.length);
    for (const [i, w] of want.entries()) expect(got[i]).toContain(w);
  });
});

describe('checkExpr', () => {
  it.each([
    { name: 'valid', expr: 'sum by (job) (rate(http_requests_total[5m]))', want: [] },
    {
      name: 'type error',
      expr: 'rate(up)',
      want: [{ offset: 5, message: expect.stringContaining('expected type range vector') }],
    },
    {
      name: 'second line',
      expr: 'up\n  == bogus(',
      want: [{ offset: 13, message: expect.stringContaining('unexpected') }],
    },
    {
      name: 'multi-byte before the error',
      expr: 'up{a="é"} +',
      want: [{ offset: 11, message: 'parse error: unexpected end of input' }],
    },
    { name: 'empty', expr: '  ', want: [{ offset: 0, message: 'expression is empty' }] },
  ])('$name', ({ expr, want }) => {
    expect(checkExpr(expr)).toEqual(want);
  });
});
