import { describe, expect, it } from 'vitest';
import { Labels } from '../model/index.js';
import { alertFromPostable, fingerprint, MAX_API_TIME_MS, mergeAlert, parseApiTime } from './alert.js';

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

  it('starts a resolve that names no start at its end, even when the sender clock is behind', () => {
    const endsAt = '2026-01-01T00:00:00.000Z';
    const a = alertFromPostable({ labels: { alertname: 'A' }, endsAt }, Date.parse(endsAt) + 5, 300_000);
    expect(a).toMatchObject({ startsAt: Date.parse(endsAt), endsAt: Date.parse(endsAt), timeout: false });
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

describe('API times (RFC 3339)', () => {
  it.each([
    ['2006-01-02T15:04:05Z', Date.UTC(2006, 0, 2, 15, 4, 5)],
    ['2006-01-02T15:04:05.123456789Z', Date.UTC(2006, 0, 2, 15, 4, 5, 123)],
    ['2006-01-02T17:04:05+02:00', Date.UTC(2006, 0, 2, 15, 4, 5)],
    ['2006-01-02t15:04:05z', Date.UTC(2006, 0, 2, 15, 4, 5)],
    ['9999-12-31T23:59:59.999Z', MAX_API_TIME_MS],
  ])('%s', (s, ms) => {
    expect(parseApiTime(s, 'startsAt')).toBe(ms);
  });

  it.each([
    '-1',
    '0',
    '1.5',
    'NaN',
    '1e400',
    '9007199254740993',
    '',
    'tomorrow',
    '2006-01-02',
    '+275760-09-13T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '2006-13-02T15:04:05Z',
    1_700_000_000_000,
    null,
  ])('%j → 400', (v) => {
    expect(() => parseApiTime(v, 'startsAt')).toThrowError(/startsAt must be an RFC 3339 time/);
  });

  it('keeps endsAt a printable date when startsAt + resolve_timeout would pass year 9999', () => {
    const a = alertFromPostable({ labels: { a: 'b' }, startsAt: '9999-12-31T23:00:00Z' }, 0, 10 * 3_600_000);
    expect(a.endsAt).toBe(MAX_API_TIME_MS);
    expect(new Date(a.endsAt).toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  it('takes labels named after Object.prototype members, __proto__ included', () => {
    const labels = JSON.parse('{"alertname":"x","__proto__":"p","constructor":"c","toString":"t"}');
    const a = alertFromPostable({ labels }, 0, 0);
    expect([...a.labels]).toEqual([
      ['__proto__', 'p'],
      ['alertname', 'x'],
      ['constructor', 'c'],
      ['toString', 't'],
    ]);
  });
});
