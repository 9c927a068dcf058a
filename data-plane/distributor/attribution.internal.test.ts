import { describe, expect, it } from 'vitest';
import { Labels, type TimeSeries } from '../model/index.js';
import { attributeSeries, withoutDrops } from './attribution.js';

const ts = (team: string, samples: number, histograms = 0): TimeSeries =>
  ({
    labels: Labels.fromObject({ __name__: 'up', team }),
    samples: Array.from({ length: samples }, (_, i) => ({ t: i, v: i })),
    histograms: Array.from({ length: histograms }, () => ({})),
    exemplars: [],
  }) as unknown as TimeSeries;
const key = (l: Labels) => `{team=${JSON.stringify(l.get('team') ?? '')}}`;

describe('cost attribution of a push', () => {
  it('sums samples and histograms per key and takes away what the ingesters refused, by series', () => {
    const series = [ts('a', 3), ts('a', 1, 2), ts('b', 2), ts('c', 0)];
    const split = attributeSeries(key, series);
    expect(Object.fromEntries(split)).toEqual({ '{team="a"}': 6, '{team="b"}': 2 });
    withoutDrops(split, key, [
      { labels: series[0]!.labels, dropped: 2 },
      { labels: series[2]!.labels, dropped: 2 },
      { dropped: 5 }, // a validation drop names no series: it was never attributed
    ]);
    expect(Object.fromEntries(split)).toEqual({ '{team="a"}': 4 });
  });
});
