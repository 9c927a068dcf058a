import type { ErrorId } from '../model/index.js';

/**
 * Every stable error ID of the write path, documented one by one in docs/errors.md. IDs are
 * immutable once released (Mimir's rule): add new ones, never rename. Other components append their
 * own IDs here.
 */
export const ERROR_IDS = {
  // Request decoding (whole request rejected, 400/415).
  invalidProtobuf: 'err-cortex-invalid-protobuf',
  invalidUtf8: 'err-cortex-invalid-utf8',
  snappyCorrupt: 'err-cortex-snappy-corrupt',
  requestTooLarge: 'err-cortex-request-too-large',
  unsupportedContentType: 'err-cortex-unsupported-content-type',
  unsupportedContentEncoding: 'err-cortex-unsupported-content-encoding',
  // Remote write 2.0: a series (or exemplar) whose refs do not resolve is dropped (partial 400).
  invalidSymbolRef: 'err-cortex-invalid-symbol-ref',
  // OTLP (data-plane/otlp): whole request refused (400), or points refused in a partial success.
  invalidOtlpJson: 'err-cortex-invalid-otlp-json',
  gzipCorrupt: 'err-cortex-gzip-corrupt',
  zstdCorrupt: 'err-cortex-zstd-corrupt',
  otlpDeltaTemporality: 'err-cortex-otlp-delta-temporality',
  otlpDeltaOutOfOrder: 'err-cortex-otlp-delta-out-of-order',
  otlpDeltaStreamsLimit: 'err-cortex-otlp-delta-streams-limit',
  otlpUnsupportedMetric: 'err-cortex-otlp-unsupported-metric',
  otlpInvalidName: 'err-cortex-otlp-invalid-name',
  // Series validation (series dropped, partial 400).
  missingMetricName: 'err-cortex-missing-metric-name',
  metricNameInvalid: 'err-cortex-metric-name-invalid',
  labelInvalid: 'err-cortex-label-invalid',
  duplicateLabelNames: 'err-cortex-duplicate-label-names',
  maxLabelNamesPerSeries: 'err-cortex-max-label-names-per-series',
  labelNameTooLong: 'err-cortex-label-name-too-long',
  labelValueTooLong: 'err-cortex-label-value-too-long',
  sampleTimestampInvalid: 'err-cortex-sample-timestamp-invalid',
  sampleTimestampTooOld: 'err-cortex-sample-timestamp-too-old',
  sampleTooFarInFuture: 'err-cortex-too-far-in-future',
  nativeHistogramInvalid: 'err-cortex-native-histogram-invalid',
  maxNativeHistogramBuckets: 'err-cortex-max-native-histogram-buckets',
  exemplarLabelsMissing: 'err-cortex-exemplar-labels-missing',
  exemplarLabelsTooLong: 'err-cortex-exemplar-labels-too-long',
  exemplarTimestampInvalid: 'err-cortex-exemplar-timestamp-invalid',
  metadataMissingMetricName: 'err-cortex-metadata-missing-metric-name',
  metadataTooLong: 'err-cortex-metadata-too-long',
  // Tenant limits on the whole request.
  tenantIngestionRateLimited: 'err-cortex-tenant-ingestion-rate-limited',
  tenantTooManyHaClusters: 'err-cortex-tenant-too-many-ha-clusters',
  haReplicaNotElected: 'err-cortex-ha-replica-not-elected',
  // Ingester, reported per series through WriteOutcome.errors.
  sampleOutOfOrder: 'err-cortex-sample-out-of-order',
  sampleDuplicateTimestamp: 'err-cortex-sample-duplicate-timestamp',
  maxSeriesPerUser: 'err-cortex-max-series-per-user',
  maxSeriesPerMetric: 'err-cortex-max-series-per-metric',
  maxMetadataPerUser: 'err-cortex-max-metadata-per-user',
  // Queries.
  emptyMatchers: 'err-cortex-empty-matchers',
  maxQueryLength: 'err-cortex-max-query-length',
  maxSamplesPerQuery: 'err-cortex-max-samples-per-query',
  maxSeriesPerQuery: 'err-cortex-max-series-per-query',
  maxSubquerySteps: 'err-cortex-max-subquery-steps',
  maxChunksBytesPerQuery: 'err-cortex-max-chunks-bytes-per-query',
  queryWorkerMemory: 'err-cortex-query-worker-memory',
  tooManyOutstandingRequests: 'err-cortex-too-many-outstanding-requests',
  // Federation (several tenants in one query or rule group).
  invalidTenantList: 'err-cortex-invalid-tenant-list',
  tenantsNotCovered: 'err-cortex-tenants-not-covered',
  // Auth gateway.
  authThrottled: 'err-cortex-auth-throttled',
  // Control plane.
  invalidTenantId: 'err-cortex-invalid-tenant-id',
  maxRuleGroupsPerTenant: 'err-cortex-max-rule-groups-per-tenant',
  maxRulesPerRuleGroup: 'err-cortex-max-rules-per-rule-group',
  alertmanagerMaxConfigSize: 'err-cortex-alertmanager-max-config-size',
  // Alertmanager (per-tenant limits).
  alertmanagerMaxAlertsCount: 'err-cortex-alertmanager-max-alerts-count',
  alertmanagerMaxAlertsSize: 'err-cortex-alertmanager-max-alerts-size',
  alertmanagerMaxSilencesCount: 'err-cortex-alertmanager-max-silences-count',
  alertmanagerMaxAggregationGroups: 'err-cortex-alertmanager-max-aggregation-groups',
  alertmanagerNotificationRateLimited: 'err-cortex-alertmanager-notification-rate-limited',
} as const satisfies Record<string, ErrorId>;

export type WritePathErrorId = (typeof ERROR_IDS)[keyof typeof ERROR_IDS];

/** All IDs, for docs and tests (every one must be documented in docs/errors.md). */
export const ALL_ERROR_IDS: readonly ErrorId[] = Object.values(ERROR_IDS);
