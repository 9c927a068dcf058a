export { BigtableKV, type BigtableKVOptions } from './bigtable-kv.js';
