import { describe, expect, it } from 'vitest';
import { emptyRing } from './codec.js';
import { formatAge, ringStatusHtml, ringStatusJson, tokenOwnership } from './status.js';
import type { RingDesc } from './types.js';

const desc = (tokens: Record<string, number[]>, extra: Partial<{ addr: string; zone: string }> = {}): RingDesc => {
  const d = emptyRing();
  for (const [id, ts] of Object.entries(tokens)) {
    d.instances[id] = {
      id,
      addr: extra.addr ?? '',
      zone: extra.zone ?? '',
      state: 'ACTIVE',
      tokens: ts,
      heartbeatMs: 0,
      registeredMs: 0,
    };
  }
  return d;
};

describe('ring status', () => {
  it.each([
    { name: 'one token owns everything', tokens: { a: [5] }, want: { a: 1 } },
    { name: 'two halves', tokens: { a: [0], b: [2 ** 31] }, want: { a: 0.5, b: 0.5 } },
    { name: 'wrap-around goes to the first token', tokens: { a: [2 ** 30], b: [2 ** 31] }, want: { a: 0.75, b: 0.25 } },
    { name: 'empty', tokens: {}, want: {} },
  ])('tokenOwnership: $name', ({ tokens, want }) => {
    expect(Object.fromEntries(tokenOwnership(desc(tokens as Record<string, number[]>)))).toEqual(want);
  });

  it.each([
    [850, '850ms'],
    [12_340, '12.3s'],
    [245_000, '4m5s'],
    [7_380_000, '2h3m'],
  ])('formatAge(%i) = %s', (ms, want) => {
    expect(formatAge(ms)).toBe(want);
  });

  it('HTML escapes everything that came from the store', () => {
    const view = {
      name: '<ring>',
      replicationFactor: 1,
      heartbeatTimeoutMs: 1,
      describe: () => desc({ '<script>x</script>': [1] }, { addr: '"><img>', zone: "z'" }),
    };
    const html = ringStatusHtml(ringStatusJson([view], 100), { forgetAction: () => '/ring?a=1&b=2' });
    expect(html).not.toMatch(/<script>|<img>|<ring>/);
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('action="/ring?a=1&amp;b=2"');
    expect(html).toContain('UNHEALTHY');
  });
});
