/**
 * Per-tenant limits (Cortex/Mimir semantics, reference/cortex.md §3). One entry per limit: its YAML key
 * (snake_case, as in Cortex's runtime config and the admin API), kind, unit, valid range and default.
 * Adding a limit means one entry here and one `Overrides` method.
 *
 * Durations are milliseconds in code and Go-style duration strings ("1h30m") in YAML/JSON; `0` means
 * "disabled"/"unlimited" wherever Cortex uses that convention (noted per limit).
 */
export type LimitKind = 'integer' | 'number' | 'duration' | 'bytes' | 'labels';

export interface LimitSpec {
  /** snake_case key used in YAML, the admin API and `cortexctl limits set --<kebab-key>`. */
  readonly key: string;
  readonly kind: LimitKind;
  readonly unit: string;
  /** Smallest and largest value; for a `labels` limit, the fewest and most entries. */
  readonly min: number;
  readonly max: number;
  readonly description: string;
  /** Names accepted in place of the numbers 0, 1, 2… (an enumerated limit such as a strategy). */
  readonly names?: readonly string[];
  /** A `labels` limit whose entries must be Prometheus label names (not `__`-reserved). */
  readonly labelNames?: boolean;
}

const DAY = 86_400_000;

/** Prometheus's `otlp.translation_strategy` values, in the order of the limit's numbers. */
export const OTLP_TRANSLATION_STRATEGIES = [
  'UnderscoreEscapingWithSuffixes',
  'UnderscoreEscapingWithoutSuffixes',
  'NoUTF8EscapingWithSuffixes',
  'NoTranslation',
] as const;
/** Mimir's `name_validation_scheme` values (Prometheus's `metric_name_validation_scheme`), in number order. */
export const NAME_VALIDATION_SCHEMES = ['legacy', 'utf8'] as const;
const YEAR = 365 * DAY;
const MAX_INT = Number.MAX_SAFE_INTEGER;

export const defaultLimits = {
  /** samples/s per tenant, summed over distributors; token bucket refill rate. */
  ingestion_rate: 10_000,
  /** samples; token bucket size. */
  ingestion_burst_size: 200_000,
  /** active series per tenant across the cluster; 0 = unlimited. */
  max_global_series_per_user: 150_000,
  /** active series per metric name per tenant; 0 = unlimited. */
  max_global_series_per_metric: 20_000,
  max_label_names_per_series: 30,
  max_label_name_length: 1024,
  max_label_value_length: 2048,
  /** metric metadata entries per tenant; 0 = unlimited. */
  max_metadata_per_user: 8_000,
  /** ms; samples older than now minus this are rejected; 0 = disabled. */
  reject_old_samples_max_age: 14 * DAY,
  /** ms; samples newer than now plus this are rejected. */
  creation_grace_period: 10 * 60_000,
  /** ms; how far behind a series' newest sample an append may land; 0 = in-order only. */
  out_of_order_time_window: 0,
  /** ms; how far back queries may look; 0 = unlimited. */
  max_query_lookback: 0,
  /** ms; longest query range; 0 = unlimited. */
  max_query_length: 32 * DAY,
  /** samples loaded into memory by one query. */
  max_samples_per_query: 50_000_000,
  /** series fetched by one query; 0 = unlimited. */
  max_fetched_series_per_query: 0,
  /** bytes of sample data one query fetches (encoded chunks, or 16 B per decoded sample); 0 = unlimited. */
  max_fetched_chunk_bytes_per_query: 0,
  /** points one subquery evaluation may produce per series (range / step); 0 = unlimited. */
  max_subquery_steps: 11_000,
  /** query workers one tenant's queries may occupy at once; 0 = all but one (when there are two or more). */
  max_queriers_per_tenant: 0,
  /** shards a shardable query (sum/avg/count/min/max/topk of per-series input) is split into; 0 = one per query worker; 1 = off. */
  query_sharding_total_shards: 0,
  /** queued requests per tenant in the query-frontend. */
  max_outstanding_requests_per_tenant: 100,
  ruler_max_rule_groups_per_tenant: 70,
  ruler_max_rules_per_rule_group: 20,
  /** rule groups of one tenant a ruler evaluates at the same time (Mimir's name and default). */
  ruler_max_rule_evaluation_concurrency_per_tenant: 4,
  /** rulers one tenant's rule groups are spread over (shuffle sharding); 0 = all rulers. */
  ruler_tenant_shard_size: 0,
  alertmanager_max_config_size_bytes: 1_048_576,
  /** notifications/s per tenant and integration type (Cortex's name); 0 = unlimited. */
  alertmanager_notification_rate_limit: 0,
  /** alerts held by a tenant's Alertmanager; 0 = unlimited. */
  alertmanager_max_alerts_count: 10_000,
  /** bytes; total size of the alerts a tenant's Alertmanager holds; 0 = unlimited. */
  alertmanager_max_alerts_size_bytes: 0,
  /** active and pending silences per tenant; 0 = unlimited. */
  alertmanager_max_silences_count: 10_000,
  /** aggregation groups per tenant's dispatcher; 0 = unlimited. */
  alertmanager_max_dispatcher_aggregation_groups: 10_000,
  /** ms; data older than this is deleted; 0 = keep forever. */
  retention_period: 0,
  /** ingesters a tenant's series are sharded over (shuffle sharding); 0 = all. */
  ingestion_tenant_shard_size: 0,
  /** ms; HA tracker: how long without samples from the elected replica before failing over. */
  ha_tracker_failover_timeout: 30_000,
  /** exemplars kept per tenant in memory; 0 = exemplars disabled. */
  max_global_exemplars_per_user: 100_000,
  /** bytes; longest metric family name, HELP or UNIT in metric metadata. */
  max_metadata_length: 1024,
  /** 1 = deduplicate HA Prometheus pairs by their `cluster`/`__replica__` labels; 0 = off. */
  accept_ha_samples: 0,
  /** HA clusters tracked per tenant; 0 = unlimited. */
  ha_max_clusters: 100,
  /**
   * OTLP metric and label name translation (Prometheus's `otlp.translation_strategy`): 0 =
   * UnderscoreEscapingWithSuffixes, 1 = UnderscoreEscapingWithoutSuffixes, 2 =
   * NoUTF8EscapingWithSuffixes, 3 = NoTranslation.
   */
  otlp_translation_strategy: 0,
  /**
   * Metric and label names accepted on ingestion (Mimir's `name_validation_scheme`): 0 = legacy
   * (`[a-zA-Z_:][a-zA-Z0-9_:]*`), 1 = utf8 (any non-empty valid UTF-8, Prometheus 3's default).
   */
  name_validation_scheme: 0,
  /**
   * 1 = a zero sample is written at a counter's, histogram's or summary's created timestamp (remote
   * write 2.0 start_timestamp, OTLP start_time_unix_nano) when it is older than the sample and newer
   * than the series' data (Prometheus's created-timestamp-zero-ingestion; Mimir's
   * otel_created_timestamp_zero_ingestion_enabled for OTLP); 0 = created timestamps are ignored.
   */
  created_timestamp_zero_ingestion_enabled: 0,
  /** 1 = store OTLP delta sums and histograms as they are (Prometheus's native delta ingestion); 0 = refuse them. */
  otlp_allow_delta_temporality: 0,
  /** 1 = OTLP delta sums and histograms are summed into cumulative ones per stream (wins over otlp_allow_delta_temporality); 0 = off. */
  otlp_convert_delta_to_cumulative: 0,
  /** streams; running sums one tenant may hold for otlp_convert_delta_to_cumulative (per distributor). */
  otlp_delta_to_cumulative_max_streams: 100_000,
  /** 1 = OTLP explicit-bucket histograms become native histograms with custom buckets; 0 = classic series. */
  otlp_convert_histograms_to_nhcb: 0,
  /** bytes; largest OTLP body after gzip, checked while inflating (a bomb is stopped there). */
  otlp_max_decompressed_bytes: 64 << 20,
  /** buckets of one native histogram sample (positive and negative); 0 = unlimited. */
  max_native_histogram_buckets: 0,
  /** 1 = a histogram over max_native_histogram_buckets is reduced to a coarser schema until it fits; 0 = refused. */
  reduce_native_histogram_over_max_buckets: 1,
  /** OTLP resource attributes copied onto every series of the resource as labels (Mimir's name). */
  promote_otel_resource_attributes: [] as readonly string[],
  /** Labels whose values split the tenant's samples and active series in its usage report (Mimir's name). */
  cost_attribution_labels: [] as readonly string[],
  /** label-value combinations of cost_attribution_labels per tenant per hour (per process); the rest go to `__overflow__`. */
  max_cost_attribution_cardinality: 10_000,
} satisfies Record<string, number | readonly string[]>;

export type LimitKey = keyof typeof defaultLimits;
/** Limits whose value is a list of names rather than a number. */
export type ListLimitKey = {
  [K in LimitKey]: (typeof defaultLimits)[K] extends number ? never : K;
}[LimitKey];
export type NumericLimitKey = Exclude<LimitKey, ListLimitKey>;
export type LimitValue = number | readonly string[];
export type Limits = { [K in NumericLimitKey]: number } & { [K in ListLimitKey]: readonly string[] };

export const limitSpecs: Readonly<Record<LimitKey, LimitSpec>> = {
  ingestion_rate: spec(
    'ingestion_rate',
    'number',
    'samples/s',
    0,
    1e9,
    'per-tenant ingestion rate (token bucket refill)',
  ),
  ingestion_burst_size: spec(
    'ingestion_burst_size',
    'integer',
    'samples',
    0,
    1e10,
    'burst allowed above ingestion_rate',
  ),
  max_global_series_per_user: spec(
    'max_global_series_per_user',
    'integer',
    'series',
    0,
    1e9,
    'active series per tenant (0 = unlimited)',
  ),
  max_global_series_per_metric: spec(
    'max_global_series_per_metric',
    'integer',
    'series',
    0,
    1e9,
    'active series per metric name (0 = unlimited)',
  ),
  max_label_names_per_series: spec(
    'max_label_names_per_series',
    'integer',
    'labels',
    1,
    1000,
    'label names per series',
  ),
  max_label_name_length: spec('max_label_name_length', 'integer', 'bytes', 1, 65_536, 'length of a label name'),
  max_label_value_length: spec('max_label_value_length', 'integer', 'bytes', 1, 1_048_576, 'length of a label value'),
  max_metadata_per_user: spec(
    'max_metadata_per_user',
    'integer',
    'entries',
    0,
    1e7,
    'metric metadata entries per tenant (0 = unlimited)',
  ),
  reject_old_samples_max_age: spec(
    'reject_old_samples_max_age',
    'duration',
    'ms',
    0,
    10 * YEAR,
    'reject samples older than this (0 = disabled)',
  ),
  creation_grace_period: spec(
    'creation_grace_period',
    'duration',
    'ms',
    0,
    YEAR,
    'reject samples this far in the future',
  ),
  out_of_order_time_window: spec(
    'out_of_order_time_window',
    'duration',
    'ms',
    0,
    YEAR,
    'accept out-of-order samples this far back (0 = in-order only)',
  ),
  max_query_lookback: spec(
    'max_query_lookback',
    'duration',
    'ms',
    0,
    100 * YEAR,
    'how far back queries may read (0 = unlimited)',
  ),
  max_query_length: spec(
    'max_query_length',
    'duration',
    'ms',
    0,
    100 * YEAR,
    'longest query time range (0 = unlimited)',
  ),
  max_samples_per_query: spec('max_samples_per_query', 'integer', 'samples', 1, 1e12, 'samples loaded by one query'),
  max_fetched_series_per_query: spec(
    'max_fetched_series_per_query',
    'integer',
    'series',
    0,
    1e9,
    'series fetched by one query (0 = unlimited)',
  ),
  max_fetched_chunk_bytes_per_query: spec(
    'max_fetched_chunk_bytes_per_query',
    'bytes',
    'bytes',
    0,
    1e15,
    'sample data fetched by one query (0 = unlimited)',
  ),
  max_subquery_steps: spec(
    'max_subquery_steps',
    'integer',
    'points',
    0,
    1e9,
    'points per series of one subquery evaluation, range / step (0 = unlimited)',
  ),
  max_queriers_per_tenant: spec(
    'max_queriers_per_tenant',
    'integer',
    'workers',
    0,
    1e6,
    'query workers one tenant may occupy at once (0 = all but one)',
  ),
  query_sharding_total_shards: spec(
    'query_sharding_total_shards',
    'integer',
    'shards',
    0,
    128,
    'shards a shardable query is evaluated in, in parallel (0 = one per query worker, 1 = off)',
  ),
  max_outstanding_requests_per_tenant: spec(
    'max_outstanding_requests_per_tenant',
    'integer',
    'requests',
    1,
    1e6,
    'queued queries per tenant in the query-frontend',
  ),
  ruler_max_rule_groups_per_tenant: spec(
    'ruler_max_rule_groups_per_tenant',
    'integer',
    'groups',
    0,
    1e6,
    'rule groups per tenant (0 = unlimited)',
  ),
  ruler_max_rules_per_rule_group: spec(
    'ruler_max_rules_per_rule_group',
    'integer',
    'rules',
    0,
    1e6,
    'rules per rule group (0 = unlimited)',
  ),
  ruler_max_rule_evaluation_concurrency_per_tenant: spec(
    'ruler_max_rule_evaluation_concurrency_per_tenant',
    'integer',
    'groups',
    1,
    1000,
    'rule groups of a tenant evaluated at the same time by one ruler',
  ),
  ruler_tenant_shard_size: spec(
    'ruler_tenant_shard_size',
    'integer',
    'rulers',
    0,
    10_000,
    "rulers a tenant's rule groups are sharded over (0 = all)",
  ),
  alertmanager_max_config_size_bytes: spec(
    'alertmanager_max_config_size_bytes',
    'bytes',
    'bytes',
    0,
    100 * 1_048_576,
    'Alertmanager config size (0 = unlimited)',
  ),
  alertmanager_notification_rate_limit: spec(
    'alertmanager_notification_rate_limit',
    'number',
    'notifications/s',
    0,
    1e6,
    'Alertmanager notifications per second per integration type (0 = unlimited)',
  ),
  alertmanager_max_alerts_count: spec(
    'alertmanager_max_alerts_count',
    'integer',
    'alerts',
    0,
    1e7,
    'alerts held by the tenant Alertmanager (0 = unlimited)',
  ),
  alertmanager_max_alerts_size_bytes: spec(
    'alertmanager_max_alerts_size_bytes',
    'bytes',
    'bytes',
    0,
    1e10,
    'total size of the alerts held by the tenant Alertmanager (0 = unlimited)',
  ),
  alertmanager_max_silences_count: spec(
    'alertmanager_max_silences_count',
    'integer',
    'silences',
    0,
    1e7,
    'active and pending silences per tenant (0 = unlimited)',
  ),
  alertmanager_max_dispatcher_aggregation_groups: spec(
    'alertmanager_max_dispatcher_aggregation_groups',
    'integer',
    'groups',
    0,
    1e7,
    'Alertmanager aggregation groups per tenant (0 = unlimited)',
  ),
  retention_period: spec(
    'retention_period',
    'duration',
    'ms',
    0,
    100 * YEAR,
    'delete data older than this (0 = keep forever)',
  ),
  ingestion_tenant_shard_size: spec(
    'ingestion_tenant_shard_size',
    'integer',
    'ingesters',
    0,
    10_000,
    'ingesters per tenant for shuffle sharding (0 = all)',
  ),
  ha_tracker_failover_timeout: spec(
    'ha_tracker_failover_timeout',
    'duration',
    'ms',
    1000,
    DAY,
    'HA tracker failover timeout',
  ),
  max_global_exemplars_per_user: spec(
    'max_global_exemplars_per_user',
    'integer',
    'exemplars',
    0,
    1e8,
    'exemplars kept per tenant (0 = disabled)',
  ),
  max_metadata_length: spec(
    'max_metadata_length',
    'integer',
    'bytes',
    1,
    1_048_576,
    'length of a metric metadata name, HELP or UNIT',
  ),
  accept_ha_samples: spec('accept_ha_samples', 'integer', 'boolean', 0, 1, 'deduplicate HA pairs (1 = on)'),
  ha_max_clusters: spec('ha_max_clusters', 'integer', 'clusters', 0, 1e6, 'HA clusters per tenant (0 = unlimited)'),
  otlp_translation_strategy: {
    ...spec(
      'otlp_translation_strategy',
      'integer',
      'strategy',
      0,
      3,
      'OTLP name translation: 0 UnderscoreEscapingWithSuffixes, 1 UnderscoreEscapingWithoutSuffixes, 2 NoUTF8EscapingWithSuffixes, 3 NoTranslation (the name or the number)',
    ),
    names: OTLP_TRANSLATION_STRATEGIES,
  },
  name_validation_scheme: {
    ...spec(
      'name_validation_scheme',
      'integer',
      'scheme',
      0,
      1,
      'metric and label names accepted: 0 legacy ([a-zA-Z_:][a-zA-Z0-9_:]*), 1 utf8 (any valid UTF-8; needed by otlp_translation_strategy NoUTF8EscapingWithSuffixes and NoTranslation) (the name or the number)',
    ),
    names: NAME_VALIDATION_SCHEMES,
  },
  created_timestamp_zero_ingestion_enabled: spec(
    'created_timestamp_zero_ingestion_enabled',
    'integer',
    'flag',
    0,
    1,
    "write a zero at a counter's created timestamp (remote write 2.0 start_timestamp, OTLP start_time_unix_nano) when it is older than the sample and newer than the series' data (1), or ignore created timestamps (0)",
  ),
  otlp_allow_delta_temporality: spec(
    'otlp_allow_delta_temporality',
    'integer',
    'flag',
    0,
    1,
    'store OTLP delta sums and histograms as sent (1) instead of refusing them (0)',
  ),
  otlp_convert_delta_to_cumulative: spec(
    'otlp_convert_delta_to_cumulative',
    'integer',
    'flag',
    0,
    1,
    'sum OTLP delta sums and histograms into cumulative ones (1) instead of refusing them (0); wins over otlp_allow_delta_temporality',
  ),
  otlp_delta_to_cumulative_max_streams: spec(
    'otlp_delta_to_cumulative_max_streams',
    'integer',
    'streams',
    1,
    1e8,
    'delta streams one tenant may have summed at once (per distributor); points of new streams beyond it are refused',
  ),
  otlp_convert_histograms_to_nhcb: spec(
    'otlp_convert_histograms_to_nhcb',
    'integer',
    'flag',
    0,
    1,
    'OTLP explicit-bucket histograms as native histograms with custom buckets (1) or classic series (0)',
  ),
  otlp_max_decompressed_bytes: spec(
    'otlp_max_decompressed_bytes',
    'bytes',
    'bytes',
    1024,
    1 << 30,
    'largest OTLP request body after decompression',
  ),
  max_native_histogram_buckets: spec(
    'max_native_histogram_buckets',
    'integer',
    'buckets',
    0,
    MAX_INT,
    'buckets (positive and negative) of one native histogram sample; 0 = unlimited',
  ),
  reduce_native_histogram_over_max_buckets: spec(
    'reduce_native_histogram_over_max_buckets',
    'integer',
    'flag',
    0,
    1,
    'reduce a native histogram with too many buckets to a coarser schema until it fits (1) or refuse it (0)',
  ),
  promote_otel_resource_attributes: spec(
    'promote_otel_resource_attributes',
    'labels',
    'attributes',
    0,
    100,
    'OTLP resource attributes promoted to labels on every series of the resource (names as sent, e.g. k8s.namespace.name)',
  ),
  cost_attribution_labels: {
    ...spec(
      'cost_attribution_labels',
      'labels',
      'labels',
      0,
      4,
      'labels whose values split samples and active series in the usage report (e.g. team,service)',
    ),
    labelNames: true,
  },
  max_cost_attribution_cardinality: spec(
    'max_cost_attribution_cardinality',
    'integer',
    'combinations',
    1,
    1_000_000,
    'cost_attribution_labels value combinations kept apart per hour; more go to __overflow__',
  ),
};

/** `isListLimit(key)`: the limit holds a list of names. */
export function isListLimit(key: LimitKey): key is ListLimitKey {
  return limitSpecs[key].kind === 'labels';
}

function spec(key: string, kind: LimitKind, unit: string, min: number, max: number, description: string): LimitSpec {
  return { key, kind, unit, min, max: Math.min(max, MAX_INT), description };
}

export function isLimitKey(k: string): k is LimitKey {
  return Object.hasOwn(defaultLimits, k);
}
