import { describe, expect, it } from 'vitest';
import { compareBytes } from '../kv/index.js';
import { chunkSchemaLayout, singlePartitionLayout } from './layout.js';

const b = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p)] : p)));

describe('chunkSchemaLayout', () => {
  it('puts tenant and day bucket in the partition prefix', () => {
    expect(chunkSchemaLayout.partitionLength(b('acme', [0, 0x80, 0, 0x4e, 0x20], 'c'))).toBe(9);
    expect(chunkSchemaLayout.partitionLength(b('acme', [0, 0x80, 0, 0x4e, 0x20]))).toBe(9);
    // Too short to tell, or no tenant terminator: the key is a partition of its own.
    expect(chunkSchemaLayout.partitionLength(b('acme', [0, 0x80]))).toBeUndefined();
    expect(chunkSchemaLayout.partitionLength(b('ring/ingester'))).toBeUndefined();
  });

  it('is a prefix-code parse: keys order exactly as (partition, rest)', () => {
    const keys = [
      b('a'),
      b('a', [0]),
      b('a', [0, 1, 2, 3, 4]),
      b('a', [0, 1, 2, 3, 4], 'x'),
      b('a', [0, 1, 2, 3, 5]),
      b('ab', [0, 0, 0, 0, 0], 'c'),
      b('a/1'),
      b([0, 0xff]),
    ];
    const split = (k: Uint8Array) => {
      const n = chunkSchemaLayout.partitionLength(k) ?? k.length;
      return [k.subarray(0, n), k.subarray(n)] as const;
    };
    for (const x of keys)
      for (const y of keys) {
        const [px, rx] = split(x);
        const [py, ry] = split(y);
        const byParts = compareBytes(px, py) || compareBytes(rx, ry);
        expect(Math.sign(byParts), `${x} vs ${y}`).toBe(Math.sign(compareBytes(x, y)));
      }
  });

  it('shards chunk and series rows by series ID, everything else by its whole rest', () => {
    expect(chunkSchemaLayout.shardUnitLength(b('c', [1, 2, 3, 4, 5, 6, 7, 8], [0, 0, 0, 9]))).toBe(9);
    expect(chunkSchemaLayout.shardUnitLength(b('s', [1, 2, 3, 4, 5, 6, 7, 8]))).toBe(9);
    expect(chunkSchemaLayout.shardUnitLength(b('c', [1, 2]))).toBeUndefined();
    expect(chunkSchemaLayout.shardUnitLength(b('p', 'job', [0], 'node', [0]))).toBeUndefined();
  });
});

describe('singlePartitionLayout', () => {
  it('keeps every key in one partition and one shard', () => {
    expect(singlePartitionLayout.partitionLength(b('anything'))).toBe(0);
    expect(singlePartitionLayout.shardUnitLength(b('anything'))).toBe(0);
  });
});
