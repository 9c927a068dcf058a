import { describe, expect, it } from 'vitest';
import { canonical, diffRules, lineDiff, renderChanges, summarize } from './index.js';
import type { RuleGroup } from './rule-file.js';

const g = (name: string, extra: Partial<RuleGroup> = {}): RuleGroup => ({
  name,
  rules: [{ record: `r:${name}`, expr: 'sum(up)' }],
  ...extra,
});

describe('canonical', () => {
  it.each([
    { name: 'equivalent durations', a: g('a', { interval: '60s' }), b: g('a', { interval: '1m' }) },
    { name: 'zero duration equals absent', a: g('a', { interval: '0s' }), b: g('a') },
    { name: 'empty labels equal absent', a: g('a', { labels: {} }), b: g('a') },
    {
      name: 'key order',
      a: { rules: [{ expr: 'up', record: 'x' }], name: 'a' },
      b: { name: 'a', rules: [{ record: 'x', expr: 'up' }] },
    },
    {
      name: 'trailing newline of block expr',
      a: { name: 'a', rules: [{ record: 'x', expr: 'up\n' }] },
      b: { name: 'a', rules: [{ record: 'x', expr: 'up' }] },
    },
  ])('treats as equal: $name', ({ a, b }) => {
    expect(canonical(a)).toBe(canonical(b));
  });

  it.each(['__proto__', 'constructor', 'toString'])('sees a changed label named %s', (n) => {
    const a = g('a', { labels: Object.fromEntries([[n, 'x']]) });
    const b = g('a', { labels: Object.fromEntries([[n, 'y']]) });
    expect(canonical(a)).not.toBe(canonical(b));
    expect(canonical(a)).toContain(`"${n}":"x"`);
  });

  it('sees a changed expression', () => {
    expect(canonical(g('a'))).not.toBe(canonical({ ...g('a'), rules: [{ record: 'r:a', expr: 'sum(up) > 0' }] }));
  });
});

describe('diffRules', () => {
  const local = new Map([
    ['ns1', [g('same'), g('changed', { interval: '2m' }), g('new')]],
    ['ns3', [g('fresh')]],
  ]);
  const remote = { ns1: [g('same'), g('changed', { interval: '1m' }), g('gone')], ns2: [g('other')] };

  it('plans creates and updates for push, never deletes', () => {
    const changes = diffRules(local, remote, { deleteMissing: false });
    expect(changes.map((c) => `${c.kind} ${c.namespace}/${c.group}`)).toEqual([
      'update ns1/changed',
      'create ns1/new',
      'unchanged ns1/same',
      'create ns3/fresh',
    ]);
  });

  it('also plans deletions for sync, within the namespace filter', () => {
    const all = diffRules(local, remote, { deleteMissing: true });
    expect(summarize(all)).toEqual({ create: 2, update: 1, delete: 2, unchanged: 1 });
    const only = diffRules(local, remote, { deleteMissing: true, namespaces: new Set(['ns2']) });
    expect(only.map((c) => `${c.kind} ${c.namespace}/${c.group}`)).toEqual(['delete ns2/other']);
  });

  it('renders +, ~ with a line diff, and -', () => {
    const out = renderChanges(diffRules(local, remote, { deleteMissing: true }), false);
    expect(out).toBe(
      [
        '~ ns1/changed',
        '    - interval: 1m',
        '    + interval: 2m',
        '- ns1/gone (deleted)',
        '+ ns1/new (new, 1 rules)',
        '- ns2/other (deleted)',
        '+ ns3/fresh (new, 1 rules)',
        '',
      ].join('\n'),
    );
    expect(renderChanges([], true)).toBe('');
  });
});

describe('lineDiff', () => {
  it('keeps common lines and orders removals before additions', () => {
    expect(lineDiff(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'x' },
      { op: ' ', text: 'c' },
      { op: '+', text: 'd' },
    ]);
  });
});
