export { toApiData } from './api.js';
export type * from './ast.js';
export { children } from './ast.js';
export { Engine, type EngineOptions, type PromValue, type QueryOptions, type QueryResult } from './engine.js';
export { formatApiFloat, formatFloat } from './format.js';
export { parseExpr } from './parser.js';
export {
  EvalPool,
  type EvalPoolOptions,
  type InlineOptions,
  PooledEngine,
  type PooledQueryOptions,
  SERVER_INLINE,
} from './pool/index.js';
export { exprString, formatQuery } from './printer.js';
