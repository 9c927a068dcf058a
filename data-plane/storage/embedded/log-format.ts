/**
 * Record format of the embedded store's append-only log. One record per write batch, so a batch is
 * replayed all or nothing:
 *
 *   record  = u32le payloadLength | u32le crc32(payload) | payload
 *   payload = op*
 *   op      = 0x01 uvarint(keyLen) key uvarint(valueLen) value          (put)
 *           | 0x02 flags uvarint(len) start? uvarint(len) end?           (delete range; flags bit0 = has
 *                                                                          start, bit1 = has end)
 *           | 0x03 uvarint(keyLen) key                                   (delete one key)
 *
 * A crash can leave a torn record at the tail; `decodeLog` stops at the first record whose length
 * or checksum does not hold and reports where the good prefix ends, so the file is cut there.
 */
import { crc32 } from 'node:zlib';

export const OP_PUT = 1;
export const OP_DELETE_RANGE = 2;
export const OP_DELETE_KEY = 3;
const HEADER_BYTES = 8;

export type LogOp =
  | { op: typeof OP_PUT; key: Uint8Array; value: Uint8Array }
  | { op: typeof OP_DELETE_RANGE; start: Uint8Array | undefined; end: Uint8Array | undefined }
  | { op: typeof OP_DELETE_KEY; key: Uint8Array };

function uvarintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}

function putUvarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

function opSize(o: LogOp): number {
  if (o.op === OP_PUT)
    return 1 + uvarintSize(o.key.length) + o.key.length + uvarintSize(o.value.length) + o.value.length;
  if (o.op === OP_DELETE_KEY) return 1 + uvarintSize(o.key.length) + o.key.length;
  let s = 2;
  if (o.start) s += uvarintSize(o.start.length) + o.start.length;
  if (o.end) s += uvarintSize(o.end.length) + o.end.length;
  return s;
}

/** Encodes one batch as one framed record. */
export function encodeRecord(ops: readonly LogOp[]): Uint8Array {
  let size = 0;
  for (const o of ops) size += opSize(o);
  const buf = new Uint8Array(HEADER_BYTES + size);
  let p = HEADER_BYTES;
  for (const o of ops) {
    buf[p++] = o.op;
    if (o.op === OP_PUT) {
      p = putUvarint(buf, p, o.key.length);
      buf.set(o.key, p);
      p += o.key.length;
      p = putUvarint(buf, p, o.value.length);
      buf.set(o.value, p);
      p += o.value.length;
    } else if (o.op === OP_DELETE_KEY) {
      p = putUvarint(buf, p, o.key.length);
      buf.set(o.key, p);
      p += o.key.length;
    } else {
      buf[p++] = (o.start ? 1 : 0) | (o.end ? 2 : 0);
      for (const b of [o.start, o.end]) {
        if (!b) continue;
        p = putUvarint(buf, p, b.length);
        buf.set(b, p);
        p += b.length;
      }
    }
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setUint32(0, size, true);
  view.setUint32(4, crc32(buf.subarray(HEADER_BYTES)), true);
  return buf;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  uvarint(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new RangeError('truncated varint');
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
    }
  }
  bytes(): Uint8Array {
    const n = this.uvarint();
    if (this.pos + n > this.buf.length) throw new RangeError('truncated bytes');
    // Copy: the file buffer is large and must not be pinned by a few small keys.
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function decodePayload(payload: Uint8Array, apply: (o: LogOp) => void): void {
  const r = new Reader(payload);
  const ops: LogOp[] = [];
  while (r.pos < payload.length) {
    const op = payload[r.pos++];
    if (op === OP_PUT) {
      const key = r.bytes();
      ops.push({ op: OP_PUT, key, value: r.bytes() });
    } else if (op === OP_DELETE_KEY) {
      ops.push({ op: OP_DELETE_KEY, key: r.bytes() });
    } else if (op === OP_DELETE_RANGE) {
      const flags = payload[r.pos++]!;
      const start = flags & 1 ? r.bytes() : undefined;
      const end = flags & 2 ? r.bytes() : undefined;
      ops.push({ op: OP_DELETE_RANGE, start, end });
    } else {
      throw new RangeError(`unknown op ${op}`);
    }
  }
  // Apply only after the whole record parsed: a batch is all or nothing.
  for (const o of ops) apply(o);
}

/**
 * Replays every intact record of `file` through `apply`, in order. Returns the byte length of the
 * intact prefix; anything after it is a torn or corrupt tail.
 */
export function decodeLog(file: Uint8Array, apply: (o: LogOp) => void): number {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let pos = 0;
  while (pos + HEADER_BYTES <= file.length) {
    const len = view.getUint32(pos, true);
    const sum = view.getUint32(pos + 4, true);
    const end = pos + HEADER_BYTES + len;
    if (end > file.length) break;
    const payload = file.subarray(pos + HEADER_BYTES, end);
    if (crc32(payload) !== sum) break;
    try {
      decodePayload(payload, apply);
    } catch {
      break;
    }
    pos = end;
  }
  return pos;
}
