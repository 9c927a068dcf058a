import { Decompress } from 'fzstd';

/**
 * Zstandard (RFC 8878) decompression with an output limit, for `Content-Encoding: zstd`.
 *
 * fzstd decodes block by block, and a block is at most 128 KiB, so counting its output stops a bomb
 * within one block of the limit. Before that, the frame headers and block headers are walked (they
 * carry sizes, so this needs no decoding): fzstd allocates each frame's window up front, so a tiny
 * body declaring a 2 GiB window, or a content size above the limit, is refused there. Dictionaries
 * are not supported (OTLP senders do not use them).
 */
export class ZstdError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

const MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE = 0x184d2a50;
/** Windows up to this size are accepted even under a smaller output limit (common encoder defaults are 8 MiB). */
const MIN_WINDOW_ALLOWED = 8 << 20;

export function unzstd(body: Uint8Array, limit: number): Uint8Array {
  checkFrames(body, limit);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const d = new Decompress((chunk) => {
    total += chunk.length;
    if (total > limit) throw new ZstdError(`decompresses to more than ${limit} bytes`, true);
    if (chunk.length > 0) chunks.push(chunk);
  });
  try {
    d.push(body, true);
  } catch (err) {
    if (err instanceof ZstdError) throw err;
    throw new ZstdError((err as Error).message || 'invalid zstd data');
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Walks every frame's header and block headers: structure, window size, declared content size. */
function checkFrames(b: Uint8Array, limit: number): void {
  if (b.length === 0) throw new ZstdError('empty body');
  let at = 0;
  while (at < b.length) {
    const magic = u32(b, at);
    if (magic === undefined) throw new ZstdError('truncated frame header');
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE) {
      const size = u32(b, at + 4);
      if (size === undefined || at + 8 + size > b.length) throw new ZstdError('truncated skippable frame');
      at += 8 + size;
      continue;
    }
    if (magic !== MAGIC) throw new ZstdError(`not a zstd frame at byte ${at}`);
    at = checkFrame(b, at + 4, limit);
  }
}

function checkFrame(b: Uint8Array, at: number, limit: number): number {
  const fhd = b[at++];
  if (fhd === undefined) throw new ZstdError('truncated frame header');
  if (fhd & 0x08) throw new ZstdError('reserved bit set in the frame header');
  const singleSegment = (fhd >> 5) & 1;
  const checksum = (fhd >> 2) & 1;
  const dictBytes = [0, 1, 2, 4][fhd & 3]!;
  const fcsFlag = fhd >> 6;
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  let window = 0;
  if (!singleSegment) {
    const wd = b[at++];
    if (wd === undefined) throw new ZstdError('truncated frame header');
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
  }
  if (at + dictBytes + fcsBytes > b.length) throw new ZstdError('truncated frame header');
  let dict = 0;
  for (let i = 0; i < dictBytes; i++) dict += b[at + i]! * 2 ** (8 * i);
  if (dict !== 0) throw new ZstdError('zstd dictionaries are not supported');
  at += dictBytes;
  let contentSize = -1;
  if (fcsBytes > 0) {
    contentSize = 0;
    for (let i = 0; i < fcsBytes; i++) contentSize += b[at + i]! * 2 ** (8 * i);
    if (fcsBytes === 2) contentSize += 256;
    at += fcsBytes;
    if (contentSize > limit) throw new ZstdError(`declares ${contentSize} bytes of content`, true);
  }
  if (singleSegment) window = contentSize;
  if (window > Math.max(limit, MIN_WINDOW_ALLOWED)) {
    throw new ZstdError(`declares a window of ${window} bytes, more than this tenant's limit`, true);
  }
  for (;;) {
    if (at + 3 > b.length) throw new ZstdError('truncated block header');
    const h = b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
    at += 3;
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    if (type === 3) throw new ZstdError('reserved block type');
    at += type === 1 ? 1 : size;
    if (at > b.length) throw new ZstdError('truncated block');
    if (h & 1) break;
  }
  at += checksum * 4;
  if (at > b.length) throw new ZstdError('truncated frame checksum');
  return at;
}

function u32(b: Uint8Array, at: number): number | undefined {
  if (at + 4 > b.length) return undefined;
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}
