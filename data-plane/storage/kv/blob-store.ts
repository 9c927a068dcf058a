import { InternalError } from '../../model/index.js';
import type { CallOptions } from '../interface.js';

/**
 * Immutable named objects (S3): where a SortedKV whose rows are size-capped keeps
 * large values, holding only the object's name in the row. Names are content-derived by the caller,
 * so two writers of the same value write the same object and a rewrite is idempotent.
 */
export interface BlobStore {
  /** Where the objects live, for messages (e.g. `s3://bucket/prefix`). */
  readonly location: string;
  put(name: string, data: Uint8Array, opts?: CallOptions): Promise<void>;
  /** The object's bytes; a missing object throws an error that names it (never a silent gap). */
  get(name: string, opts?: CallOptions): Promise<Uint8Array>;
  /** Deletes the named objects; absent ones are ignored. */
  delete(names: readonly string[], opts?: CallOptions): Promise<void>;
  close(): Promise<void>;
}

/** The error a store raises for an object a row points to that is not there. */
export function missingBlobError(location: string, name: string, cause?: unknown): InternalError {
  return new InternalError(`chunk object ${location}/${name} is missing (the index points to it; data lost?)`, {
    cause,
  });
}
