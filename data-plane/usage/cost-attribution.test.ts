import { describe, expect, it } from 'vitest';
import { Labels, parseTenantId, type TenantId } from '../model/index.js';
import { CostAttribution } from './index.js';

const acme = parseTenantId('acme');
const HOUR = 3_600_000;

function setup(labels: readonly string[], cap: number) {
  const clock = { now: 5 * HOUR };
  const limits = { names: labels, cap };
  const ca = new CostAttribution(
    {
      costAttributionLabels: (_t: TenantId) => limits.names,
      maxCostAttributionCardinality: (_t: TenantId) => limits.cap,
    },
    () => clock.now,
  );
  return { ca, clock, limits };
}
const series = (o: Record<string, string>) => Labels.fromObject({ __name__: 'up', ...o });

describe('CostAttribution', () => {
  it('does nothing for a tenant without cost_attribution_labels', () => {
    expect(setup([], 10).ca.forTenant(acme)).toBeUndefined();
  });

  it.each<{ name: string; labels: string[]; series: Record<string, string>; key: string }>([
    { name: 'one label', labels: ['team'], series: { team: 'a' }, key: '{team="a"}' },
    {
      name: 'two labels, in the configured order',
      labels: ['team', 'env'],
      series: { env: 'p', team: 'a' },
      key: '{team="a",env="p"}',
    },
    { name: 'a missing label is empty', labels: ['team', 'env'], series: { team: 'a' }, key: '{team="a",env=""}' },
    { name: 'values are JSON-quoted', labels: ['team'], series: { team: 'a"b\\c,}' }, key: '{team="a\\"b\\\\c,}"}' },
  ])('keys: $name', ({ labels, series: s, key }) => {
    expect(setup(labels, 10).ca.forTenant(acme)!(series(s))).toBe(key);
  });

  it('keeps max_cost_attribution_cardinality combinations apart per hour, the rest in __overflow__', () => {
    const { ca, clock, limits } = setup(['team'], 2);
    let f = ca.forTenant(acme)!;
    expect(['a', 'b', 'c', 'a', 'b'].map((team) => f(series({ team })))).toEqual([
      '{team="a"}',
      '{team="b"}',
      '{team="__overflow__"}',
      '{team="a"}',
      '{team="b"}',
    ]);
    clock.now += HOUR; // a new hour starts afresh
    f = ca.forTenant(acme)!;
    expect(f(series({ team: 'c' }))).toBe('{team="c"}');
    limits.names = ['service']; // a limits change takes effect at once
    expect(ca.forTenant(acme)!(series({ service: 's', team: 'c' }))).toBe('{service="s"}');
  });
});
