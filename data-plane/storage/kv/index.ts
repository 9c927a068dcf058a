export { throwIfAborted } from './abort.js';
export { type BlobStore, missingBlobError } from './blob-store.js';
export {
  assertKey,
  type Bounds,
  bytesEqual,
  compareBytes,
  inBounds,
  latin1String,
  prefixEnd,
  startsWith,
  toBounds,
} from './keys.js';
export { type KVAccess, RecordingKV } from './recording-kv.js';
export type { KeyRange, KVEntry, ScanOptions, SortedKV } from './sorted-kv.js';
