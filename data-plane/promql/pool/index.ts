export { EvalPool, type EvalPoolOptions, type RunOptions } from './pool.js';
export { PooledEngine, type PooledQueryOptions } from './pooled-engine.js';
