import { describe, expect, it } from 'vitest';
import { Labels } from '../model/index.js';
import { alertFromPostable, fingerprint, mergeAlert } from './alert.js';

/** Reference FNV-1a 64 over the same byte stream, with BigInt. */
function reference(l: Labels): string {
  let h = 0xcbf29ce484222325n;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  l.forEach((n, v) => {
    bytes.push(...enc.encode(n), 0xff, ...enc.encode(v), 0xff);
  });
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}

describe('fingerprint', () => {
  it.each([
    { name: 'empty', labels: {} },
    { name: 'one pair', labels: { alertname: 'Down' } },
    { name: 'several', labels: { alertname: 'Down', instance: 'a', severity: 'critical', cluster: 'eu' } },
    { name: 'non-ASCII', labels: { alertname: 'Ünïcødé', msg: '日本語 ✓' } },
  ] as { name: string; labels: Record<string, string> }[])('$name matches FNV-1a 64', ({ labels }) => {
    const l = Labels.fromObject(labels);
    expect(fingerprint(l)).toBe(reference(l));
  });
});

describe('alerts', () => {
  it('fills missing times from resolve_timeout and marks the alert as timing out', () => {
    const a = alertFromPostable({ labels: { alertname: 'A' } }, 1000, 300_000);
    expect(a).toMatchObject({ startsAt: 1000, endsAt: 301_000, timeout: true });
  });

  it.each([
    { name: 'bad label name', p: { labels: { 'a-b': 'x' } }, error: /invalid label name/ },
    { name: 'non-string value', p: { labels: { a: 1 } }, error: /must be a string/ },
    {
      name: 'end before start',
      p: { labels: { a: 'b' }, startsAt: '2026-01-02T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' },
      error: /before end/,
    },
    { name: 'bad time', p: { labels: { a: 'b' }, startsAt: 'yesterday' }, error: /RFC 3339/ },
  ])('rejects $name', ({ p, error }) => {
    expect(() => alertFromPostable(p, 0, 1)).toThrow(error);
  });

  it('merges overlapping updates keeping the earliest start', () => {
    const first = alertFromPostable(
      { labels: { a: 'b' }, startsAt: '2026-01-01T00:00:00Z' },
      Date.parse('2026-01-01T00:01:00Z'),
      300_000,
    );
    const again = alertFromPostable(
      { labels: { a: 'b' }, startsAt: '2026-01-01T00:02:00Z' },
      Date.parse('2026-01-01T00:02:00Z'),
      300_000,
    );
    const m = mergeAlert(first, again);
    expect(m.startsAt).toBe(first.startsAt);
    expect(m.endsAt).toBe(again.endsAt);
  });
});
