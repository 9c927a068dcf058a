import { describe, expect, it } from 'vitest';
import { ByteBuilder, ByteReader } from './records.js';

/** What `str` must write: the UTF-8 byte length as a uvarint, then the UTF-8 bytes. */
function expected(s: string): number[] {
  const bytes = [...Buffer.from(s, 'utf8')];
  const len: number[] = [];
  let n = bytes.length;
  while (n >= 0x80) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return [...len, ...bytes];
}

describe('ByteBuilder.str', () => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['a label name', '__name__'],
    ['127 ASCII characters (one length byte)', 'x'.repeat(127)],
    ['128 ASCII characters (two length bytes)', 'y'.repeat(128)],
    ['non-ASCII at the start', 'é-value'],
    ['non-ASCII at the end, after ASCII the fast path had copied', 'value-ü'],
    ['an emoji (surrogate pair)', 'up 🚀'],
    ['a lone surrogate (written as U+FFFD, as Buffer does)', 'a\ud800b'],
    ['a DEL and a NUL (ASCII control characters)', '\u007f\u0000'],
  ];

  it.each(cases)('%s', (_, s) => {
    const b = new ByteBuilder(2); // tiny, so the fast path has to grow the buffer too
    b.uvarint(300);
    b.str(s);
    b.str('after');
    const out = [...b.buf.subarray(0, b.len)];
    expect(out).toEqual([0xac, 0x02, ...expected(s), ...expected('after')]);
    const r = new ByteReader(Buffer.from(out));
    expect(r.uvarint()).toBe(300);
    expect(r.str()).toBe(Buffer.from(s, 'utf8').toString('utf8'));
    expect(r.str()).toBe('after');
  });
});
