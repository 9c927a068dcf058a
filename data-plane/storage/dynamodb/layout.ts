/**
 * How a SortedKV key is split over DynamoDB's two-part primary key (docs/storage.md §1, DynamoDB).
 *
 *   key = P ‖ R        P: the partition prefix, R: the rest
 *   item: p = 'd' ‖ P ‖ shard(R)      (partition key, binary)
 *         s = 0x00 ‖ R                (sort key, binary: DynamoDB key attributes cannot be empty)
 *
 * `partitionLength` must be a prefix-code parse: whether and where a key's partition ends is decided
 * by the bytes up to that point only. A key too short to tell (`undefined`) is a partition of its own
 * (P = the whole key, R empty). Then no two complete partition prefixes are prefixes of each other,
 * keys order exactly as (P, R), and every key starting with a complete P lies in that one partition.
 *
 * `shardUnitLength` picks which leading bytes of R choose the shard (same prefix-code rule;
 * `undefined` = all of R). Keys sharing the unit share the shard, so a range confined to one unit
 * (one series' chunks) is a single Query; any other range inside a partition reads every shard and
 * merges them in order.
 */
export interface KeyLayout {
  /** A short name, stored with the table so a reopen with another layout is refused. */
  readonly name: string;
  partitionLength(key: Uint8Array): number | undefined;
  shardUnitLength(rest: Uint8Array): number | undefined;
}

/**
 * The chunk schema (chunkstore/schema.ts): `tenant 0x00 u32be(bucket) type …`. One partition per
 * tenant and day bucket, so retention and queries of a day touch one partition. Within it, chunk
 * rows (`c sid …`) and series rows (`s sid`) shard by series ID (a series' chunks are one Query);
 * postings, label names and values, and tombstones spread over the shards by their whole key.
 */
export const chunkSchemaLayout: KeyLayout = {
  name: 'chunks-v1',
  partitionLength(key) {
    const zero = key.indexOf(0);
    if (zero < 0 || key.length < zero + 5) return undefined;
    return zero + 5;
  },
  shardUnitLength(rest) {
    const type = rest[0];
    // 'c' (0x63) chunk and 's' (0x73) series rows: type byte + 8-byte series ID.
    if ((type === 0x63 || type === 0x73) && rest.length >= 9) return 9;
    return undefined;
  },
};

/**
 * One partition for the whole table, ordered by the whole key: for small coordination tables (the
 * rings, the HA tracker, Alertmanager state) whose scans run over all of it or one tenant's prefix.
 */
export const singlePartitionLayout: KeyLayout = {
  name: 'single-v1',
  partitionLength: () => 0,
  shardUnitLength: () => 0,
};

export const LAYOUTS: Readonly<Record<string, KeyLayout>> = {
  [chunkSchemaLayout.name]: chunkSchemaLayout,
  [singlePartitionLayout.name]: singlePartitionLayout,
};
