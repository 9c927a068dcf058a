import { describe, expect, it } from 'vitest';
import { BadDataError } from '../model/index.js';
import { snappyDecode, snappyDecodedLength, snappyEncode } from './index.js';
import { seededRandom } from './test-rng.js';

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const MAX = 1 << 20;

// Hand-assembled from the block-format description (tag byte layouts in snappy.ts).
const goldens: { name: string; compressed: number[]; plain: number[] }[] = [
  { name: 'empty input', compressed: [0x00], plain: [] },
  { name: 'one-byte literal', compressed: [0x01, 0x00, 0x61], plain: ascii('a') },
  {
    name: 'literal then overlapping 1-byte-offset copy',
    compressed: [0x0c, 0x0c, ...ascii('abcd'), 0x11, 0x04],
    plain: ascii('abcdabcdabcd'),
  },
  { name: 'run length via offset 1', compressed: [0x0a, 0x00, 0x61, 0x15, 0x01], plain: ascii('aaaaaaaaaa') },
  { name: '2-byte-offset copy', compressed: [0x06, 0x08, ...ascii('abc'), 0x0a, 0x03, 0x00], plain: ascii('abcabc') },
  {
    name: '4-byte-offset copy',
    compressed: [0x06, 0x08, ...ascii('abc'), 0x0b, 0x03, 0x00, 0x00, 0x00],
    plain: ascii('abcabc'),
  },
  {
    name: 'literal with a 1-byte length extension (tag 60)',
    compressed: [0x64, 0xf0, 99, ...Array.from({ length: 100 }, (_, i) => i)],
    plain: Array.from({ length: 100 }, (_, i) => i),
  },
  {
    name: 'two-byte preamble (200 bytes) with a long copy',
    compressed: [0xc8, 0x01, 0x00, 0x7a, 0xfe, 0x01, 0x00, 0xfe, 0x01, 0x00, 0xfe, 0x01, 0x00, 0x1a, 0x01, 0x00],
    plain: Array.from({ length: 200 }, () => 0x7a),
  },
];

const corrupt: { name: string; input: number[]; message: string }[] = [
  { name: 'empty body', input: [], message: 'truncated length preamble' },
  { name: 'truncated preamble', input: [0x80], message: 'truncated length preamble' },
  { name: 'preamble over 5 bytes', input: [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], message: 'longer than 5 bytes' },
  { name: 'preamble over 32 bits', input: [0xff, 0xff, 0xff, 0xff, 0x7f], message: 'exceeds 32 bits' },
  {
    name: 'literal overruns input',
    input: [0x05, 0x10, 0x61],
    message: 'literal of 5 bytes overruns the input at byte 1',
  },
  { name: 'literal longer than declared', input: [0x01, 0x04, 0x61, 0x62], message: 'overruns the declared length' },
  { name: 'truncated literal length', input: [0x64, 0xf0], message: 'truncated literal length' },
  { name: 'copy offset zero', input: [0x05, 0x00, 0x61, 0x01, 0x00], message: 'copy offset 0 outside' },
  { name: 'copy offset before start', input: [0x05, 0x00, 0x61, 0x01, 0x02], message: 'copy offset 2 outside' },
  { name: 'copy past declared length', input: [0x03, 0x00, 0x61, 0x01, 0x01], message: 'copy overruns' },
  { name: 'truncated 2-byte copy', input: [0x05, 0x00, 0x61, 0x0a, 0x01], message: 'truncated copy' },
  { name: 'truncated 4-byte copy', input: [0x05, 0x00, 0x61, 0x0b, 0x01, 0x00], message: 'truncated copy' },
  {
    name: 'output shorter than declared',
    input: [0x05, 0x00, 0x61],
    message: 'decoded 1 bytes but the preamble declared 5',
  },
];

describe('snappy', () => {
  it.each(goldens)('decodes golden: $name', ({ compressed, plain }) => {
    expect([...snappyDecode(Uint8Array.from(compressed), MAX)]).toEqual(plain);
  });

  it.each(goldens.slice(0, 4))('encodes golden: $name', ({ compressed, plain }) => {
    expect([...snappyEncode(Uint8Array.from(plain))]).toEqual(compressed);
  });

  it.each(corrupt)('rejects corrupt input: $name', ({ input, message }) => {
    const run = () => snappyDecode(Uint8Array.from(input), MAX);
    expect(run).toThrow(BadDataError);
    expect(run).toThrow(message);
  });

  it('checks the declared length against the limit before allocating', () => {
    // 0xffffffff declared, 5 bytes of body: must fail on the limit, not try to allocate 4 GiB.
    const bomb = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(snappyDecodedLength(bomb)).toBe(0xffffffff);
    expect(() => snappyDecode(bomb, MAX)).toThrow(/exceeds the limit of 1048576 bytes.*err-cortex-request-too-large/);
  });

  it('accepts a body exactly at the limit', () => {
    const plain = new Uint8Array(1000).fill(7);
    expect(snappyDecode(snappyEncode(plain), 1000)).toEqual(plain);
    expect(() => snappyDecode(snappyEncode(plain), 999)).toThrow(BadDataError);
  });

  const shapes = ['random', 'repetitive', 'text-like', 'runs'] as const;
  it.each(shapes.flatMap((shape) => [1, 2, 3, 4, 5].map((seed) => ({ shape, seed }))))(
    'round-trips $shape data (seed $seed)',
    ({ shape, seed }) => {
      const rnd = seededRandom(seed);
      const n = Math.floor(rnd() * 200_000);
      const data = new Uint8Array(n);
      const words = ['node_cpu_seconds_total', 'instance', 'host-17.example.com:9100', 'mode', 'idle', 'job'];
      let i = 0;
      while (i < n) {
        if (shape === 'random') data[i++] = Math.floor(rnd() * 256);
        else if (shape === 'runs') {
          const b = Math.floor(rnd() * 4);
          const len = 1 + Math.floor(rnd() * 300);
          for (let k = 0; k < len && i < n; k++) data[i++] = b;
        } else if (shape === 'repetitive' && i > 10 && rnd() < 0.7) {
          const off = 1 + Math.floor(rnd() * Math.min(i, 70_000));
          const len = 1 + Math.floor(rnd() * 100);
          for (let k = 0; k < len && i < n; k++, i++) data[i] = data[i - off]!;
        } else {
          const w = words[Math.floor(rnd() * words.length)]!;
          for (let k = 0; k < w.length && i < n; k++) data[i++] = w.charCodeAt(k);
        }
      }
      const enc = snappyEncode(data);
      if (shape !== 'random' && n > 1000) expect(enc.length).toBeLessThan(n / 2);
      // Buffer.equals instead of toEqual: a deep compare of 200k elements dominates the test time.
      expect(Buffer.from(snappyDecode(enc, n)).equals(Buffer.from(data))).toBe(true);
    },
  );

  it('never throws anything but BadDataError on mutated input', () => {
    const rnd = seededRandom(42);
    const plain = new TextEncoder().encode('up{job="node",instance="a"} '.repeat(500));
    const enc = snappyEncode(plain);
    for (let iter = 0; iter < 2000; iter++) {
      const m = enc.slice(0, 1 + Math.floor(rnd() * enc.length));
      for (let k = 0; k < 3; k++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
      try {
        snappyDecode(m, plain.length * 2);
      } catch (e) {
        expect(e).toBeInstanceOf(BadDataError);
      }
    }
  });
});
