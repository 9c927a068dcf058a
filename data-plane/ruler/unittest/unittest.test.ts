import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expandSeriesValues, runUnitTestFile, summarize } from './index.js';

const data = (f: string) => fileURLToPath(new URL(`./testdata/${f}`, import.meta.url));

describe('series notation', () => {
  it.each([
    { name: 'plain', text: '1 2 3', want: [1, 2, 3] },
    { name: 'increasing', text: '1+2x3', want: [1, 3, 5, 7] },
    { name: 'decreasing', text: '5-1x2', want: [5, 4, 3] },
    { name: 'repeat', text: '7x2', want: [7, 7, 7] },
    { name: 'missing', text: '1 _ 3', want: [1, undefined, 3] },
    { name: 'missing run', text: '_x3 1', want: [undefined, undefined, undefined, 1] },
    { name: 'negative start', text: '-2+1x2', want: [-2, -1, 0] },
    { name: 'specials', text: 'Inf -Inf', want: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY] },
  ])('$name: $text', ({ text, want }) => {
    expect(expandSeriesValues(text)).toEqual(want);
  });

  it('stale marks a staleness marker', () => {
    expect(expandSeriesValues('1 stale')).toEqual([1, 'stale']);
  });

  it('rejects garbage', () => {
    expect(() => expandSeriesValues('1 abc')).toThrow('invalid value');
  });
});

describe('promtool-format rule unit tests', () => {
  it('passes a file whose expectations hold (recording chain, for, templates, ALERTS)', async () => {
    const r = await runUnitTestFile(data('pass.test.yaml'));
    expect(r.loadErrors).toEqual([]);
    expect(r.failures).toEqual([]);
    expect(r.testGroups).toBe(2);
    expect(summarize([r]).ok).toBe(true);
  });

  it('expands Go templates as Prometheus does (file verified with promtool 2.42)', async () => {
    const r = await runUnitTestFile(data('templates.test.yaml'));
    expect(r.loadErrors).toEqual([]);
    expect(r.failures).toEqual([]);
  });

  it('reports each wrong expectation like promtool', async () => {
    const r = await runUnitTestFile(data('fail.test.yaml'));
    expect(r.failures).toHaveLength(2);
    expect(r.failures[0]).toContain('alertname: InstanceDown, time: 3m');
    expect(r.failures[0]).toContain('got:[]');
    expect(r.failures[1]).toContain('exp: {__name__="up", instance="localhost:9090", job="prometheus"} 1E+00');
    expect(r.failures[1]).toContain('got: {__name__="up", instance="localhost:9090", job="prometheus"} 0E+00');
    const s = summarize([r]);
    expect(s.ok).toBe(false);
    expect(s.text).toContain('FAILED:');
  });

  it('fails on a broken rule file', async () => {
    const r = await runUnitTestFile(data('broken.test.yaml'));
    expect(r.loadErrors.join('\n')).toContain('could not parse expression');
    expect(summarize([r]).ok).toBe(false);
  });
});
