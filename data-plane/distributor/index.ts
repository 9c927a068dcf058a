export { type BadInputCase, type BuiltRequest, badInputCases } from './bad-input-cases.js';
export { DecodePool, type DecodePoolOptions } from './decode-pool.js';
export {
  Distributor,
  type DistributorOptions,
  type DistributorRequest,
  type DroppedItem,
  type PushResult,
} from './distributor.js';
export {
  HaTracker,
  type HaTrackerOptions,
  type HaTrackerStore,
  InMemoryHaTrackerStore,
  type ReplicaDecision,
  type ReplicaDesc,
} from './ha-tracker.js';
export {
  decodeReplicaDesc,
  encodeReplicaDesc,
  haKey,
  haTenantPrefix,
  KVHaTrackerStore,
  type KVHaTrackerStoreOptions,
  parseHaKey,
} from './ha-tracker-kv.js';
export type { IngesterClient } from './ingester-client.js';
export type { DistributorLimits } from './limits.js';
export { InMemoryIngesterClient } from './memory-ingester.js';
export {
  createPushHandler,
  type PushHandlerOptions,
  type PushRequest,
  type PushResponse,
  partialBody,
} from './push-handler.js';
export { type RateDecision, TenantRateLimiter } from './rate-limiter.js';
export {
  createIngestionRateStrategy,
  type DistributorRingView,
  GlobalIngestionRateStrategy,
  type GlobalIngestionRateStrategyOptions,
  INGESTION_RATE_STRATEGIES,
  type IngestionRateStrategy,
  type IngestionRateStrategyName,
  LocalIngestionRateStrategy,
  type RateLimits,
} from './rate-strategy.js';
