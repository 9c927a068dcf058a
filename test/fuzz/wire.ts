/**
 * Byte-level building blocks of the binary fuzz targets: a protobuf writer that can say what a correct
 * encoder never does (64-bit values beyond 2^53 as bigints, over-long varints, lengths that lie), a
 * snappy block that inflates 21× and one whose header lies, and byte mutations of a whole body.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { pick, type Size } from './harness.js';

/** A protobuf message under construction; nested messages are written with `message(field, w)`. */
export class RawProto {
  private parts: Uint8Array[] = [];

  varint(field: number, v: number | bigint): this {
    return this.key(field, 0).rawVarint(v);
  }
  /** A signed varint the way protobuf's int64 writes a negative: 10 bytes, two's complement. */
  int64(field: number, v: number | bigint): this {
    const b = BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));
    return this.key(field, 0).rawVarint(b);
  }
  double(field: number, v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    return this.key(field, 1).push(b);
  }
  fixed64(field: number, v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, v));
    return this.key(field, 1).push(b);
  }
  bytes(field: number, v: Uint8Array | string): this {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    return this.key(field, 2).rawVarint(b.length).push(b);
  }
  message(field: number, m: RawProto): this {
    return this.bytes(field, m.finish());
  }
  /** Packed repeated varints (remote write 2.0's label references). */
  packed(field: number, vs: (number | bigint)[]): this {
    const inner = new RawProto();
    for (const v of vs) inner.rawVarint(v);
    return this.bytes(field, inner.finish());
  }
  /** A field whose length prefix claims `claimed` bytes while `body` follows. */
  lyingLength(field: number, claimed: number | bigint, body: Uint8Array): this {
    return this.key(field, 2).rawVarint(claimed).push(body);
  }
  raw(b: Uint8Array): this {
    return this.push(b);
  }
  finish(): Uint8Array {
    return Buffer.concat(this.parts);
  }

  private key(field: number, wireType: number): this {
    return this.rawVarint(BigInt(field) * 8n + BigInt(wireType));
  }
  /** A bare varint, no field key (a snappy header, an inner packed value). */
  rawVarint(v: number | bigint): this {
    let x = BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));
    const out: number[] = [];
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      out.push(byte);
    } while (x !== 0n);
    return this.push(Uint8Array.from(out));
  }
  private push(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }
}

/**
 * Timestamps in milliseconds: mostly the last hour (so a valid body is accepted), then the edges the
 * contract says must be rejected rather than rounded: 0, negative, 2^53 and beyond, the int64 limits.
 */
export function timestampMs(now: number): fc.Arbitrary<bigint> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: 0, max: 3_600_000 }).map((d) => BigInt(now - d)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 600_000 }).map((d) => BigInt(now + d)) },
    {
      weight: 2,
      arbitrary: pick(
        0n,
        -1n,
        1n,
        2n ** 53n - 1n,
        2n ** 53n,
        2n ** 53n + 1n,
        2n ** 63n - 1n,
        -(2n ** 63n),
        2n ** 64n - 1n,
        BigInt(now) * 1000n,
        BigInt(now) * 1_000_000n,
      ),
    },
  );
}

/** Sample values: ordinary ones, then NaN (incl. the stale marker's bit pattern), ±Inf, -0, extremes. */
export const sampleValue = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  {
    weight: 2,
    arbitrary: pick(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      2 ** 53 + 2,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      -Number.MAX_VALUE,
    ),
  },
  { weight: 1, arbitrary: fc.double() },
);

/**
 * A snappy block of `literal` then copies of 64 bytes at offset 1: ~21× expansion per body byte, with
 * a header that tells the truth or lies (0, too small, 2^32, the int64 limit).
 */
export function snappyBomb(bodyBytes: number, header: 'true' | 'small' | 'huge'): Uint8Array {
  const copies = Math.max(1, Math.floor(bodyBytes / 3));
  const decoded = 1 + copies * 64;
  const claimed = header === 'true' ? decoded : header === 'small' ? 10 : 2 ** 32;
  const head = new RawProto().rawVarint(claimed);
  const literal = Uint8Array.from([0x00, 0x61]); // one literal byte 'a'
  const copy = Uint8Array.from([(63 << 2) | 2, 1, 0]); // copy-2: length 64, offset 1
  const out = Buffer.alloc(copies * 3);
  for (let i = 0; i < copies; i++) out.set(copy, i * 3);
  return Buffer.concat([head.finish(), literal, out]);
}

let gzipBombCache: Uint8Array | undefined;
/**
 * 256 MiB of zeros in ~260 kB: 256 gzip members of 1 MiB each, concatenated (a gzip stream may hold
 * several members, and gunzip inflates them all); cheaper to build than one 256 MiB member.
 */
export function gzipBomb(): Uint8Array {
  if (gzipBombCache === undefined) {
    const member = gzipSync(Buffer.alloc(1 << 20), { level: 9 });
    gzipBombCache = Buffer.concat(Array.from({ length: 256 }, () => member));
  }
  return gzipBombCache;
}

export type ByteMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'bytes'; at: number; bytes: Uint8Array }
  | { kind: 'varint'; at: number; big: boolean }
  | { kind: 'repeat'; at: number; len: number; to: number };

/** How far a `repeat` grows a binary body, by size class (see `Size`). */
const BYTE_REPEAT_TO: Record<Size, number> = { common: 16 << 10, big: 256 << 10 };

const byteRepeat = (size: Size): fc.Arbitrary<ByteMutation> =>
  fc.record({
    kind: fc.constant('repeat' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 32 }),
    to: fc.constant(BYTE_REPEAT_TO[size]),
  });

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('varint' as const), at: fc.nat(), big: fc.boolean() }),
  byteRepeat('common'),
);

/**
 * Mutations of a binary body: truncation, bit flips, inserted bytes, over-long varints, repetitions.
 * `common`: 1–3 of them, a repetition reaching 16 KiB; `big`: a repetition to 256 kB among 0–2 others.
 */
export function byteMutations(size: Size = 'common'): fc.Arbitrary<ByteMutation[]> {
  if (size === 'common') return fc.array(byteMutation, { minLength: 1, maxLength: 3 });
  return fc
    .tuple(byteRepeat('big'), fc.array(byteMutation, { maxLength: 2 }), fc.nat())
    .map(([b, ms, at]) => [...ms.slice(0, at % (ms.length + 1)), b, ...ms.slice(at % (ms.length + 1))]);
}

export function applyMutations(body: Uint8Array, ms: ByteMutation[]): Uint8Array {
  let b = Buffer.from(body);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.kind) {
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'flip':
        if (b.length > 0) {
          b = Buffer.from(b);
          const i = at % b.length;
          b[i] = b[i]! ^ (1 << m.bit);
        }
        break;
      case 'bytes':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'varint': {
        // an 11-byte varint (never ends within 64 bits) or a 10-byte one of 2^64-1: a huge length or value
        const v = m.big ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01] : Array(11).fill(0x80);
        b = Buffer.concat([b.subarray(0, at), Uint8Array.from(v), b.subarray(at)]);
        break;
      }
      case 'repeat': {
        const piece = b.subarray(at, at + m.len);
        if (piece.length > 0) {
          const times = Math.floor(m.to / piece.length);
          b = Buffer.concat([b.subarray(0, at), Buffer.alloc(piece.length * times, piece), b.subarray(at)]);
        }
        break;
      }
    }
  }
  return new Uint8Array(b);
}
