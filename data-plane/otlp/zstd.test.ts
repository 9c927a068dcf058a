import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unzstd } from './zstd.js';

// fifty-gauges.json.zst: fifty-gauges.json compressed by the zstd 1.5.4 CLI (`zstd -3`), so real
// compressed blocks (Huffman literals, FSE sequences) and a checksum are covered.
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../test/fixtures/otlp/${name}`, import.meta.url)));
const json = fixture('fifty-gauges.json');
const zst = fixture('fifty-gauges.json.zst');

// Frames built by hand (RFC 8878): raw and RLE blocks need no entropy coder.
const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** Frame header: no single segment, no checksum, no dictionary, no content size; a window of 1 KiB << exp. */
const header = (windowExp = 0) => [...MAGIC, 0x00, windowExp << 3];
const block = (type: 0 | 1, size: number, last: boolean, bytes: number[]) => {
  const h = (last ? 1 : 0) | (type << 1) | (size << 3);
  return [h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, ...bytes];
};
const raw = (s: string, last = true) => {
  const b = [...new TextEncoder().encode(s)];
  return block(0, b.length, last, b);
};
const rle = (byte: number, n: number, last: boolean) => block(1, n, last, [byte]);
const u8 = (...parts: number[][]) => Uint8Array.from(parts.flat());
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** n RLE blocks of 128 KiB of zeros in one frame: about 4 bytes of body per 128 KiB of output. */
function bomb(blocks: number): Uint8Array {
  const parts = [header(7)];
  for (let i = 0; i < blocks; i++) parts.push(rle(0, 128 << 10, i === blocks - 1));
  return u8(...parts);
}

const LIMIT = 1 << 20;

describe('unzstd', () => {
  const ok: { name: string; body: Uint8Array; want: string | Uint8Array }[] = [
    { name: 'a zstd CLI frame with compressed blocks and a checksum', body: zst, want: json },
    { name: 'raw and RLE blocks', body: u8(header(), raw('ab', false), rle(0x63, 3, true)), want: 'abccc' },
    { name: 'two frames in a row', body: u8(header(), raw('ab'), header(), raw('cd')), want: 'abcd' },
    {
      name: 'a skippable frame is skipped',
      body: u8([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9], header(), raw('x')),
      want: 'x',
    },
    {
      name: 'single-segment frame with its content size',
      body: u8([...MAGIC, 0x20, 3], raw('xyz')),
      want: 'xyz',
    },
    { name: 'output exactly at the limit', body: bomb(8), want: new Uint8Array(LIMIT) },
  ];
  it.each(ok)('$name', ({ body, want }) => {
    const got = unzstd(body, LIMIT);
    if (typeof want === 'string') expect(text(got)).toBe(want);
    else expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
  });

  const bad: { name: string; body: Uint8Array; error: RegExp; tooLarge?: boolean }[] = [
    { name: 'empty', body: u8(), error: /empty/ },
    { name: 'not zstd', body: u8([1, 2, 3, 4, 5]), error: /not a zstd frame/ },
    { name: 'truncated header', body: u8(MAGIC), error: /truncated frame header/ },
    { name: 'truncated block', body: u8(header(), raw('abcdef')).subarray(0, 10), error: /truncated block/ },
    { name: 'no last block', body: u8(header(), raw('ab', false)), error: /truncated block header/ },
    { name: 'truncated CLI frame', body: zst.subarray(0, zst.length - 20), error: /truncated/ },
    {
      name: 'corrupt compressed block',
      body: (() => {
        const b = zst.slice();
        for (let i = 12; i < 40; i++) b[i] = 0xff;
        return b;
      })(),
      error: /./,
    },
    { name: 'reserved block type', body: u8(header(), [0x07, 0, 0]), error: /reserved block type/ },
    { name: 'a dictionary', body: u8([...MAGIC, 0x01, 0x50, 7], raw('x')), error: /dictionaries/ },
    {
      name: 'a bomb of RLE blocks stops one block past the limit',
      body: bomb(1000),
      error: /more than 1048576 bytes/,
      tooLarge: true,
    },
    {
      name: 'a declared content size above the limit is refused before decoding',
      body: u8([...MAGIC, 0xa0, 0, 0, 0, 0x40], raw('x')),
      error: /declares 1073741824 bytes/,
      tooLarge: true,
    },
    {
      name: 'a 2 GiB window is refused before it is allocated',
      body: u8(header(31 - 10), raw('x')),
      error: /window of 2147483648 bytes/,
      tooLarge: true,
    },
  ];
  it.each(bad)('refuses $name', ({ body, error, tooLarge }) => {
    let err: unknown;
    try {
      unzstd(body, LIMIT);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(error);
    expect((err as { tooLarge?: boolean }).tooLarge ?? false).toBe(tooLarge ?? false);
  });

  it('the bomb body is small: the limit, not the body size, stops it', () =>
    expect(bomb(1000).length).toBeLessThan(5000));
});
