import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml, type YamlValue } from './yaml.js';

describe('toYaml', () => {
  const cases: { name: string; value: YamlValue; yaml?: string }[] = [
    {
      name: 'a rule file',
      value: {
        namespace: 'ns1',
        groups: [{ name: 'g1', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] }],
      },
      yaml: 'namespace: ns1\ngroups:\n  - name: g1\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n',
    },
    {
      name: 'strings a reader would take for other types',
      value: { a: 'true', b: '10', c: 'null', d: '1e3', e: '~', f: '0x1f', g: 'no' },
    },
    {
      name: 'indicators and comments',
      value: { a: '- x', b: 'a: b', c: 'x #y', d: '*ref', e: '{x}', f: '"q"', g: "'s'", h: '' },
    },
    {
      name: 'multi-line PromQL as a literal block',
      value: { expr: 'sum(\n  rate(x[5m])\n)' },
      yaml: 'expr: |-\n  sum(\n    rate(x[5m])\n  )\n',
    },
    { name: 'trailing newline kept', value: { description: 'line one\nline two\n' } },
    { name: 'leading spaces in a multi-line string', value: { a: '  x\ny' } },
    { name: 'empty collections', value: { labels: {}, rules: [] } },
    { name: 'numbers and nesting', value: { limit: 5, groups: [{ rules: [{ labels: { severity: 'page' } }] }] } },
    { name: 'unicode and control characters', value: { a: 'héllo ✓', b: 'tab\there', c: 'bell\u0007' } },
  ];
  it.each(cases)('$name', ({ value, yaml }) => {
    const out = toYaml(value);
    if (yaml !== undefined) expect(out).toBe(yaml);
    expect(parse(out)).toEqual(value);
  });

  it('round-trips any map of strings and lists through a YAML reader', () => {
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.constantFrom('true', 'null', '1.5', '- a', 'a: b', 'x\ny\n'));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.string({ minLength: 1 }), tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), value, { maxKeys: 4 }), (v) => {
        expect(parse(toYaml(v as YamlValue)) ?? {}).toEqual(v);
      }),
      { seed: 22, numRuns: 300 },
    );
  });
});
