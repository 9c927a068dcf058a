import { describe, expect, it } from 'vitest';
import { BadDataError } from '../../data-plane/model/index.js';
import { parseYaml } from './safe-yaml.js';

const laughs = Array.from({ length: 9 }, (_, i) =>
  i === 0
    ? 'l0: &l0 [x,x,x,x,x,x,x,x,x,x]'
    : `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(',')}]`,
).join('\n');

describe('parseYaml', () => {
  it.each([
    { name: 'billion laughs', text: laughs, error: /alias/i },
    { name: 'deep flow nesting', text: `a: ${'['.repeat(100_000)}`, error: /nested deeper/ },
    {
      name: 'deep block nesting',
      text: Array.from({ length: 80 }, (_, i) => `${'  '.repeat(i)}k:`).join('\n'),
      error: /nested deeper/,
    },
    { name: 'two documents', text: 'a: 1\n---\nb: 2\n', error: /one YAML document/ },
    { name: 'duplicate keys', text: 'a: 1\na: 2\n', error: /invalid YAML/ },
    { name: 'syntax error', text: 'a: [1, 2\n', error: /invalid YAML/ },
    { name: 'empty', text: '', error: /empty|invalid/ },
    {
      name: 'a million list items (rejected before parsing)',
      text: `a:\n${'- x\n'.repeat(1_000_000)}`,
      error: /more than 20000 YAML nodes/,
    },
    { name: 'a million flow items', text: `a: [${'1,'.repeat(1_000_000)}]`, error: /more than 20000 YAML nodes/ },
    {
      name: 'nesting hidden behind a non-comment #',
      text: `a: [x#${'['.repeat(100)}${']'.repeat(100)}]`,
      error: /nested deeper/,
    },
  ])('rejects $name with BadDataError', ({ text, error }) => {
    let caught: unknown;
    try {
      parseYaml(text, 'doc');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BadDataError);
    expect((caught as Error).message).toMatch(error);
  });

  it.each([
    { name: 'mapping', text: 'a: 1\nb: [x, y]\n', value: { a: 1, b: ['x', 'y'] } },
    { name: 'a few aliases', text: 'a: &x {k: v}\nb: *x\n', value: { a: { k: 'v' }, b: { k: 'v' } } },
    {
      name: 'brackets inside quotes do not count as nesting',
      text: `a: "${'['.repeat(500)}"\n`,
      value: { a: '['.repeat(500) },
    },
  ])('accepts $name', ({ text, value }) => {
    expect(parseYaml(text, 'doc')).toEqual(value);
  });
});
