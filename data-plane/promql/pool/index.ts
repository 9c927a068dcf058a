export { EvalPool, type EvalPoolOptions, type RunOptions } from './pool.js';
export { type InlineOptions, PooledEngine, type PooledQueryOptions, SERVER_INLINE } from './pooled-engine.js';
