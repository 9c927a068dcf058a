import { describe, expect, it } from 'vitest';
import { isStaleNaN, STALE_NAN } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { appendXOR, Encoding, XOR_NO_WINDOW, XORChunk, type XOREncoderState } from './index.js';
import { GOLDEN } from './xor.fixtures.js';

const view = new DataView(new ArrayBuffer(8));
function fromBits(hex: string): number {
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}
function toBits(v: number): string {
  view.setFloat64(0, v);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function decode(c: XORChunk): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  const it = c.iterator();
  while (it.next() === ValueType.Float) out.push([it.atT(), toBits(it.atV())]);
  return out;
}

/** mulberry32: a small seeded PRNG so property tests are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('XORChunk golden bytes', () => {
  it.each(GOLDEN)('$name', ({ samples, hex: want }) => {
    const c = new XORChunk();
    const app = c.appender();
    for (const [t, bits] of samples) app.append(t, fromBits(bits));
    expect(hex(c.bytes())).toBe(want);
    expect(c.numSamples()).toBe(samples.length);
    expect(decode(XORChunk.fromBytes(Buffer.from(want, 'hex')))).toEqual(samples.map(([t, b]) => [t, b]));
  });

  it('writes the documented prefixes of the worked example', () => {
    const c = new XORChunk();
    const app = c.appender();
    app.append(1000, 1.0);
    expect(hex(c.bytes())).toBe('0001d00f3ff0000000000000');
    app.append(16000, 2.0);
    app.append(31000, 3.0);
    expect(hex(c.bytes())).toBe('0003d00f3ff00000000000009875c25fff6c06');
  });

  it('starts as the two-byte empty header', () => {
    const c = new XORChunk();
    expect(hex(c.bytes())).toBe('0000');
    expect(c.encoding()).toBe(Encoding.XOR);
    expect(c.iterator().next()).toBe(ValueType.None);
  });
});

describe('XORChunk round trips (seeded property tests)', () => {
  const shapes = [
    { name: 'regular scrape, counters', seed: 1, jitter: 0, kind: 'counter' },
    { name: 'jittered scrape, gauges', seed: 2, jitter: 200, kind: 'gauge' },
    { name: 'wild gaps, random bit patterns', seed: 3, jitter: 5_000_000, kind: 'bits' },
    { name: 'special values mixed in', seed: 4, jitter: 10, kind: 'special' },
  ] as const;
  const specials = [
    NaN,
    STALE_NAN,
    Infinity,
    -Infinity,
    0,
    -0,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
    fromBits('7ff8dead0000beef'),
  ];

  it.each(shapes)('$name', ({ seed, jitter, kind }) => {
    const r = rng(seed);
    for (let series = 0; series < 200; series++) {
      const n = 1 + Math.floor(r() * 240);
      let t = Math.floor((r() - 0.5) * 2 ** 44);
      let counter = 0;
      const want: Array<[number, string]> = [];
      const c = new XORChunk();
      const app = c.appender();
      for (let i = 0; i < n; i++) {
        t += 1 + Math.floor(r() * 15_000) * (i % 7 === 0 ? 1 : 0) + Math.floor(r() * jitter);
        let v: number;
        if (kind === 'counter') v = counter += Math.floor(r() * 100);
        else if (kind === 'gauge') v = Math.round(r() * 1e4) / 100;
        else if (kind === 'bits')
          v = fromBits(
            Math.floor(r() * 2 ** 32)
              .toString(16)
              .padStart(8, '0') +
              Math.floor(r() * 2 ** 32)
                .toString(16)
                .padStart(8, '0'),
          );
        else v = r() < 0.3 ? specials[Math.floor(r() * specials.length)]! : r() * 10;
        app.append(t, v);
        want.push([t, toBits(v)]);
      }
      expect(decode(c)).toEqual(want);
      // Reading back from copied bytes gives the same samples.
      expect(decode(XORChunk.fromBytes(c.bytes().slice()))).toEqual(want);
    }
  });
});

describe('XORChunk values and timestamps', () => {
  it('keeps the staleness marker bit-exact', () => {
    const c = new XORChunk();
    c.appender().append(1, 1);
    c.appender().append(2, STALE_NAN);
    const it = c.iterator();
    it.next();
    it.next();
    expect(isStaleNaN(it.atV())).toBe(true);
  });

  it.each([
    { name: 'fraction', t: 1.5 },
    { name: 'NaN', t: NaN },
    { name: 'beyond 2^53', t: 2 ** 53 },
    { name: 'infinite', t: -Infinity },
  ])('rejects a $name timestamp instead of rounding', ({ t }) => {
    const c = new XORChunk();
    expect(() => c.appender().append(t, 1)).toThrow(RangeError);
    expect(c.numSamples()).toBe(0);
  });

  it('rejects a delta that would not stay exact', () => {
    const c = new XORChunk();
    c.appender().append(-(2 ** 53 - 1), 1);
    expect(() => c.appender().append(2 ** 53 - 1, 1)).toThrow(RangeError);
    expect(c.numSamples()).toBe(1);
  });

  it('refuses a 64-bit dod that decodes outside the safe range', () => {
    // 3 samples: ts0 varint 0, v0 = 0.0, Δ1 varint 1, value unchanged, then dod '1111' + 2^62.
    const bits = ['00000000', '0'.repeat(64), '00000001', '0', '1111', '01'.padEnd(64, '0'), '0'].join('');
    const data = new Uint8Array(2 + Math.ceil(bits.length / 8));
    data[1] = 3;
    for (let i = 0; i < bits.length; i++) if (bits[i] === '1') data[2 + (i >> 3)]! |= 0x80 >> (i & 7);
    const it = XORChunk.fromBytes(data).iterator();
    expect(it.next()).toBe(ValueType.Float);
    expect(it.next()).toBe(ValueType.Float);
    expect(it.atT()).toBe(1);
    expect(() => it.next()).toThrow(/safe integer/);
  });

  it('throws instead of reading past truncated data', () => {
    const full = GOLDEN.find((g) => g.name.startsWith('worked example'))!;
    const b = Buffer.from(full.hex, 'hex').subarray(0, 16);
    const it = XORChunk.fromBytes(b).iterator();
    expect(() => {
      while (it.next() !== ValueType.None) {}
    }).toThrow(RangeError);
  });

  it('tolerates a spare trailing byte (Prometheus < 3.0)', () => {
    const full = GOLDEN.find((g) => g.name.startsWith('worked example'))!;
    const c = XORChunk.fromBytes(Buffer.from(`${full.hex}00`, 'hex'));
    expect(decode(c)).toEqual(full.samples.map(([t, b]) => [t, b]));
  });
});

describe('XORIterator', () => {
  const c = new XORChunk();
  const app = c.appender();
  for (let i = 0; i < 10; i++) app.append(i * 10, i);

  it.each([
    { name: 'before the first sample', seekTo: -5, want: 0 },
    { name: 'exact hit', seekTo: 40, want: 40 },
    { name: 'between samples', seekTo: 41, want: 50 },
    { name: 'last sample', seekTo: 90, want: 90 },
  ])('seek $name', ({ seekTo, want }) => {
    const it = c.iterator();
    expect(it.seek(seekTo)).toBe(ValueType.Float);
    expect(it.atT()).toBe(want);
    expect(it.atV()).toBe(want / 10);
  });

  it('seek past the end is exhausted and stays so', () => {
    const it = c.iterator();
    expect(it.seek(91)).toBe(ValueType.None);
    expect(it.next()).toBe(ValueType.None);
    expect(it.seek(0)).toBe(ValueType.None);
  });

  it('seek never moves backwards', () => {
    const it = c.iterator();
    it.seek(50);
    expect(it.seek(10)).toBe(ValueType.Float);
    expect(it.atT()).toBe(50);
  });

  it('does not see samples appended after it was created', () => {
    const d = new XORChunk();
    const a = d.appender();
    a.append(1, 1);
    const it = d.iterator();
    a.append(2, 2);
    expect(it.next()).toBe(ValueType.Float);
    expect(it.next()).toBe(ValueType.None);
  });

  it('can be reused for another chunk', () => {
    const first = c.iterator();
    first.seek(90);
    const d = new XORChunk();
    d.appender().append(7, 7);
    const again = d.iterator(first);
    expect(again).toBe(first);
    expect(again.next()).toBe(ValueType.Float);
    expect([again.atT(), again.atV()]).toEqual([7, 7]);
    expect(again.next()).toBe(ValueType.None);
  });

  it('has no histograms', () => {
    const it = c.iterator();
    it.next();
    expect(() => it.atHistogram()).toThrow(RangeError);
  });
});

describe('reopened chunks', () => {
  it.each(GOLDEN.filter((g) => g.samples.length >= 2))('appending to fromBytes($name) continues the stream', (g) => {
    // Build the first half in one chunk, reload its bytes, append the rest, compare with one-pass.
    const half = Math.ceil(g.samples.length / 2);
    const first = new XORChunk();
    for (const [t, b] of g.samples.slice(0, half)) first.appender().append(t, fromBits(b));
    const reopened = XORChunk.fromBytes(first.bytes().slice());
    for (const [t, b] of g.samples.slice(half)) reopened.appender().append(t, fromBits(b));
    expect(decode(reopened)).toEqual(g.samples.map(([t, b]) => [t, b]));
  });

  it('models the leading/trailing reset of Prometheus when no window was opened (§4.1)', () => {
    const first = new XORChunk();
    first.appender().append(0, 1);
    first.appender().append(10, 1);
    const reopened = XORChunk.fromBytes(first.bytes().slice());
    reopened.appender().append(20, 2);
    const onePass = new XORChunk();
    for (const [t, v] of [
      [0, 1],
      [10, 1],
      [20, 2],
    ] as const)
      onePass.appender().append(t, v);
    // Same samples, different bytes: '10' + 64 raw bits instead of a new window.
    expect(decode(reopened)).toEqual(decode(onePass));
    expect(hex(reopened.bytes())).not.toBe(hex(onePass.bytes()));
    expect(reopened.bytes().length).toBeGreaterThan(onePass.bytes().length);
  });

  it('an empty reopened chunk encodes like a fresh one', () => {
    const reopened = XORChunk.fromBytes(new Uint8Array([0, 0]));
    const fresh = new XORChunk();
    for (const [t, v] of [
      [1000, 1],
      [16000, 2],
      [31000, 3],
    ] as const) {
      reopened.appender().append(t, v);
      fresh.appender().append(t, v);
    }
    expect(hex(reopened.bytes())).toBe(hex(fresh.bytes()));
  });

  it('does not modify the bytes it was loaded from', () => {
    const src = new XORChunk();
    src.appender().append(0, 1);
    const bytes = src.bytes().slice();
    const copy = bytes.slice();
    XORChunk.fromBytes(bytes).appender().append(10, 2);
    expect(bytes).toEqual(copy);
  });
});

describe('encoder state held outside the chunk (appendXOR)', () => {
  const fresh = (): XOREncoderState => ({ lastT: 0, prevDelta: 0, vhi: 0, vlo: 0, window: XOR_NO_WINDOW });

  it.each(GOLDEN)('writes the golden bytes of $name', (g) => {
    const c = new XORChunk();
    const st = fresh();
    for (const [t, b] of g.samples) appendXOR(c, st, t, fromBits(b));
    expect(hex(c.bytes())).toBe(g.hex);
    // The state keeps the last value's bits as signed words: small integers, never boxed doubles.
    for (const x of [st.vhi, st.vlo, st.window]) expect(x | 0).toBe(x);
  });

  it.each(GOLDEN.filter((g) => g.samples.length >= 2))('resume() continues $name like the chunk appender', (g) => {
    const half = Math.ceil(g.samples.length / 2);
    const outside = new XORChunk();
    const st = fresh();
    for (const [t, b] of g.samples.slice(0, half)) appendXOR(outside, st, t, fromBits(b));
    // Sealed meanwhile: the bytes move to a slab and appending resumes from them.
    outside.compact();
    const again = fresh();
    outside.resume(again);
    // With no value window opened yet, resuming starts from the decoder's 0/0 (§4.1 quirk, as in
    // Prometheus): same samples, other bytes.
    const opened = st.window !== XOR_NO_WINDOW;
    expect(again).toEqual(opened ? st : { ...st, window: 0 });
    for (const [t, b] of g.samples.slice(half)) appendXOR(outside, again, t, fromBits(b));
    expect(decode(outside)).toEqual(g.samples.map(([t, b]) => [t, b]));
    if (opened) expect(hex(outside.bytes())).toBe(g.hex);
  });

  it("a chunk written through appendXOR rebuilds its own appender's state", () => {
    const c = new XORChunk();
    const st = fresh();
    for (let i = 0; i < 50; i++) appendXOR(c, st, i * 15000, Math.sin(i));
    const onePass = new XORChunk();
    for (let i = 0; i < 100; i++) onePass.appender().append(i * 15000, Math.sin(i));
    for (let i = 50; i < 100; i++) c.appender().append(i * 15000, Math.sin(i));
    expect(hex(c.bytes())).toBe(hex(onePass.bytes()));
  });
});

describe('adopt', () => {
  it("takes the other chunk's samples and appends after them, not after its own", () => {
    const a = new XORChunk();
    const b = new XORChunk();
    for (let i = 0; i < 10; i++) a.appender().append(i * 1000, i);
    for (let i = 0; i < 5; i++) b.appender().append(i * 2000, -i);
    b.compact();
    a.adopt(b);
    a.appender().append(20_000, 99);
    const want = new XORChunk();
    for (let i = 0; i < 5; i++) want.appender().append(i * 2000, -i);
    want.appender().append(20_000, 99);
    expect(decode(a)).toEqual(decode(want));
  });
});

describe('memory', () => {
  it('compact() trims spare capacity without changing bytes', () => {
    const c = new XORChunk();
    for (let i = 0; i < 120; i++) c.appender().append(i * 15000, i);
    const before = hex(c.bytes());
    c.compact();
    expect(c.allocatedBytes()).toBe(c.bytes().length);
    expect(c.byteLength()).toBe(c.bytes().length);
    expect(hex(c.bytes())).toBe(before);
  });

  it('compact() packs sealed chunks into a shared buffer without mixing their bytes', () => {
    const chunks = Array.from({ length: 50 }, (_, k) => {
      const c = new XORChunk();
      const app = c.appender();
      for (let i = 0; i < 30 + k; i++) app.append(i * 15000 + k, Math.sin(i + k));
      return c;
    });
    const want = chunks.map((c) => hex(c.bytes()));
    for (const c of chunks) c.compact();
    expect(chunks[1]!.bytes().buffer).toBe(chunks[0]!.bytes().buffer);
    expect(chunks.map((c) => hex(c.bytes()))).toEqual(want);
  });

  it('appending after compact() continues the same chunk', () => {
    const a = new XORChunk();
    const b = new XORChunk();
    for (let i = 0; i < 60; i++) a.appender().append(i * 15000, i * 1.5);
    for (let i = 0; i < 60; i++) b.appender().append(i * 15000, i * 1.5);
    a.compact();
    for (let i = 60; i < 120; i++) {
      a.appender().append(i * 15000, i * 1.5);
      b.appender().append(i * 15000, i * 1.5);
    }
    expect(hex(a.bytes())).toBe(hex(b.bytes()));
  });
});
