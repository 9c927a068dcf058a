import { describe, expect, it } from 'vitest';
import { defaultLimits } from '../../data-plane/validation/index.js';
import { checkLimitCombination, parseLimitValue } from './limits.js';

describe('parseLimitValue', () => {
  it.each([
    { name: 'number', key: 'ingestion_rate', value: 1.5, want: 1.5 },
    { name: 'integer', key: 'max_label_names_per_series', value: 40, want: 40 },
    { name: 'duration string', key: 'max_query_length', value: '14d', want: 14 * 86_400_000 },
    { name: 'duration ms', key: 'max_query_length', value: 3_600_000, want: 3_600_000 },
    { name: 'zero duration', key: 'retention_period', value: '0s', want: 0 },
    { name: 'bytes', key: 'alertmanager_max_config_size_bytes', value: 1024, want: 1024 },
    { name: 'strategy by name', key: 'otlp_translation_strategy', value: 'NoTranslation', want: 3 },
    { name: 'strategy by number', key: 'otlp_translation_strategy', value: 1, want: 1 },
    { name: 'scheme by name', key: 'name_validation_scheme', value: 'utf8', want: 1 },
    { name: 'scheme by number', key: 'name_validation_scheme', value: 0, want: 0 },
    {
      name: 'list',
      key: 'promote_otel_resource_attributes',
      value: ['k8s.pod.name', 'team'],
      want: ['k8s.pod.name', 'team'],
    },
    { name: 'list as CSV', key: 'promote_otel_resource_attributes', value: 'a, b ,c', want: ['a', 'b', 'c'] },
    { name: 'empty list', key: 'promote_otel_resource_attributes', value: [], want: [] },
  ])('accepts $name', ({ key, value, want }) => {
    expect(parseLimitValue(key, value)).toEqual(want);
  });

  it.each([
    { name: 'unknown key', key: 'nope', value: 1, error: /unknown limit "nope"/ },
    { name: 'prototype key', key: '__proto__', value: 1, error: /unknown limit/ },
    { name: 'below min', key: 'max_label_names_per_series', value: 0, error: /out of range \[1, 1000\]/ },
    { name: 'above max', key: 'ha_tracker_failover_timeout', value: '2d', error: /out of range \[1s, 1d\]/ },
    { name: 'NaN', key: 'ingestion_rate', value: Number.NaN, error: /finite/ },
    { name: 'Infinity', key: 'ingestion_rate', value: Number.POSITIVE_INFINITY, error: /finite/ },
    { name: 'fraction for integer', key: 'max_global_series_per_user', value: 1.5, error: /integer/ },
    { name: 'fractional ms duration', key: 'max_query_length', value: 1.5, error: /integer/ },
    { name: 'string for number', key: 'ingestion_rate', value: '10', error: /must be a number/ },
    { name: 'boolean', key: 'ingestion_rate', value: true, error: /must be a number/ },
    { name: 'bad duration', key: 'max_query_length', value: '1 day', error: /not a duration/ },
    { name: 'unknown strategy', key: 'otlp_translation_strategy', value: 'Dots', error: /not one of Underscore/ },
    { name: 'strategy out of range', key: 'otlp_translation_strategy', value: 4, error: /out of range \[0, 3\]/ },
    { name: 'unknown scheme', key: 'name_validation_scheme', value: 'UTF-8', error: /not one of legacy, utf8/ },
    { name: 'list of numbers', key: 'promote_otel_resource_attributes', value: [1], error: /non-empty string/ },
    { name: 'list with empty name', key: 'promote_otel_resource_attributes', value: [''], error: /non-empty/ },
    { name: 'repeated name', key: 'promote_otel_resource_attributes', value: ['a', 'a'], error: /"a" is listed twice/ },
    { name: 'number for list', key: 'promote_otel_resource_attributes', value: 3, error: /list of names/ },
    {
      name: 'too many names',
      key: 'promote_otel_resource_attributes',
      value: Array.from({ length: 101 }, (_, i) => `a${i}`),
      error: /101 entries is out of range \[0, 100\]/,
    },
    {
      name: 'overlong name',
      key: 'promote_otel_resource_attributes',
      value: ['x'.repeat(257)],
      error: /longer than 256/,
    },
  ])('rejects $name', ({ key, value, error }) => {
    expect(() => parseLimitValue(key, value)).toThrow(error);
  });
});

describe('checkLimitCombination (a UTF-8 OTLP strategy needs the utf8 name validation scheme)', () => {
  const S = { underscores: 0, noUtf8Escaping: 2, noTranslation: 3 };
  it.each<{ name: string; before: Record<string, number>; next: Record<string, number>; error: boolean }>([
    { name: 'NoTranslation alone', before: {}, next: { otlp_translation_strategy: S.noTranslation }, error: true },
    {
      name: 'NoUTF8EscapingWithSuffixes alone',
      before: {},
      next: { otlp_translation_strategy: S.noUtf8Escaping },
      error: true,
    },
    {
      name: 'NoTranslation with utf8',
      before: {},
      next: { otlp_translation_strategy: S.noTranslation, name_validation_scheme: 1 },
      error: false,
    },
    {
      name: 'back to legacy under NoTranslation',
      before: { otlp_translation_strategy: S.noTranslation, name_validation_scheme: 1 },
      next: { otlp_translation_strategy: S.noTranslation, name_validation_scheme: 0 },
      error: true,
    },
    {
      name: 'utf8 with an escaping strategy (allowed, as in Prometheus)',
      before: {},
      next: { name_validation_scheme: 1, otlp_translation_strategy: S.underscores },
      error: false,
    },
    {
      name: 'an unrelated change under an existing bad pair',
      before: { otlp_translation_strategy: S.noTranslation },
      next: { otlp_translation_strategy: S.noTranslation, ingestion_rate: 5 },
      error: false,
    },
  ])('$name', ({ before, next, error }) => {
    const run = () => checkLimitCombination(before, next, defaultLimits);
    if (error) expect(run).toThrow(/needs|keeps UTF-8 .* set name_validation_scheme to utf8/);
    else expect(run).not.toThrow();
  });
});
