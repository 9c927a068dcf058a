import { describe, expect, it } from 'vitest';
import { Labels, parseTenantId } from '../../model/index.js';
import { compareBytes, prefixEnd, startsWith } from '../kv/index.js';
import { ByteBuilder, ByteReader, decodeLabels, encodeLabels } from './codec.js';
import { RowType, Schema, seriesId } from './schema.js';

const day = 86_400_000;
const schema = new Schema(day);
const acme = parseTenantId('acme');
const sid = seriesId(Labels.fromObject({ __name__: 'up', job: 'node' }));

describe('chunk keys', () => {
  const cases = [
    { name: 'within one day', mint: 1_000, maxt: 1_800_000 },
    { name: 'ends exactly at the bucket end', mint: day - 10, maxt: day - 1 },
    { name: 'single sample', mint: 5 * day + 7, maxt: 5 * day + 7 },
    { name: 'negative time', mint: -day - 500, maxt: -day + 100 },
    { name: 'spans many days', mint: 3 * day + 1, maxt: 9 * day },
  ];
  it.each(cases)('round-trips: $name', ({ mint, maxt }) => {
    const b = schema.bucketOf(mint);
    const key = schema.chunkKey(acme, b, sid, mint, maxt, 0xdeadbeef);
    expect(schema.parseChunkKey(acme, key)).toEqual({ bucket: b, sid, mint, maxt, crc: 0xdeadbeef });
    expect(schema.bucketOfKey(acme, key)).toBe(b);
    expect(startsWith(key, schema.chunkSeriesPrefix(acme, b, sid))).toBe(true);
    expect(compareBytes(schema.chunkScanRanges(acme, b, [sid], mint)[0]!.start, key)).toBeLessThanOrEqual(0);
  });

  it.each([
    { name: 'an ordinary series ID', id: sid },
    { name: 'an ID ending in 0xff bytes', id: Uint8Array.of(1, 2, 3, 4, 5, 6, 0xff, 0xff) },
    { name: 'an all-0xff ID', id: new Uint8Array(8).fill(0xff) },
  ])('a scan range ends at prefixEnd of the series prefix, and the keys built are fresh: $name', ({ id }) => {
    for (const b of [0, 7, -2]) {
      const { end } = schema.chunkScanRanges(acme, b, [id], b * day)[0]!;
      expect(end).toEqual(prefixEnd(schema.chunkSeriesPrefix(acme, b, id)));
      expect(compareBytes(schema.chunkKey(acme, b, id, b * day, b * day + 5, 0xffffffff), end!)).toBeLessThan(0);
      // the cached prefix is never handed out: changing one key leaves the next one as it was
      const first = schema.seriesKey(acme, b, id);
      first.fill(0);
      expect(schema.seriesKey(acme, b, id)).toEqual(
        Uint8Array.from([...schema.typePrefix(acme, b, RowType.Series), ...id]),
      );
    }
  });

  it('chunkScanRanges starts each series at its prefix and the offset of mint, in views of one buffer', () => {
    const ids = [sid, Uint8Array.of(1, 2, 3, 4, 5, 6, 0xff, 0xff), new Uint8Array(8).fill(0xff), new Uint8Array(8)];
    const u32be = (x: number) => [x >>> 24, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff];
    for (const [b, mint, offset] of [
      [0, 60_000, 60_000],
      [3, 3 * day - 5, 0], // before the bucket: the scan starts at its first chunk
      [-2, -day, day],
      [1, 5 * day, 4 * day], // past the bucket: no chunk of it ends that late
    ] as const) {
      const ranges = schema.chunkScanRanges(acme, b, ids, mint);
      expect(ranges.map((r) => [r.start, r.end])).toEqual(
        ids.map((id) => {
          const prefix = schema.chunkSeriesPrefix(acme, b, id);
          return [Uint8Array.from([...prefix, ...u32be(offset)]), prefixEnd(prefix)];
        }),
      );
      expect(new Set(ranges.map((r) => r.start.buffer)).size).toBe(1);
      // the cached prefix is never handed out
      ranges[0]!.start.fill(0);
      expect(schema.chunkScanRanges(acme, b, ids.slice(0, 1), mint)[0]!.start).toEqual(
        Uint8Array.from([...schema.chunkSeriesPrefix(acme, b, ids[0]!), ...u32be(offset)]),
      );
    }
    expect(() => schema.chunkScanRanges(acme, 0, [new Uint8Array(7)], 0)).toThrow(RangeError);
  });

  it('readChunkKey reads what parseChunkKey does, the series ID left in the key', () => {
    const into = { bucket: 0, sidAt: 0, mint: 0, maxt: 0, crc: 0 };
    for (const [mint, maxt] of [
      [1_000, 1_800_000],
      [-day - 500, -day + 100],
    ] as const) {
      const b = schema.bucketOf(mint);
      const key = schema.chunkKey(acme, b, sid, mint, maxt, 0xfeedf00d);
      const f = schema.readChunkKey(acme, key, into);
      expect(f).toBe(into);
      expect(f).toEqual({ bucket: b, sidAt: acme.length + 6, mint, maxt, crc: 0xfeedf00d });
      expect(key.subarray(f.sidAt, f.sidAt + 8)).toEqual(sid);
    }
  });

  it('sorts chunks of a series by maxt', () => {
    const keys = [3_000, 1_000, 2_000].map((maxt) => schema.chunkKey(acme, 0, sid, 0, maxt, 1));
    const sorted = [...keys].sort(compareBytes).map((k) => schema.parseChunkKey(acme, k).maxt);
    expect(sorted).toEqual([1_000, 2_000, 3_000]);
  });

  it('orders buckets numerically, negative ones first', () => {
    const ks = [2, -1, 0, 1, -3].map((b) => schema.bucketPrefix(acme, b)).sort(compareBytes);
    expect(ks.map((k) => schema.bucketOfKey(acme, k))).toEqual([-3, -1, 0, 1, 2]);
  });
});

describe('tenant prefixes never overlap', () => {
  const pairs = [
    ['a', 'ab'],
    ['acme', 'acme-2'],
    ['x_1', 'x'],
  ] as const;
  it.each(pairs)('%s vs %s', (x, y) => {
    const tx = parseTenantId(x);
    const ty = parseTenantId(y);
    const kx = schema.seriesKey(tx, 0, sid);
    expect(startsWith(kx, schema.tenantPrefix(ty))).toBe(false);
    expect(startsWith(schema.seriesKey(ty, 0, sid), schema.tenantPrefix(tx))).toBe(false);
  });
});

describe('escaped strings', () => {
  const strings = ['', 'a', 'a\x00', 'a\x01', 'a\x00b', 'ab', 'ä', '\x01\x00\x02', '__proto__'];
  it.each(strings.map((s) => ({ name: JSON.stringify(s), s })))('round-trips $name', ({ s }) => {
    const enc = new ByteBuilder().escaped(s).escaped('tail').finish();
    const r = new ByteReader(enc);
    expect(r.escaped()).toBe(s);
    expect(r.escaped()).toBe('tail');
  });
  it('preserves byte order of the UTF-8 strings', () => {
    const enc = (s: string) => new ByteBuilder().escaped(s).finish();
    const raw = (s: string) => new TextEncoder().encode(s);
    const byEscaped = [...strings].sort((a, b) => compareBytes(enc(a), enc(b)));
    const byRaw = [...strings].sort((a, b) => compareBytes(raw(a), raw(b)));
    expect(byEscaped).toEqual(byRaw);
  });
  it('label names and values round-trip through their index keys', () => {
    const k = schema.labelValueKey(acme, 3, 'na\x00me', 'va\x01l');
    expect(schema.parseLabelValue(acme, k)).toEqual({ name: 'na\x00me', value: 'va\x01l' });
    expect(schema.parseLabelName(acme, schema.labelNameKey(acme, 3, '__proto__'))).toBe('__proto__');
    const p = schema.postingKey(acme, 3, 'job', 'x', sid);
    expect([...schema.postingSid(p)]).toEqual([...sid]);
  });
});

describe('labels and series IDs', () => {
  const sets = [
    Labels.fromObject({ __name__: 'up' }),
    Labels.fromObject({ __name__: 'node_cpu_seconds_total', cpu: '0', mode: 'idle', instance: 'host:9100' }),
    Labels.fromObject({ __proto__: 'x', é: 'ü\x00' } as Record<string, string>),
  ];
  it.each(sets.map((ls) => ({ name: ls.toString(), ls })))('labels round-trip: $name', ({ ls }) => {
    expect(decodeLabels(encodeLabels(ls)).equals(ls)).toBe(true);
  });
  // Series IDs hash these bytes and stored rows hold them: the ASCII fast path must write exactly
  // the length-prefixed UTF-8 that TextEncoder gives.
  it.each([
    '',
    '__name__',
    'x'.repeat(127),
    'y'.repeat(128),
    'é-value',
    'value-ü',
    'up 🚀',
    'a\ud800b',
    '\u007f\u0000',
  ])('str(%j) writes uvarint(UTF-8 length) + UTF-8', (str) => {
    const utf8 = new TextEncoder().encode(str);
    const want = new ByteBuilder().uvarint(utf8.length).bytes(utf8).bytes(Uint8Array.of(0xab)).finish();
    expect([...new ByteBuilder(1).str(str).byte(0xab).finish()]).toEqual([...want]);
  });
  it('series IDs are stable and distinct', () => {
    const ids = sets.map((s) => Buffer.from(seriesId(s)).toString('hex'));
    expect(new Set(ids).size).toBe(sets.length);
    expect(Buffer.from(seriesId(Labels.fromObject({ __name__: 'up' }))).toString('hex')).toBe(ids[0]);
    // {a="bc"} and {ab="c"} must not hash alike: pairs are separated.
    const x = seriesId(Labels.fromObject({ a: 'bc' }));
    const y = seriesId(Labels.fromObject({ ab: 'c' }));
    expect(Buffer.from(x).equals(Buffer.from(y))).toBe(false);
  });
  it('rejects bucket widths the key layout cannot hold', () => {
    expect(() => new Schema(0)).toThrow(/bucket width/);
    expect(() => new Schema(2 ** 32)).toThrow(/bucket width/);
  });
});
