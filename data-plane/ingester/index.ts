export { defaultFlushOptions, type FlushOptions } from './flush.js';
export { Ingester, type IngesterOptions } from './ingester.js';
export type { IngesterLimits } from './limits.js';
export { IngesterMetrics } from './metrics.js';
export type { FsyncPolicy, WalLogger } from './wal/wal.js';
