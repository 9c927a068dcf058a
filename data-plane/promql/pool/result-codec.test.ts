import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Labels } from '../../model/index.js';
import { toApiData } from '../api.js';
import type { PromValue } from '../engine.js';
import { concatResults, decodeResult, encodeResult, renderData } from './result-codec.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const reference = (v: PromValue) => JSON.stringify(toApiData(v));

const odd = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e21, 1e-7, -2.5e-300, 0.1 + 0.2];
const labels = Labels.fromObject({ __name__: 'x', a: 'quote " back \\ nl \n', b: 'ünï 🐱', c: '' });

const cases: { name: string; value: PromValue }[] = [
  { name: 'scalar', value: { type: 'scalar', t: 1_700_000_000_123, v: Number.NaN } },
  { name: 'string', value: { type: 'string', t: 1_700_000_000_000, v: 'a "b"' } },
  { name: 'empty vector', value: { type: 'vector', samples: [] } },
  {
    name: 'vector with odd floats and labels',
    value: {
      type: 'vector',
      samples: odd.map((v, i) => ({ labels: Labels.fromObject({ i: String(i), z: 'q"' }), t: 1_000 + i, v })),
    },
  },
  {
    name: 'matrix',
    value: {
      type: 'matrix',
      series: [
        { labels, floats: odd.map((v, i) => ({ t: 1_700_000_000_000 + i * 15_001, v })), histograms: [] },
        { labels: Labels.EMPTY, floats: [{ t: -5, v: 1 }], histograms: [] },
      ],
    },
  },
  {
    name: 'matrix with a native histogram (general path)',
    value: {
      type: 'matrix',
      series: [
        {
          labels,
          floats: [],
          histograms: [
            {
              t: 1_000,
              h: {
                schema: 0,
                zeroThreshold: 0,
                zeroCount: 1,
                count: 3,
                sum: 4.5,
                positiveSpans: [{ offset: 0, length: 2 }],
                positiveBuckets: [1, 1],
                negativeSpans: [],
                negativeBuckets: [],
                counterResetHint: 'unknown',
              },
            },
          ],
        },
      ],
    },
  },
];

describe('rendering a result as the API JSON', () => {
  it.each(cases)('writes the same bytes as JSON.stringify(toApiData(…)) ($name)', ({ value }) => {
    expect(text(renderData(value))).toBe(reference(value));
    const encoded = encodeResult({ value, warnings: [], infos: [], stats: { samplesLoaded: 0 } }, true);
    expect(text(encoded.rendered!)).toBe(reference(value));
    expect(reference(decodeResult(encoded).value)).toBe(reference(value));
  });

  it('writes the same bytes for generated matrices', () => {
    const point = fc.record({ t: fc.integer({ min: -1e13, max: 1e13 }), v: fc.double() });
    const series = fc.record({
      labels: fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}$/), fc.string(), { maxKeys: 4 }),
      floats: fc.array(point, { minLength: 1, maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(series, { maxLength: 5 }), (ss) => {
        const value: PromValue = {
          type: 'matrix',
          series: ss.map((s) => ({ labels: Labels.fromObject(s.labels), floats: s.floats, histograms: [] })),
        };
        expect(text(renderData(value))).toBe(reference(value));
      }),
      { numRuns: 300, seed: 18 },
    );
  });
});

describe('putting together the answers of a query split by series', () => {
  const encoded = (value: PromValue, render: boolean) =>
    encodeResult({ value, warnings: ['w'], infos: [], stats: { samplesLoaded: 3 } }, render);
  const histogramSeries = cases.at(-1)!.value as Extract<PromValue, { type: 'matrix' }>;

  it('interleaves the shards in label order and splices their JSON into what one answer renders', () => {
    const point = fc.record({ t: fc.integer({ min: 0, max: 1e13 }), v: fc.double() });
    const series = fc.record({
      labels: fc.dictionary(fc.constantFrom('a', 'b', '__name__', 'job'), fc.string({ maxLength: 3 }), { maxKeys: 3 }),
      floats: fc.array(point, { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(series, { maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.boolean(),
        (ss, shards, matrix, withHistogram) => {
          // one series per labelset, in label order, dealt to the shards round-robin
          const byKey = new Map(ss.map((s) => [Labels.fromObject(s.labels).key(), s]));
          const all = [...byKey.values()]
            .map((s) => ({ labels: Labels.fromObject(s.labels), floats: matrix ? s.floats : s.floats.slice(0, 1) }))
            .sort((x, y) => Labels.compare(x.labels, y.labels));
          const whole = all.map((s) => ({ ...s, histograms: [] as (typeof histogramSeries.series)[0]['histograms'] }));
          if (withHistogram && matrix && whole.length > 0) whole[0]!.histograms = histogramSeries.series[0]!.histograms;
          const asValue = (xs: typeof whole): PromValue =>
            matrix
              ? { type: 'matrix', series: xs }
              : {
                  type: 'vector',
                  samples: xs.map((s) => ({ labels: s.labels, t: s.floats[0]!.t, v: s.floats[0]!.v })),
                };
          const parts = Array.from({ length: shards }, (_, k) =>
            encoded(asValue(whole.filter((_, i) => i % shards === k)), true),
          );
          const joined = concatResults(parts);
          expect(text(joined.rendered!)).toBe(reference(asValue(whole)));
          expect(reference(decodeResult(joined).value)).toBe(reference(asValue(whole)));
          expect(joined.samplesLoaded).toBe(3 * shards);
          expect(joined.warnings).toEqual(['w']);
        },
      ),
      { numRuns: 300, seed: 18 },
    );
  });

  it('leaves the JSON out when no shard rendered it', () => {
    const v: PromValue = { type: 'vector', samples: [{ labels, t: 1, v: 2 }] };
    const joined = concatResults([encoded(v, false), encoded({ type: 'vector', samples: [] }, false)]);
    expect(joined.rendered).toBeUndefined();
    expect(reference(decodeResult(joined).value)).toBe(reference(v));
  });
});
