import type { TenantId } from '../model/index.js';
import { defaultLimits, type Limits, type ListLimitKey, type NumericLimitKey } from './limits.js';

/**
 * Where per-tenant overrides come from: a runtime-config file, the control plane's change feed, or a
 * test map. `snapshot()` must be cheap; implementations swap an immutable map atomically on reload.
 */
export interface TenantLimitsSource {
  snapshot(): ReadonlyMap<string, Partial<Limits>>;
}

/** A fixed source, for tests and single-tenant setups. */
export class StaticTenantLimitsSource implements TenantLimitsSource {
  private map: ReadonlyMap<string, Partial<Limits>>;
  constructor(map: ReadonlyMap<string, Partial<Limits>> = new Map()) {
    this.map = map;
  }
  snapshot(): ReadonlyMap<string, Partial<Limits>> {
    return this.map;
  }
  /** Replaces the whole snapshot (what a reload does). */
  replace(map: ReadonlyMap<string, Partial<Limits>>): void {
    this.map = map;
  }
}

/**
 * Per-tenant limits resolved on every call (Mimir's Overrides): defaults merged with the tenant's
 * overrides from the current snapshot. Components never copy a limit at construction time, so a
 * `cortexctl limits set` takes effect without a restart.
 */
export class Overrides {
  private readonly defaults: Limits;
  private readonly source: TenantLimitsSource;
  private lastSnapshot: ReadonlyMap<string, Partial<Limits>> | undefined;
  private merged = new Map<string, Limits>();

  constructor(source: TenantLimitsSource, defaults: Partial<Limits> = {}) {
    this.source = source;
    this.defaults = { ...defaultLimits, ...defaults };
  }

  /** The effective limits of a tenant. The returned object is shared and frozen. */
  forTenant(tenantId: TenantId | string): Readonly<Limits> {
    const snap = this.source.snapshot();
    if (snap !== this.lastSnapshot) {
      this.lastSnapshot = snap;
      this.merged = new Map();
    }
    let l = this.merged.get(tenantId);
    if (l === undefined) {
      l = Object.freeze({ ...this.defaults, ...snap.get(tenantId) });
      this.merged.set(tenantId, l);
    }
    return l;
  }

  get(tenantId: TenantId | string, key: NumericLimitKey): number {
    return this.forTenant(tenantId)[key];
  }

  list(tenantId: TenantId | string, key: ListLimitKey): readonly string[] {
    return this.forTenant(tenantId)[key];
  }

  defaultLimits(): Readonly<Limits> {
    return this.defaults;
  }

  /** name_validation_scheme = utf8: any non-empty valid UTF-8 metric and label name is accepted. */
  utf8NameValidation(t: TenantId): boolean {
    return this.get(t, 'name_validation_scheme') === 1;
  }
  /** created_timestamp_zero_ingestion_enabled: a zero goes at a counter's created timestamp. */
  createdTimestampZeroIngestion(t: TenantId): boolean {
    return this.get(t, 'created_timestamp_zero_ingestion_enabled') === 1;
  }
  otlpTranslationStrategy(t: TenantId): number {
    return this.get(t, 'otlp_translation_strategy');
  }
  otlpPromoteResourceAttributes(t: TenantId): readonly string[] {
    return this.list(t, 'promote_otel_resource_attributes');
  }
  costAttributionLabels(t: TenantId): readonly string[] {
    return this.list(t, 'cost_attribution_labels');
  }
  maxCostAttributionCardinality(t: TenantId): number {
    return this.get(t, 'max_cost_attribution_cardinality');
  }
  otlpAllowDeltaTemporality(t: TenantId): boolean {
    return this.get(t, 'otlp_allow_delta_temporality') === 1;
  }
  otlpConvertDeltaToCumulative(t: TenantId): boolean {
    return this.get(t, 'otlp_convert_delta_to_cumulative') === 1;
  }
  otlpDeltaToCumulativeMaxStreams(t: TenantId): number {
    return this.get(t, 'otlp_delta_to_cumulative_max_streams');
  }
  otlpConvertHistogramsToNhcb(t: TenantId): boolean {
    return this.get(t, 'otlp_convert_histograms_to_nhcb') === 1;
  }
  maxNativeHistogramBuckets(t: TenantId): number {
    return this.get(t, 'max_native_histogram_buckets');
  }
  reduceNativeHistogramOverMaxBuckets(t: TenantId): boolean {
    return this.get(t, 'reduce_native_histogram_over_max_buckets') === 1;
  }
  otlpMaxDecompressedBytes(t: TenantId): number {
    return this.get(t, 'otlp_max_decompressed_bytes');
  }
  ingestionRate(t: TenantId): number {
    return this.get(t, 'ingestion_rate');
  }
  ingestionBurstSize(t: TenantId): number {
    return this.get(t, 'ingestion_burst_size');
  }
  maxGlobalSeriesPerUser(t: TenantId): number {
    return this.get(t, 'max_global_series_per_user');
  }
  maxGlobalSeriesPerMetric(t: TenantId): number {
    return this.get(t, 'max_global_series_per_metric');
  }
  maxLabelNamesPerSeries(t: TenantId): number {
    return this.get(t, 'max_label_names_per_series');
  }
  maxLabelNameLength(t: TenantId): number {
    return this.get(t, 'max_label_name_length');
  }
  maxLabelValueLength(t: TenantId): number {
    return this.get(t, 'max_label_value_length');
  }
  maxMetadataPerUser(t: TenantId): number {
    return this.get(t, 'max_metadata_per_user');
  }
  rejectOldSamplesMaxAgeMs(t: TenantId): number {
    return this.get(t, 'reject_old_samples_max_age');
  }
  creationGracePeriodMs(t: TenantId): number {
    return this.get(t, 'creation_grace_period');
  }
  outOfOrderTimeWindowMs(t: TenantId): number {
    return this.get(t, 'out_of_order_time_window');
  }
  maxQueryLookbackMs(t: TenantId): number {
    return this.get(t, 'max_query_lookback');
  }
  maxQueryLengthMs(t: TenantId): number {
    return this.get(t, 'max_query_length');
  }
  maxSamplesPerQuery(t: TenantId): number {
    return this.get(t, 'max_samples_per_query');
  }
  maxFetchedSeriesPerQuery(t: TenantId): number {
    return this.get(t, 'max_fetched_series_per_query');
  }
  maxFetchedChunkBytesPerQuery(t: TenantId): number {
    return this.get(t, 'max_fetched_chunk_bytes_per_query');
  }
  maxSubquerySteps(t: TenantId): number {
    return this.get(t, 'max_subquery_steps');
  }
  maxQueriersPerTenant(t: TenantId): number {
    return this.get(t, 'max_queriers_per_tenant');
  }
  querySharding(t: TenantId): number {
    return this.get(t, 'query_sharding_total_shards');
  }
  maxOutstandingRequestsPerTenant(t: TenantId): number {
    return this.get(t, 'max_outstanding_requests_per_tenant');
  }
  rulerMaxRuleGroupsPerTenant(t: TenantId): number {
    return this.get(t, 'ruler_max_rule_groups_per_tenant');
  }
  rulerMaxRulesPerRuleGroup(t: TenantId): number {
    return this.get(t, 'ruler_max_rules_per_rule_group');
  }
  rulerMaxRuleEvaluationConcurrencyPerTenant(t: TenantId): number {
    return this.get(t, 'ruler_max_rule_evaluation_concurrency_per_tenant');
  }
  rulerTenantShardSize(t: TenantId): number {
    return this.get(t, 'ruler_tenant_shard_size');
  }
  alertmanagerMaxConfigSizeBytes(t: TenantId): number {
    return this.get(t, 'alertmanager_max_config_size_bytes');
  }
  alertmanagerNotificationRateLimit(t: TenantId): number {
    return this.get(t, 'alertmanager_notification_rate_limit');
  }
  alertmanagerMaxAlertsCount(t: TenantId): number {
    return this.get(t, 'alertmanager_max_alerts_count');
  }
  alertmanagerMaxAlertsSizeBytes(t: TenantId): number {
    return this.get(t, 'alertmanager_max_alerts_size_bytes');
  }
  alertmanagerMaxSilencesCount(t: TenantId): number {
    return this.get(t, 'alertmanager_max_silences_count');
  }
  alertmanagerMaxDispatcherAggregationGroups(t: TenantId): number {
    return this.get(t, 'alertmanager_max_dispatcher_aggregation_groups');
  }
  retentionPeriodMs(t: TenantId): number {
    return this.get(t, 'retention_period');
  }
  ingestionTenantShardSize(t: TenantId): number {
    return this.get(t, 'ingestion_tenant_shard_size');
  }
  haTrackerFailoverTimeoutMs(t: TenantId): number {
    return this.get(t, 'ha_tracker_failover_timeout');
  }
  maxGlobalExemplarsPerUser(t: TenantId): number {
    return this.get(t, 'max_global_exemplars_per_user');
  }
  maxMetadataLength(t: TenantId): number {
    return this.get(t, 'max_metadata_length');
  }
  acceptHaSamples(t: TenantId): boolean {
    return this.get(t, 'accept_ha_samples') === 1;
  }
  haMaxClusters(t: TenantId): number {
    return this.get(t, 'ha_max_clusters');
  }
}
