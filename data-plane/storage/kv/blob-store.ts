import { InternalError } from '../../model/index.js';
import type { CallOptions } from '../interface.js';
import { throwIfAborted } from './abort.js';

/**
 * Immutable named objects (S3, or memory in tests): where a SortedKV whose rows are size-capped keeps
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

/** A BlobStore in memory, for unit tests. */
export class MemoryBlobStore implements BlobStore {
  readonly location = 'memory:';
  readonly objects = new Map<string, Uint8Array>();

  async put(name: string, data: Uint8Array, opts?: CallOptions): Promise<void> {
    throwIfAborted(opts);
    this.objects.set(name, data.slice());
  }

  async get(name: string, opts?: CallOptions): Promise<Uint8Array> {
    throwIfAborted(opts);
    const v = this.objects.get(name);
    if (v === undefined) throw missingBlobError(this.location, name);
    return v.slice();
  }

  async delete(names: readonly string[], opts?: CallOptions): Promise<void> {
    throwIfAborted(opts);
    for (const n of names) this.objects.delete(n);
  }

  async close(): Promise<void> {}
}
