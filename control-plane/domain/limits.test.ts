import { describe, expect, it } from 'vitest';
import { parseLimitValue } from './limits.js';

describe('parseLimitValue', () => {
  it.each([
    { name: 'number', key: 'ingestion_rate', value: 1.5, want: 1.5 },
    { name: 'integer', key: 'max_label_names_per_series', value: 40, want: 40 },
    { name: 'duration string', key: 'max_query_length', value: '14d', want: 14 * 86_400_000 },
    { name: 'duration ms', key: 'max_query_length', value: 3_600_000, want: 3_600_000 },
    { name: 'zero duration', key: 'retention_period', value: '0s', want: 0 },
    { name: 'bytes', key: 'alertmanager_max_config_size_bytes', value: 1024, want: 1024 },
  ])('accepts $name', ({ key, value, want }) => {
    expect(parseLimitValue(key, value)).toBe(want);
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
  ])('rejects $name', ({ key, value, error }) => {
    expect(() => parseLimitValue(key, value)).toThrow(error);
  });
});
