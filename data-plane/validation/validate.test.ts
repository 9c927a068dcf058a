import { describe, expect, it } from 'vitest';
import type { FloatHistogram, TenantId } from '../model/index.js';
import {
  ALL_ERROR_IDS,
  isValidLabelName,
  isValidMetricName,
  isValidUtf8Name,
  limitHistogramBuckets,
  normalizeLabels,
  timeBounds,
  ValidationError,
  validateExemplar,
  validateHistogram,
  validateLabels,
  validateMetadata,
  validateTimestamp,
} from './index.js';

const tenant = 'acme' as TenantId;
const limits = {
  maxLabelNamesPerSeries: () => 4,
  maxLabelNameLength: () => 10,
  maxLabelValueLength: () => 12,
  rejectOldSamplesMaxAgeMs: () => 3_600_000,
  creationGracePeriodMs: () => 600_000,
  maxMetadataLength: () => 16,
};

describe('normalizeLabels', () => {
  const cases = [
    { name: 'already sorted', in: ['__name__', 'up', 'a', '1'], out: ['__name__', 'up', 'a', '1'] },
    {
      name: 'unsorted pairs are sorted',
      in: ['job', 'x', '__name__', 'up', 'a', '1'],
      out: ['__name__', 'up', 'a', '1', 'job', 'x'],
    },
    { name: 'empty values dropped', in: ['__name__', 'up', 'a', '', 'b', '2'], out: ['__name__', 'up', 'b', '2'] },
    {
      name: 'duplicates kept in order',
      in: ['b', '2', '__name__', 'up', 'b', '1'],
      out: ['__name__', 'up', 'b', '2', 'b', '1'],
    },
    { name: 'empty metric name dropped', in: ['__name__', '', 'a', '1'], out: ['a', '1'] },
  ];
  it.each(cases)('$name', (c) => {
    expect(normalizeLabels([...c.in])).toEqual(c.out);
  });
});

describe('name charsets', () => {
  it.each([
    ['up', true, true],
    ['node:cpu:rate5m', true, false],
    ['_x9', true, true],
    ['__name__', true, true],
    ['9up', false, false],
    ['a-b', false, false],
    ['', false, false],
    ['héllo', false, false],
    ['a b', false, false],
  ])('%s → metric %s, label %s', (s, metric, label) => {
    expect(isValidMetricName(s)).toBe(metric);
    expect(isValidLabelName(s)).toBe(label);
  });
});

describe('validateLabels', () => {
  const cases: { name: string; labels: string[]; id?: string; reason?: string; message?: string }[] = [
    { name: 'valid series', labels: ['__name__', 'up', 'job', 'node'] },
    { name: '__-prefixed label names are accepted (as in Cortex/Mimir)', labels: ['__name__', 'up', '__meta', 'x'] },
    {
      name: 'missing metric name',
      labels: ['job', 'node'],
      id: 'err-cortex-missing-metric-name',
      reason: 'err-cortex-missing-metric-name',
    },
    {
      name: 'invalid metric name',
      labels: ['__name__', 'up-time'],
      id: 'err-cortex-metric-name-invalid',
      message: "'up-time'",
    },
    {
      name: 'too many labels',
      labels: ['__name__', 'up', 'a', '1', 'b', '2', 'c', '3', 'd', '4'],
      id: 'err-cortex-max-label-names-per-series',
      message:
        'received a series whose number of labels exceeds the limit (actual: 5, limit: 4) series: \'up{a="1", b="2", c="3", d="4"}\' (err-cortex-max-label-names-per-series). To adjust the related per-tenant limit, configure -validation.max-label-names-per-series, or contact your service administrator.',
    },
    {
      name: 'invalid label name',
      labels: ['__name__', 'up', 'a.b', '1'],
      id: 'err-cortex-label-invalid',
      message: "'a.b'",
    },
    {
      name: 'label name too long',
      labels: ['__name__', 'up', 'abcdefghijk', '1'],
      id: 'err-cortex-label-name-too-long',
      message: '(actual: 11, limit: 10)',
    },
    {
      name: 'label value too long',
      labels: ['__name__', 'up', 'a', 'x'.repeat(13)],
      id: 'err-cortex-label-value-too-long',
      message: '-validation.max-length-label-value',
    },
    {
      name: 'value length counts UTF-8 bytes',
      labels: ['__name__', 'up', 'a', 'ééééééé'],
      id: 'err-cortex-label-value-too-long',
      message: '(actual: 14, limit: 12)',
    },
    {
      name: 'metric name counts as a value',
      labels: ['__name__', 'a_very_long_name'],
      id: 'err-cortex-label-value-too-long',
    },
    {
      name: 'duplicate label names',
      labels: ['__name__', 'up', 'a', '1', 'a', '2'],
      id: 'err-cortex-duplicate-label-names',
      message: "label: 'a'",
    },
  ];
  it.each(cases)('$name', (c) => {
    const err = validateLabels(limits, tenant, normalizeLabels([...c.labels]));
    if (c.id === undefined) {
      expect(err).toBeUndefined();
      return;
    }
    expect(err?.id).toBe(c.id);
    expect(err?.kind).toBe('bad_data');
    expect(err?.message).toContain(`(${c.id})`);
    if (c.reason) expect(err?.reason).toBe(c.reason);
    if (c.message) expect(err?.message).toContain(c.message);
  });
});

describe('validateLabels under the utf8 name validation scheme (name_validation_scheme = 1)', () => {
  const utf8 = {
    ...limits,
    maxLabelNameLength: () => 64,
    maxLabelValueLength: () => 64,
    utf8NameValidation: () => true,
  };
  const legacy = { ...utf8, utf8NameValidation: () => false };
  const cases: { name: string; labels: string[]; utf8?: string; legacy?: string }[] = [
    { name: 'legacy names stay valid', labels: ['__name__', 'up', 'job', 'node'] },
    {
      name: 'dotted metric and label names (OTel semantic conventions)',
      labels: ['__name__', 'http.server.duration', 'service.name', 'checkout'],
      legacy: 'err-cortex-metric-name-invalid',
    },
    {
      name: 'spaces, dashes and a leading digit',
      labels: ['__name__', 'resource cpu usage', '9-lives', 'x'],
      legacy: 'err-cortex-metric-name-invalid',
    },
    {
      name: 'non-ASCII letters',
      labels: ['__name__', 'up', 'héllo', '1', '名前', '2'],
      legacy: 'err-cortex-label-invalid',
    },
    {
      name: 'a pair of surrogates (emoji)',
      labels: ['__name__', 'up', 'a\u{1F600}', '1'],
      legacy: 'err-cortex-label-invalid',
    },
    {
      name: 'empty label name',
      labels: ['__name__', 'up', '', '1'],
      utf8: 'err-cortex-label-invalid',
      legacy: 'err-cortex-label-invalid',
    },
    {
      name: 'lone high surrogate in the metric name (a JSON \\ud800 escape)',
      labels: ['__name__', 'a\ud800b'],
      utf8: 'err-cortex-metric-name-invalid',
      legacy: 'err-cortex-metric-name-invalid',
    },
    {
      name: 'lone low surrogate in a label name',
      labels: ['__name__', 'up', 'x\udc00', '1'],
      utf8: 'err-cortex-label-invalid',
      legacy: 'err-cortex-label-invalid',
    },
    {
      name: 'swapped surrogates',
      labels: ['__name__', 'up', '\udc00\ud800', '1'],
      utf8: 'err-cortex-label-invalid',
      legacy: 'err-cortex-label-invalid',
    },
    {
      name: 'missing metric name',
      labels: ['a.b', '1'],
      utf8: 'err-cortex-missing-metric-name',
      legacy: 'err-cortex-missing-metric-name',
    },
    {
      name: 'duplicate UTF-8 names',
      labels: ['__name__', 'up', 'a.b', '1', 'a.b', '2'],
      utf8: 'err-cortex-duplicate-label-names',
      legacy: 'err-cortex-label-invalid',
    },
  ];
  it.each(cases)('$name', (c) => {
    expect(validateLabels(utf8, tenant, normalizeLabels([...c.labels]))?.id).toBe(c.utf8);
    const l = validateLabels(legacy, tenant, normalizeLabels([...c.labels]));
    expect(l?.id).toBe(c.legacy);
  });

  it('the legacy refusal says how to accept UTF-8 names; the utf8 one says what is wrong', () => {
    expect(validateLabels(legacy, tenant, ['__name__', 'a.b'])?.message).toContain(
      'set name_validation_scheme to utf8',
    );
    expect(validateLabels(utf8, tenant, ['__name__', 'up', 'x\udc00', '1'])?.message).toContain(
      'must be non-empty valid UTF-8',
    );
  });

  it.each([
    ['a.b', true],
    ['', false],
    ['\u{1F600}', true],
    ['\ud83d', false],
    ['\ude00x', false],
    ['\ud83d\ude00\ud83d', false],
  ])('isValidUtf8Name(%j) = %s', (s, ok) => {
    expect(isValidUtf8Name(s)).toBe(ok);
  });
});

describe('validateTimestamp', () => {
  const now = 1_700_000_000_000;
  const bounds = timeBounds(limits, tenant, now);
  const cases = [
    { name: 'now', t: now },
    { name: 'at the grace edge', t: now + 600_000 },
    { name: 'at the max-age edge', t: now - 3_600_000 },
    { name: 'too new', t: now + 600_001, id: 'err-cortex-too-far-in-future' },
    { name: 'too old', t: now - 3_600_001, id: 'err-cortex-sample-timestamp-too-old' },
    { name: 'beyond 2^53', t: 2 ** 60, id: 'err-cortex-sample-timestamp-invalid' },
    { name: 'fractional', t: now + 0.5, id: 'err-cortex-sample-timestamp-invalid' },
  ];
  it.each(cases)('$name', (c) => {
    expect(validateTimestamp(c.t, bounds, ['__name__', 'up'])?.id).toBe(c.id);
  });

  it('max age 0 disables the too-old check', () => {
    const b = timeBounds({ ...limits, rejectOldSamplesMaxAgeMs: () => 0 }, tenant, now);
    expect(validateTimestamp(0, b, [])).toBeUndefined();
    expect(validateTimestamp(-5, b, [])).toBeUndefined();
  });
});

describe('validateHistogram', () => {
  const base: FloatHistogram = {
    counterResetHint: 'unknown',
    schema: 0,
    zeroThreshold: 0,
    zeroCount: 0,
    count: 4,
    sum: 1,
    positiveSpans: [{ offset: -2, length: 2 }],
    negativeSpans: [],
    positiveBuckets: [1, 3],
    negativeBuckets: [],
  };
  const cases: { name: string; h: Partial<FloatHistogram>; message?: string }[] = [
    { name: 'valid', h: {} },
    { name: 'bad schema', h: { schema: 9 }, message: 'schema 9' },
    { name: 'span/bucket mismatch', h: { positiveBuckets: [1] }, message: 'cover 2 buckets but 1 were sent' },
    { name: 'negative count', h: { positiveBuckets: [1, -3] }, message: 'negative count -3' },
    {
      name: 'negative later span offset',
      h: {
        positiveSpans: [
          { offset: 0, length: 1 },
          { offset: -1, length: 1 },
        ],
      },
      message: 'negative offset',
    },
    { name: 'custom buckets with a zero bucket', h: { schema: -53, zeroCount: 1 }, message: 'custom-bucket' },
    { name: 'NaN count', h: { count: Number.NaN }, message: 'count is NaN' },
    { name: 'NaN bucket', h: { positiveBuckets: [1, Number.NaN] }, message: 'positive bucket count is NaN' },
    { name: 'negative zero count', h: { zeroCount: -1 }, message: 'zero bucket has negative count -1' },
    {
      name: 'custom bounds not increasing',
      h: { schema: -53, positiveSpans: [{ offset: 0, length: 2 }], customValues: [2, 2] },
      message: 'strictly increasing order, got 2 then 2',
    },
    {
      name: 'custom bound +Inf',
      h: { schema: -53, positiveSpans: [{ offset: 0, length: 2 }], customValues: [1, Number.POSITIVE_INFINITY] },
      message: 'must be finite',
    },
    {
      name: 'custom bound NaN',
      h: { schema: -53, positiveSpans: [{ offset: 0, length: 2 }], customValues: [Number.NaN] },
      message: 'must not be NaN',
    },
    {
      name: 'custom buckets past the bounds',
      h: { schema: -53, positiveSpans: [{ offset: 0, length: 2 }], customValues: [] },
      message: '0 custom bounds cannot cover spans reaching bucket 2',
    },
    { name: 'custom negative first offset', h: { schema: -53, customValues: [1, 2, 3] }, message: 'negative offset' },
    { name: 'exponential with bounds', h: { customValues: [1] }, message: 'must not have custom bounds' },
    {
      name: 'integer count mismatch',
      h: { count: 5 },
      message: '4 observations found in buckets, but the count field is 5',
    },
  ];
  it.each(cases)('$name', (c) => {
    const err = validateHistogram({ ...base, ...c.h }, true, ['__name__', 'h']);
    if (c.message === undefined) expect(err).toBeUndefined();
    else {
      expect(err?.id).toBe('err-cortex-native-histogram-invalid');
      expect(err?.message).toContain(c.message);
    }
  });
});

describe('limitHistogramBuckets', () => {
  const h: FloatHistogram = {
    counterResetHint: 'not_reset',
    schema: 2,
    zeroThreshold: 0,
    zeroCount: 0,
    count: 10,
    sum: 1,
    positiveSpans: [{ offset: 0, length: 8 }],
    negativeSpans: [],
    positiveBuckets: [1, 1, 1, 1, 1, 1, 2, 2],
    negativeBuckets: [],
  };
  it('keeps histograms within the limit, and everything when there is none', () => {
    expect(limitHistogramBuckets(h, 8, true, 0, ['__name__', 'h'])).toBe(h);
    expect(limitHistogramBuckets(h, 0, false, 0, ['__name__', 'h'])).toBe(h);
  });
  it('reduces the resolution until the buckets fit, keeping every observation', () => {
    const r = limitHistogramBuckets(h, 3, true, 0, ['__name__', 'h']) as FloatHistogram;
    expect(r.schema).toBe(0);
    expect(r.positiveBuckets.reduce((a, b) => a + b, 0)).toBe(10);
    expect(r.positiveBuckets.length).toBeLessThanOrEqual(3);
    expect(r.counterResetHint).toBe('not_reset');
    expect(h.schema).toBe(2); // the input is left alone
  });
  it('refuses what cannot be reduced enough, or with the reduction off', () => {
    for (const [limit, reduce] of [
      [3, false],
      [1, true],
    ] as const) {
      const err = limitHistogramBuckets(h, limit, reduce, 0, ['__name__', 'h']);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).id).toBe('err-cortex-max-native-histogram-buckets');
      expect((err as ValidationError).message).toContain('buckets: 8, limit:');
    }
  });
});

describe('validateExemplar and validateMetadata', () => {
  it.each([
    { name: 'valid', e: { labels: ['trace_id', 'abc'], t: 5 } },
    { name: 'no labels', e: { labels: [], t: 5 }, id: 'err-cortex-exemplar-labels-missing' },
    {
      name: 'labels too long',
      e: { labels: ['trace_id', 'x'.repeat(130)], t: 5 },
      id: 'err-cortex-exemplar-labels-too-long',
    },
    { name: 'zero timestamp', e: { labels: ['a', 'b'], t: 0 }, id: 'err-cortex-exemplar-timestamp-invalid' },
  ])('exemplar: $name', ({ e, id }) => {
    expect(validateExemplar(e, ['__name__', 'x'])?.id).toBe(id);
  });

  it.each([
    { name: 'valid', m: { metricFamilyName: 'up', type: 'gauge' as const, help: 'h', unit: '' } },
    {
      name: 'no name',
      m: { metricFamilyName: '', type: 'gauge' as const, help: '', unit: '' },
      id: 'err-cortex-metadata-missing-metric-name',
    },
    {
      name: 'help too long',
      m: { metricFamilyName: 'up', type: 'gauge' as const, help: 'h'.repeat(17), unit: '' },
      id: 'err-cortex-metadata-too-long',
    },
  ])('metadata: $name', ({ m, id }) => {
    expect(validateMetadata(limits, tenant, m)?.id).toBe(id);
  });
});

describe('error IDs', () => {
  it('are kebab-case err-cortex-… and unique', () => {
    for (const id of ALL_ERROR_IDS) expect(id).toMatch(/^err-cortex-[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(ALL_ERROR_IDS).size).toBe(ALL_ERROR_IDS.length);
  });
});

describe('docs/errors.md', () => {
  it('documents every error ID', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const missing = ALL_ERROR_IDS.filter((id) => !doc.includes(`### ${id}\n`));
    expect(missing).toEqual([]);
  });
});
