import { describe, expect, it } from 'vitest';
import { limitSpecs } from '../../data-plane/validation/index.js';
import { UsageError } from '../errors.js';
import { flagName, limitFlags, limitValuesFromFlags, parseLimitKeys, parseLimitValue } from './index.js';

describe('limit flags', () => {
  it('has one kebab-case flag per limit spec', () => {
    expect(Object.keys(limitFlags).sort()).toEqual(Object.keys(limitSpecs).map(flagName).sort());
    expect(limitFlags['max-global-series-per-user']).toBeDefined();
  });

  it.each([
    { name: 'number', key: 'ingestion_rate', raw: '1500.5', want: 1500.5 },
    { name: 'integer', key: 'max_global_series_per_user', raw: '2000000', want: 2_000_000 },
    { name: 'duration string', key: 'retention_period', raw: '14d', want: '14d' },
    { name: 'duration in ms', key: 'retention_period', raw: '60000', want: 60_000 },
    { name: 'duration zero', key: 'max_query_length', raw: '0', want: 0 },
    { name: 'strategy name', key: 'otlp_translation_strategy', raw: 'NoTranslation', want: 3 },
    { name: 'strategy number', key: 'otlp_translation_strategy', raw: '2', want: 2 },
    {
      name: 'list',
      key: 'promote_otel_resource_attributes',
      raw: 'k8s.pod.name, team',
      want: ['k8s.pod.name', 'team'],
    },
    { name: 'empty list', key: 'promote_otel_resource_attributes', raw: '', want: [] },
  ] as const)('parses $name', ({ key, raw, want }) => {
    expect(parseLimitValue(key, raw)).toEqual(want);
  });

  it.each([
    { name: 'non-number', key: 'ingestion_rate', raw: 'fast', error: /--ingestion-rate "fast": expected a number/ },
    { name: 'fraction for integer', key: 'max_label_names_per_series', raw: '1.5', error: /expected an integer/ },
    { name: 'empty', key: 'ingestion_burst_size', raw: ' ', error: /expected a number/ },
    { name: 'bad duration', key: 'retention_period', raw: '2 weeks', error: /expected a duration/ },
    { name: 'unknown strategy', key: 'otlp_translation_strategy', raw: 'Dots', error: /expected one of Underscore/ },
  ] as const)('rejects $name', ({ key, raw, error }) => {
    expect(() => parseLimitValue(key, raw)).toThrow(UsageError);
    expect(() => parseLimitValue(key, raw)).toThrow(error);
  });

  it('collects only the flags that were given', () => {
    expect(limitValuesFromFlags({ 'ingestion-rate': '5', 'retention-period': '30d', tenant: 'acme' })).toEqual({
      ingestion_rate: 5,
      retention_period: '30d',
    });
  });

  it('accepts snake and kebab key names and rejects unknown ones', () => {
    expect(parseLimitKeys(['ingestion_rate', 'max-query-length'])).toEqual(['ingestion_rate', 'max_query_length']);
    expect(() => parseLimitKeys(['ingestion_rate', 'nope'])).toThrow(/unknown limit nope/);
  });
});
