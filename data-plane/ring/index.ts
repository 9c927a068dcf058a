/**
 * The hash ring (Cortex's `pkg/ring`). Names exported here are stable; others build on them.
 *
 * Typical wiring (see docs/ring.md):
 * ```ts
 * const store = new RingStore(bigtableKVOnTheRingTable);            // or new RingStore(memoryRingKV())
 * const lc = new Lifecycler({ store, ringName: 'ingester', id, addr, zone });
 * await lc.start();                                                  // JOINING → ACTIVE, heartbeats
 * const ring = new RingClient(store, 'ingester', { replicationFactor: 3, heartbeatTimeoutMs: 60_000 });
 * await ring.start();                                                // polls every second
 * const set = ring.shuffleShard(tenant, shardSize).get(shardHash(tenant, labels), 'write');
 * await doBatch(sets, (inst, items) => push(inst.addr, items));      // quorum per item
 * await lc.leave(() => ingester.flushAll());                         // LEAVING → flush → unregister
 * ```
 *
 * - `RingStore(kv, opts)`: `get(name)`, `cas(name, update)`; one row per ring name, JSON desc,
 *   compare-and-set with retries. `RingKV` = `Pick<SortedKV, 'get' | 'checkAndPut'>`;
 *   `memoryRingKV()` for one process.
 * - `Lifecycler`: `start({active?})`, `changeState(s)`, `heartbeat()`, `leave(flush?)`, `stop()`,
 *   `state`, `tokens`.
 * - `Ring` (a snapshot, implements `ReadRing`; `update(desc)`), `RingClient` (a `Ring` polling a
 *   store: `start()`, `refresh()`, `stop()`).
 * - `shardHash(tenant, labels)` (fnv32a over tenant + label names/values), `tenantHash(tenant)`.
 * - `doBatch(sets, send, {signal})` → per-item outcomes once each item has quorum or lost it.
 * - `ringStatusJson(views, nowMs)` / `ringStatusHtml(status)` for `/ring` (a `RingClient` is a
 *   `RingView`); `RingClient.forget(id)` removes an unhealthy instance.
 * - `startLocalRing({name, id, addr})`: a ring of one in memory (the `all` target).
 * - `registerRingMetrics(registry, () => rings)`: `cortex_ring_members{name,state}`, … on scrape.
 */
export { type BatchOutcome, type BatchResult, type DoBatchOptions, doBatch } from './batch.js';
export { cloneRing, decodeRing, emptyRing, encodeRing } from './codec.js';
export { FNV32_OFFSET, fnv32a, fnv32aAdd, fnv32aAddBytes, shardHash, tenantHash } from './hash.js';
export { Lifecycler, type LifecyclerOptions } from './lifecycler.js';
export { type LocalRing, startLocalRing } from './local.js';
export { registerRingMetrics } from './metrics.js';
export { quorum, Ring, RingClient, type RingClientOptions, type RingOptions, seededRandom } from './ring.js';
export {
  formatAge,
  type InstanceStatus,
  type RingStatus,
  type RingsStatus,
  type RingView,
  ringStatusHtml,
  ringStatusJson,
  tokenOwnership,
} from './status.js';
export { memoryRingKV, type RingKV, RingStore, type RingStoreOptions, type RingUpdate } from './store.js';
export { generateTokens } from './tokens.js';
export type {
  InstanceDesc,
  InstanceState,
  ReadRing,
  ReplicationSet,
  RingDesc,
  RingOperation,
} from './types.js';

/** Ring row names used by the targets (split-mode contract). */
export const RING_NAMES = [
  'ingester',
  'distributor',
  'querier',
  'query-frontend',
  'ruler',
  'alertmanager',
  'gateway',
] as const;
export type RingName = (typeof RING_NAMES)[number];
