import type { TenantId } from '../../model/index.js';
import type { CallOptions } from '../interface.js';
import type { SortedKV } from '../kv/index.js';
import type { Schema } from './schema.js';

/** Ranges up to this many buckets are enumerated; wider ones are discovered from the store. */
const ENUMERATE_MAX = 8;

/**
 * The tenant's buckets in `[from, to]` that hold any row, ascending: one limit-1 keys-only read per
 * bucket found (plus one), so a wide range over sparse data (a label query over years, a delete from
 * time zero) stays cheap. Every read stays inside the tenant's prefix.
 */
export async function existingBuckets(
  kv: SortedKV,
  schema: Schema,
  tenantId: TenantId,
  from: number,
  to: number,
  opts?: CallOptions,
): Promise<number[]> {
  const out: number[] = [];
  const end = schema.bucketPrefix(tenantId, to + 1);
  let b = from;
  while (b <= to) {
    const [first] = await kv.scan(
      { start: schema.bucketPrefix(tenantId, b), end },
      { ...opts, limit: 1, keysOnly: true },
    );
    if (first === undefined) break;
    const found = schema.bucketOfKey(tenantId, first.key);
    out.push(found);
    b = found + 1;
  }
  return out;
}

/**
 * The buckets a query of `[mint, maxt]` must read: all of them for short ranges (no discovery round
 * trips), only the existing ones for wide ranges.
 */
export async function queryBuckets(
  kv: SortedKV,
  schema: Schema,
  tenantId: TenantId,
  mint: number,
  maxt: number,
  opts?: CallOptions,
): Promise<number[]> {
  if (maxt < mint) return [];
  const from = schema.bucketOf(mint);
  const to = schema.bucketOf(maxt);
  if (to - from < ENUMERATE_MAX) {
    const out: number[] = [];
    for (let b = from; b <= to; b++) out.push(b);
    return out;
  }
  return existingBuckets(kv, schema, tenantId, from, to, opts);
}
