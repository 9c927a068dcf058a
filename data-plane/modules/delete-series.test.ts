import { describe, expect, it } from 'vitest';
import { type Matcher, parseTenantId, type TenantId } from '../model/index.js';
import { deleteSeries, parseDeleteSeriesRequest } from './delete-series.js';

describe('delete-series requests', () => {
  it.each([
    [{ match: [] }, /at least one "match\[\]"/],
    [{ match: ['  '] }, /at least one "match\[\]"/],
    [{ match: ['{__name__=~".*"}'] }, /matches every series/],
    [{ match: ['{__name__=~".+"}'] }, /matches every series/],
    [{ match: ['{__name__!=""}'] }, /matches every series/],
    [{ match: ['{job=~"a|"}'] }, /matches every series/],
    [{ match: ['up', '{instance!~"x"}'] }, /"\{instance!~\\"x\\"\}" matches every series/],
    [{ match: ['sum(up)'] }, /series selector/],
    [{ match: ['up'], start: '10', end: '9' }, /start \(1970-01-01T00:00:10.000Z\) is after end/],
    [{ match: ['up'], end: 'tomorrow' }, /invalid parameter "end"/],
    // Beyond Date's range once in ms: the message still prints both ends (was a RangeError, a 500).
    [{ match: ['up'], start: '9000000000000', end: '0' }, /start \(9999-12-31T23:59:59.000Z\) is after end/],
    [{ match: ['up'], start: '0', end: '-9000000000000' }, /is after end \(0001-01-01T00:00:00.000Z\)/],
    [{ match: ['up'], start: '1e400' }, /invalid parameter "start"/],
    [{ match: ['up'], start: 'NaN' }, /invalid parameter "start"/],
  ])('%j → 400 %s', (req, msg) => {
    expect(() => parseDeleteSeriesRequest(req)).toThrowError(msg);
  });

  it('parses selectors and times, defaulting to Prometheus min/max time', () => {
    const r = parseDeleteSeriesRequest({ match: ['up{job="api"}', '{__name__=~"node_.+"}'], start: '1.5' });
    expect(r.sets.map((ms) => ms.map(String))).toEqual([['__name__="up"', 'job="api"'], ['__name__=~"node_.+"']]);
    expect(r.start).toBe(1500);
    expect(r.end).toBe(253402300799000);
    expect(parseDeleteSeriesRequest({ match: ['up'], end: '2026-01-01T00:00:00Z' }).end).toBe(Date.UTC(2026, 0, 1));
  });

  it('clamps times to Prometheus min/max time', () => {
    const r = parseDeleteSeriesRequest({ match: ['up'], start: '-9000000000000', end: '9000000000000' });
    expect([r.start, r.end]).toEqual([-62135596800000, 253402300799000]);
  });

  it('reaches the ingester, then the store, then drops cached results', async () => {
    const calls: string[] = [];
    const targets = {
      ingester: {
        deleteSeries: async (t: TenantId, ms: readonly Matcher[], mint: number, maxt: number) => {
          calls.push(`ingester ${t} ${ms.join(',')} ${mint} ${maxt}`);
          return 3;
        },
      },
      invalidate: (t: TenantId) => calls.push(`invalidate ${t}`),
    };
    const r = await deleteSeries(targets, 'acme', { match: ['a', 'b'], start: '1', end: '2' });
    expect(r).toEqual({
      tenantId: parseTenantId('acme'),
      selectors: ['{__name__="a"}', '{__name__="b"}'],
      start: 1000,
      end: 2000,
      samplesRemovedFromMemory: 6,
    });
    expect(calls).toEqual([
      'ingester acme __name__="a" 1000 2000',
      'ingester acme __name__="b" 1000 2000',
      'invalidate acme',
    ]);
    await expect(deleteSeries(targets, 'bad tenant!', { match: ['a'] })).rejects.toThrow();
  });
});
