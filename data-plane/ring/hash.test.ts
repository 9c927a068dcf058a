import { describe, expect, it } from 'vitest';
import { Labels } from '../model/index.js';
import { FNV32_OFFSET, fnv32a, fnv32aAdd, fnv32aAddBytes, shardHash, tenantHash } from './hash.js';

describe('fnv32a', () => {
  it.each([
    { s: '', want: 0x811c9dc5 },
    { s: 'a', want: 0xe40c292c },
    { s: 'foobar', want: 0xbf9cf968 },
  ])('matches the reference vector for $s', ({ s, want }) => {
    expect(fnv32a(s)).toBe(want);
  });

  it.each(['héllo', '日本語', 'emoji 🙂 ok', 'lone \ud800 surrogate', '\u07ff\u0800\uffff'])(
    'hashes the UTF-8 bytes of %s',
    (s) => {
      expect(fnv32a(s)).toBe(fnv32aAddBytes(FNV32_OFFSET, new TextEncoder().encode(s)));
    },
  );

  it('shardHash is fnv32a over tenant then each name and value, no separators', () => {
    const ls = Labels.fromObject({ __name__: 'up', job: 'node' });
    expect(shardHash('t1', ls)).toBe(fnv32a('t1__name__upjobnode'));
    expect(tenantHash('t1')).toBe(fnv32a('t1'));
    expect(shardHash('t1', ls)).not.toBe(shardHash('t2', ls));
    expect(fnv32aAdd(fnv32a('ab'), 'c')).toBe(fnv32a('abc'));
  });
});
