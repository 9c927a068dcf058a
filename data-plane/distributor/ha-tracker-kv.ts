/**
 * HA election state shared by every distributor: one small row per tenant and HA cluster in a
 * `SortedKV` (Bigtable in split mode, table `<table>_ha`; the embedded store in one process),
 * written only through compare-and-set (`checkAndPut`, Bigtable CheckAndMutateRow).
 *
 * Key layout (tenant first, as the chunk schema's keys, so one tenant's rows are one prefix):
 *
 *   prefix | esc(tenant) | esc(cluster)        → JSON {"replica": "…", "receivedAt": ms}
 *
 * `esc` is the chunk schema's order-preserving escaping: UTF-8 with 0x00 → 01 01 and 0x01 → 01 02,
 * then a 0x00 terminator. Tenant IDs are `[A-Za-z0-9_-]+`, so `esc(tenant)` is the tenant and 0x00
 * exactly as in the chunk store, and `acme`'s rows never share a prefix with `acme2`'s. Cluster
 * names come from senders' labels and may hold any byte: escaping keeps every (tenant, cluster)
 * pair a distinct key.
 */
import type { TenantId } from '../model/index.js';
import type { SortedKV } from '../storage/kv/index.js';
import type { HaTrackerStore, ReplicaDesc } from './ha-tracker.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** Appends `esc(s)` to `out`. */
function pushEscaped(out: number[], s: string): void {
  for (const c of utf8.encode(s)) {
    if (c <= 1) out.push(1, c + 1);
    else out.push(c);
  }
  out.push(0);
}

/** The key prefix holding every cluster of `tenant`. */
export function haTenantPrefix(tenant: TenantId, prefix: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = [...prefix];
  pushEscaped(out, tenant);
  return Uint8Array.from(out);
}

/** The row key of one tenant's HA cluster. */
export function haKey(tenant: TenantId, cluster: string, prefix: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = [...prefix];
  pushEscaped(out, tenant);
  pushEscaped(out, cluster);
  return Uint8Array.from(out);
}

/** Takes a key apart (undefined when it is not an HA key under `prefix`). */
export function parseHaKey(
  key: Uint8Array,
  prefix: Uint8Array = new Uint8Array(0),
): { tenant: string; cluster: string } | undefined {
  if (key.length < prefix.length) return undefined;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return undefined;
  let pos = prefix.length;
  const part = (): string | undefined => {
    const bytes: number[] = [];
    for (;;) {
      if (pos >= key.length) return undefined;
      const c = key[pos++]!;
      if (c === 0) return utf8d.decode(Uint8Array.from(bytes));
      if (c === 1) {
        if (pos >= key.length) return undefined;
        bytes.push(key[pos++]! - 1);
      } else bytes.push(c);
    }
  };
  const tenant = part();
  const cluster = part();
  if (tenant === undefined || cluster === undefined || pos !== key.length) return undefined;
  return { tenant, cluster };
}

/** The stored form of a ReplicaDesc: JSON with a fixed key order, so equal descs give equal bytes. */
export function encodeReplicaDesc(d: ReplicaDesc): Uint8Array {
  return utf8.encode(JSON.stringify({ replica: d.replica, receivedAt: d.receivedAt }));
}

/**
 * Reads a stored ReplicaDesc. A row that does not parse reads as replica `''` last seen at 0: any
 * replica then takes it over (compare-and-set against the bytes actually stored), so a damaged row
 * heals on the next write instead of blocking the cluster.
 */
export function decodeReplicaDesc(b: Uint8Array): ReplicaDesc {
  try {
    const v = JSON.parse(utf8d.decode(b)) as unknown;
    if (typeof v === 'object' && v !== null) {
      const { replica, receivedAt } = v as { replica?: unknown; receivedAt?: unknown };
      if (typeof replica === 'string' && typeof receivedAt === 'number' && Number.isFinite(receivedAt)) {
        return { replica, receivedAt };
      }
    }
  } catch {
    // fall through
  }
  return { replica: '', receivedAt: 0 };
}

export interface KVHaTrackerStoreOptions {
  /** Bytes before every key, when the table is shared with other rows (default none: a table of its own). */
  prefix?: Uint8Array;
}

/**
 * `HaTrackerStore` over a `SortedKV`. Every write is a `checkAndPut` against the bytes last read,
 * so concurrent distributors (each with its own `HaTracker`) elect one replica per cluster.
 *
 * `removeStale` deletes without compare-and-set (the KV has no conditional delete): a row whose
 * replica came back in the instant between the scan and the delete loses its timestamp, and the
 * next request elects afresh (normally the replica that is sending). Rows are only removed after
 * `staleAfterMs` (30 min) of silence, so this needs a replica silent for 30 minutes to resume at
 * that very moment.
 */
export class KVHaTrackerStore implements HaTrackerStore {
  private readonly kv: SortedKV;
  private readonly prefix: Uint8Array;
  /** The exact bytes each desc handed out by `get` was decoded from (compare-and-set expects them). */
  private readonly raw = new WeakMap<ReplicaDesc, Uint8Array>();

  constructor(kv: SortedKV, opts: KVHaTrackerStoreOptions = {}) {
    this.kv = kv;
    this.prefix = opts.prefix ?? new Uint8Array(0);
  }

  async get(tenant: TenantId, cluster: string): Promise<ReplicaDesc | undefined> {
    const b = await this.kv.get(haKey(tenant, cluster, this.prefix));
    if (b === undefined) return undefined;
    const d = decodeReplicaDesc(b);
    this.raw.set(d, b);
    return d;
  }

  async compareAndSwap(
    tenant: TenantId,
    cluster: string,
    prev: ReplicaDesc | undefined,
    next: ReplicaDesc,
  ): Promise<boolean> {
    const expected = prev === undefined ? undefined : (this.raw.get(prev) ?? encodeReplicaDesc(prev));
    return this.kv.checkAndPut(haKey(tenant, cluster, this.prefix), expected, encodeReplicaDesc(next));
  }

  async clusterCount(tenant: TenantId): Promise<number> {
    const rows = await this.kv.scan({ prefix: haTenantPrefix(tenant, this.prefix) }, { keysOnly: true });
    return rows.length;
  }

  async removeStale(tenant: TenantId, before: number): Promise<void> {
    const rows = await this.kv.scan({ prefix: haTenantPrefix(tenant, this.prefix) });
    const stale = rows.filter((r) => decodeReplicaDesc(r.value).receivedAt < before).map((r) => r.key);
    if (stale.length > 0) await this.kv.deleteKeys(stale);
  }

  /** Every stored election (for status pages and tests), in key order. */
  async list(): Promise<{ tenant: string; cluster: string; desc: ReplicaDesc }[]> {
    const rows = await this.kv.scan(this.prefix.length > 0 ? { prefix: this.prefix } : {});
    const out: { tenant: string; cluster: string; desc: ReplicaDesc }[] = [];
    for (const r of rows) {
      const k = parseHaKey(r.key, this.prefix);
      if (k) out.push({ ...k, desc: decodeReplicaDesc(r.value) });
    }
    return out;
  }
}
