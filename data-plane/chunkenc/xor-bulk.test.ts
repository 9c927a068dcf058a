import { describe, expect, it } from 'vitest';
import { isStaleNaN, STALE_NAN } from '../model/index.js';
import { seededRandom } from '../remotewrite/test-rng.js';
import { ValueType } from '../storage/index.js';
import { XORChunk } from './index.js';
import { GOLDEN } from './xor.fixtures.js';
import { decodeXORInto } from './xor-bulk.js';

const view = new DataView(new ArrayBuffer(8));
const bitsOf = (v: number) => {
  view.setFloat64(0, v);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
};
const fromBits = (hex: string) => {
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
};

/** What the iterator yields for the same window: the reference the bulk decoder must equal. */
function viaIterator(bytes: Uint8Array, mint: number, maxt: number, dropStale: boolean): [number, string][] {
  const it = XORChunk.fromBytes(bytes).iterator();
  const out: [number, string][] = [];
  for (let vt = it.seek(mint); vt !== ValueType.None; vt = it.next()) {
    if (it.atT() > maxt) break;
    if (dropStale && isStaleNaN(it.atV())) continue;
    out.push([it.atT(), bitsOf(it.atV())]);
  }
  return out;
}

/** The bulk decoder over the chunk placed at an offset inside a larger buffer, as in a batch. */
function viaBulk(bytes: Uint8Array, mint: number, maxt: number, dropStale: boolean, pad = 5): [number, string][] {
  const buf = new Uint8Array(pad + bytes.length + pad).fill(0xa5);
  buf.set(bytes, pad);
  const n = (bytes[0]! << 8) | bytes[1]!;
  const out = { t: new Float64Array(n + 3), v: new Float64Array(n + 3) };
  const end = decodeXORInto(buf, pad, pad + bytes.length, mint, maxt, dropStale, out, 3);
  return Array.from({ length: end - 3 }, (_, i) => [out.t[3 + i]!, bitsOf(out.v[3 + i]!)]);
}

const ALL = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, false] as const;

describe('decodeXORInto', () => {
  it.each(GOLDEN.filter((g) => g.samples.length > 0))('decodes the golden chunk "$name"', (g) => {
    const bytes = Uint8Array.from(Buffer.from(g.hex, 'hex'));
    const got = viaBulk(bytes, ALL[0], ALL[1], ALL[2]);
    expect(got).toEqual(g.samples.map(([t, b]) => [t, bitsOf(fromBits(b))]));
  });

  // Timestamp steps that reach every delta-of-delta bucket (0, 14, 17, 20 and 64 bits), and values
  // that reach every value case (same, same window, new window, 64-bit-wide windows, NaNs).
  const steps = [15_000, 15_000, 15_001, 14_000, 30_000, 200_000, 1_000, 5_000_000, 86_400_000 * 400, 1];
  const values = (r: () => number, i: number): number => {
    const k = Math.floor(r() * 10);
    if (k === 0) return STALE_NAN;
    if (k === 1) return Number.NaN;
    if (k === 2) return i % 2 ? Number.POSITIVE_INFINITY : -0;
    if (k === 3) return (r() - 0.5) * 1e300;
    if (k === 4) return Math.floor(r() * 100);
    return 1000 + Math.floor(i / 3) + r() * (k === 5 ? 1e-9 : 1);
  };

  it.each(Array.from({ length: 40 }, (_, seed) => seed))('equals the iterator on random chunk %i', (seed) => {
    const r = seededRandom(seed + 1);
    const c = new XORChunk();
    const app = c.appender();
    let t = Math.floor((r() - 0.5) * 2 ** 45);
    const n = 1 + Math.floor(r() * 300);
    const ts: number[] = [];
    for (let i = 0; i < n; i++) {
      app.append(t, values(r, i));
      ts.push(t);
      t += steps[Math.floor(r() * steps.length)]!;
    }
    const bytes = c.bytes().slice();
    const windows: [number, number][] = [
      [ALL[0], ALL[1]],
      [ts[Math.floor(r() * n)]!, ALL[1]],
      [ALL[0], ts[Math.floor(r() * n)]!],
      [ts[Math.floor(n / 3)]! + 1, ts[Math.floor((2 * n) / 3)]! - 1],
    ];
    for (const [mint, maxt] of windows)
      for (const dropStale of [false, true])
        expect(viaBulk(bytes, mint, maxt, dropStale)).toEqual(viaIterator(bytes, mint, maxt, dropStale));
  });

  it('reads a chunk ending at the very end of its buffer', () => {
    const c = new XORChunk();
    const app = c.appender();
    for (let i = 0; i < 50; i++) app.append(1000 + i * 15_000, i * 1.5);
    const bytes = c.bytes().slice();
    expect(viaBulk(bytes, ALL[0], ALL[1], false, 0)).toEqual(viaIterator(bytes, ALL[0], ALL[1], false));
  });

  it('decodes a chunk larger than its scratch copy, and a small one after it', () => {
    const r = seededRandom(99);
    const big = new XORChunk();
    const app = big.appender();
    for (let i = 0; i < 6000; i++) app.append(1000 + i * 15_000 + Math.floor(r() * 5000), (r() - 0.5) * 1e300);
    const bytes = big.bytes().slice();
    expect(bytes.length).toBeGreaterThan(40_000);
    expect(viaBulk(bytes, ALL[0], ALL[1], false, 0)).toEqual(viaIterator(bytes, ALL[0], ALL[1], false));
    const small = new XORChunk();
    const sa = small.appender();
    for (let i = 0; i < 30; i++) sa.append(5 + i * 15_000, i);
    const sb = small.bytes().slice();
    expect(viaBulk(sb, ALL[0], ALL[1], false, 3)).toEqual(viaIterator(sb, ALL[0], ALL[1], false));
  });

  it('refuses a truncated chunk', () => {
    const c = new XORChunk();
    const app = c.appender();
    for (let i = 0; i < 50; i++) app.append(1000 + i * 15_017, Math.sqrt(i));
    const bytes = c.bytes().slice(0, 20);
    expect(() => viaBulk(bytes, ALL[0], ALL[1], false, 0)).toThrow(RangeError);
  });
});
