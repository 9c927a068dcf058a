import { bench, describe } from 'vitest';
import { ValueType } from '../storage/index.js';
import { XORChunk } from './index.js';

// 120-sample chunks (what the head cuts) of a counter and of a noisy gauge, scraped every 15s.
const N = 120;
const T0 = 1_700_000_000_000;
const counter = Array.from({ length: N }, (_, i) => i * 37);
const gauge = Array.from({ length: N }, (_, i) => Math.sin(i) * 1000 + i / 7);

function build(values: number[]): XORChunk {
  const c = new XORChunk();
  const app = c.appender();
  for (let i = 0; i < N; i++) app.append(T0 + i * 15_000, values[i]!);
  return c;
}
const counterChunk = build(counter);
const gaugeChunk = build(gauge);

function drain(c: XORChunk): number {
  const it = c.iterator();
  let sum = 0;
  while (it.next() === ValueType.Float) sum += it.atV();
  return sum;
}

describe('XOR append (120 samples)', () => {
  bench('counter', () => {
    build(counter);
  });
  bench('gauge', () => {
    build(gauge);
  });
});

describe('XOR iterate (120 samples)', () => {
  bench('counter', () => {
    drain(counterChunk);
  });
  bench('gauge', () => {
    drain(gaugeChunk);
  });
});
