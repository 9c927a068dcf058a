/**
 * One behavioural suite for every SortedKV (Cortex `forAllFixtures` style): the embedded store runs
 * it as a unit test, Bigtable runs it against the real emulator in test/conformance.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareBytes } from './keys.js';
import type { KVEntry, SortedKV } from './sorted-kv.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string): Uint8Array => enc.encode(s);
const s = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : dec.decode(u));
const keysOf = (es: readonly KVEntry[]): string[] => es.map((e) => Buffer.from(e.key).toString('latin1'));

export interface SortedKVFixture {
  kv: SortedKV;
  /** Closes and reopens the store on the same data (durable stores); omitted when not meaningful. */
  reopen?: () => Promise<SortedKV>;
  cleanup?: () => Promise<void>;
}

export function runSortedKVConformance(name: string, factory: () => Promise<SortedKVFixture>): void {
  describe(`SortedKV conformance: ${name}`, () => {
    let fx: SortedKVFixture;
    let kv: SortedKV;
    beforeEach(async () => {
      fx = await factory();
      kv = fx.kv;
    });
    afterEach(async () => {
      await kv.close();
      await fx.cleanup?.();
    });

    const seed = ['a', 'a/1', 'a/2', 'a/3', 'b', 'b/1', 'c'];
    const putSeed = () => kv.put(seed.map((k) => ({ key: b(k), value: b(`v:${k}`) })));

    const scanCases: { name: string; range: Parameters<SortedKV['scan']>[0]; limit?: number; want: string[] }[] = [
      { name: 'everything', range: {}, want: seed },
      { name: 'start inclusive, end exclusive', range: { start: b('a/1'), end: b('b') }, want: ['a/1', 'a/2', 'a/3'] },
      { name: 'prefix', range: { prefix: b('a/') }, want: ['a/1', 'a/2', 'a/3'] },
      { name: 'prefix with limit', range: { prefix: b('a') }, limit: 2, want: ['a', 'a/1'] },
      { name: 'prefix and start', range: { prefix: b('a/'), start: b('a/2') }, want: ['a/2', 'a/3'] },
      { name: 'prefix and end', range: { prefix: b('a/'), end: b('a/3') }, want: ['a/1', 'a/2'] },
      { name: 'open start', range: { end: b('a/2') }, want: ['a', 'a/1'] },
      { name: 'open end', range: { start: b('b/1') }, want: ['b/1', 'c'] },
      { name: 'empty range', range: { start: b('b'), end: b('b') }, want: [] },
      { name: 'inverted range', range: { start: b('c'), end: b('a') }, want: [] },
      { name: 'no match', range: { prefix: b('zz') }, want: [] },
    ];
    it.each(scanCases)('scan: $name', async (tc) => {
      await putSeed();
      const got = await kv.scan(tc.range, tc.limit === undefined ? undefined : { limit: tc.limit });
      expect(keysOf(got)).toEqual(tc.want);
      for (const e of got) expect(s(e.value)).toBe(`v:${dec.decode(e.key)}`);
    });

    it('orders keys by unsigned bytes, including 0x00 and 0xff', async () => {
      const keys = [[0x01], [0x00, 0xff], [0xff], [0x00], [0x7f, 0x80], [0x80], [0xff, 0x00], [0x00, 0x00]].map(
        (k) => new Uint8Array(k),
      );
      await kv.put(keys.map((key) => ({ key, value: key })));
      const got = await kv.scan({});
      const want = [...keys].sort(compareBytes);
      expect(got.map((e) => [...e.key])).toEqual(want.map((k) => [...k]));
      expect(got.map((e) => [...e.value])).toEqual(want.map((k) => [...k]));
      const ff = await kv.scan({ prefix: new Uint8Array([0xff]) });
      expect(ff.map((e) => [...e.key])).toEqual([[0xff], [0xff, 0x00]]);
    });

    it('get, getMany and overwrite; put is idempotent', async () => {
      await putSeed();
      await putSeed();
      expect(s(await kv.get(b('a/2')))).toBe('v:a/2');
      expect(await kv.get(b('nope'))).toBeUndefined();
      await kv.put([{ key: b('a/2'), value: b('new') }]);
      expect((await kv.getMany([b('a/2'), b('x'), b('c')])).map(s)).toEqual(['new', undefined, 'v:c']);
      expect(await kv.scan({})).toHaveLength(seed.length);
    });

    it('a later entry for the same key in one batch wins; empty values are kept', async () => {
      await kv.put([
        { key: b('k'), value: b('1') },
        { key: b('k'), value: b('2') },
        { key: b('e'), value: new Uint8Array(0) },
      ]);
      expect(s(await kv.get(b('k')))).toBe('2');
      const e = await kv.get(b('e'));
      expect(e).toBeDefined();
      expect(e).toHaveLength(0);
    });

    it('stores binary values exactly', async () => {
      const value = new Uint8Array(70_000);
      for (let i = 0; i < value.length; i++) value[i] = (i * 131 + 7) & 0xff;
      await kv.put([{ key: b('big'), value }]);
      expect(Buffer.from((await kv.get(b('big')))!).equals(Buffer.from(value))).toBe(true);
    });

    it('scanMany merges ranges in key order, each entry once', async () => {
      await putSeed();
      const got = await kv.scanMany([{ prefix: b('b') }, { start: b('a/2'), end: b('b/1') }, { prefix: b('b/') }]);
      expect(keysOf(got)).toEqual(['a/2', 'a/3', 'b', 'b/1']);
      const limited = await kv.scanMany([{ prefix: b('c') }, { prefix: b('a/') }], { limit: 2 });
      expect(keysOf(limited)).toEqual(['a/1', 'a/2']);
    });

    it('keysOnly returns keys with empty values', async () => {
      await putSeed();
      const got = await kv.scan({ prefix: b('a/') }, { keysOnly: true });
      expect(keysOf(got)).toEqual(['a/1', 'a/2', 'a/3']);
      for (const e of got) expect(e.value).toHaveLength(0);
    });

    const deleteCases: { name: string; range: Parameters<SortedKV['deleteRange']>[0]; left: string[] }[] = [
      { name: 'prefix', range: { prefix: b('a/') }, left: ['a', 'b', 'b/1', 'c'] },
      { name: 'range', range: { start: b('a/2'), end: b('b/1') }, left: ['a', 'a/1', 'b/1', 'c'] },
      { name: 'open start', range: { end: b('b') }, left: ['b', 'b/1', 'c'] },
      { name: 'nothing matches', range: { prefix: b('q') }, left: seed },
    ];
    it.each(deleteCases)('deleteRange: $name', async (tc) => {
      await putSeed();
      await kv.deleteRange(tc.range);
      await kv.deleteRange(tc.range);
      expect(keysOf(await kv.scan({}))).toEqual(tc.left);
    });

    it('deleteKeys removes exactly the given keys', async () => {
      await putSeed();
      await kv.deleteKeys([b('a/1'), b('b'), b('missing')]);
      await kv.deleteKeys([]);
      expect(keysOf(await kv.scan({}))).toEqual(['a', 'a/2', 'a/3', 'b/1', 'c']);
    });

    it('a deleted key can be written again', async () => {
      await putSeed();
      await kv.deleteRange({ prefix: b('a') });
      await kv.put([{ key: b('a/2'), value: b('again') }]);
      expect(keysOf(await kv.scan({ prefix: b('a') }))).toEqual(['a/2']);
    });

    it('checkAndPut writes only when the current value is as expected', async () => {
      expect(await kv.checkAndPut(b('ring'), undefined, b('v1'))).toBe(true);
      expect(await kv.checkAndPut(b('ring'), undefined, b('v1b'))).toBe(false);
      expect(await kv.checkAndPut(b('ring'), b('v0'), b('v2'))).toBe(false);
      expect(s(await kv.get(b('ring')))).toBe('v1');
      // Regex metacharacters and binary bytes in the expected value must compare literally.
      const tricky = new Uint8Array([0x2e, 0x2a, 0x00, 0xff, 0x5c, 0x0a]);
      expect(await kv.checkAndPut(b('ring'), b('v1'), tricky)).toBe(true);
      expect(await kv.checkAndPut(b('ring'), new Uint8Array([0x61, 0x2a, 0x00, 0xff, 0x5c, 0x0a]), b('x'))).toBe(false);
      expect(await kv.checkAndPut(b('ring'), tricky, b('v3'))).toBe(true);
      expect(s(await kv.get(b('ring')))).toBe('v3');
    });

    it('concurrent checkAndPut on one key: exactly one writer wins', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => kv.checkAndPut(b('leader'), undefined, b(`node-${i}`))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(s(await kv.get(b('leader')))).toBe(`node-${winner}`);
    });

    it('an aborted signal rejects with kind canceled', async () => {
      const ac = new AbortController();
      ac.abort();
      await expect(kv.put([{ key: b('x'), value: b('y') }], { signal: ac.signal })).rejects.toMatchObject({
        kind: 'canceled',
      });
      await expect(kv.scan({}, { signal: ac.signal })).rejects.toMatchObject({ kind: 'canceled' });
    });

    it('rejects empty keys', async () => {
      await expect(kv.put([{ key: new Uint8Array(0), value: b('y') }])).rejects.toMatchObject({ kind: 'bad_data' });
    });

    it('keeps everything across a reopen', async (ctx) => {
      if (!fx.reopen) ctx.skip();
      await putSeed();
      await kv.deleteRange({ prefix: b('b') });
      await kv.put([{ key: b('a'), value: b('changed') }]);
      kv = await fx.reopen!();
      expect(keysOf(await kv.scan({}))).toEqual(['a', 'a/1', 'a/2', 'a/3', 'c']);
      expect(s(await kv.get(b('a')))).toBe('changed');
    });
  });
}
