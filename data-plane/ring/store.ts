import { CanceledError, UnavailableError } from '../model/errors.js';
import type { CallOptions } from '../storage/interface.js';
import type { SortedKV } from '../storage/kv/index.js';
import { bytesEqual } from '../storage/kv/index.js';
import { decodeRing, encodeRing } from './codec.js';
import type { RingDesc } from './types.js';

/** The part of a `SortedKV` the ring needs: one row per ring, read and compare-and-set. */
export type RingKV = Pick<SortedKV, 'get' | 'checkAndPut'>;

/** An in-process `RingKV` (the `all` target, tests). */
export function memoryRingKV(): RingKV {
  const rows = new Map<string, Uint8Array>();
  const k = (key: Uint8Array) => Buffer.from(key).toString('hex');
  return {
    async get(key) {
      return rows.get(k(key))?.slice();
    },
    async checkAndPut(key, expected, value) {
      if (!bytesEqual(rows.get(k(key)), expected)) return false;
      rows.set(k(key), value.slice());
      return true;
    },
  };
}

export interface RingStoreOptions {
  /** Prepended to the ring name to form the row key; '' for a table of its own (`<table>_ring`). */
  keyPrefix?: string;
  /** Compare-and-set attempts before giving up (default 20). */
  maxCasRetries?: number;
  /** First backoff after a lost compare-and-set, doubled per attempt with jitter (default 10 ms, cap 1 s). */
  backoffMs?: number;
  /** Test seam. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** What a CAS callback returns: the new desc, or `undefined` for "no change, do not write". */
export type RingUpdate = (current: RingDesc) => RingDesc | undefined;

/**
 * Ring descs in a KV store: one row per ring name holding the JSON desc, changed only through a
 * compare-and-set loop (read, apply, `checkAndPut` against the bytes read, retry on conflict), the
 * way Cortex's `kv.CAS` works against Consul/etcd. Conflicting writers never lose each other's
 * changes: the loser re-reads and re-applies its update.
 */
export class RingStore {
  private readonly prefix: string;
  private readonly maxRetries: number;
  private readonly backoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** Compare-and-set writes tried and lost (for metrics and tests). */
  readonly stats = { casWrites: 0, casConflicts: 0 };

  constructor(
    private readonly kv: RingKV,
    opts: RingStoreOptions = {},
  ) {
    this.prefix = opts.keyPrefix ?? '';
    this.maxRetries = opts.maxCasRetries ?? 20;
    this.backoffMs = opts.backoffMs ?? 10;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
  }

  private key(name: string): Uint8Array {
    return new TextEncoder().encode(this.prefix + name);
  }

  /** The current desc of ring `name` (empty when it has never been written). */
  async get(name: string, opts?: CallOptions): Promise<RingDesc> {
    return decodeRing(await this.kv.get(this.key(name), opts));
  }

  /**
   * Applies `update` atomically and returns the desc as stored (or as read when `update` made no
   * change). Throws `UnavailableError` after `maxCasRetries` lost races, or whatever the store threw.
   */
  async cas(name: string, update: RingUpdate, opts?: CallOptions): Promise<RingDesc> {
    const key = this.key(name);
    let delay = this.backoffMs;
    for (let attempt = 0; ; attempt++) {
      if (opts?.signal?.aborted) throw new CanceledError(`ring ${name}: update canceled`);
      const before = await this.kv.get(key, opts);
      const current = decodeRing(before);
      const next = update(current);
      if (next === undefined) return current;
      const after = encodeRing(next);
      if (before !== undefined && bytesEqual(before, after)) return next;
      this.stats.casWrites++;
      if (await this.kv.checkAndPut(key, before, after, opts)) return next;
      this.stats.casConflicts++;
      if (attempt + 1 >= this.maxRetries) {
        throw new UnavailableError(`ring ${name}: compare-and-set lost ${this.maxRetries} times in a row, giving up`);
      }
      await this.sleep(delay * (0.5 + this.random()));
      delay = Math.min(delay * 2, 1000);
    }
  }
}
