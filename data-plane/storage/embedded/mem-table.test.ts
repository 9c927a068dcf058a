import { describe, expect, it } from 'vitest';
import { type Bounds, toBounds } from '../kv/index.js';
import { MemTable } from './mem-table.js';

/** A deterministic generator (xorshift), so a failing sequence replays. */
function rng(seed: number) {
  let x = seed;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const key = (i: number) => Uint8Array.of(0x61, i >> 8, i & 0xff, 0xff);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The reference: every live entry, sorted on demand. */
class Model {
  readonly m = new Map<string, Uint8Array>();
  inRange(b: Bounds): [string, string][] {
    return [...this.m]
      .filter(([k]) => {
        const kb = Buffer.from(k, 'hex');
        return (
          (b.start === undefined || Buffer.compare(kb, b.start) >= 0) &&
          (b.end === undefined || Buffer.compare(kb, b.end) < 0)
        );
      })
      .sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')))
      .map(([k, v]) => [k, hex(v)]);
  }
}

function rows(t: MemTable, b: Bounds, limit = 0): [string, string][] {
  const out: [string, string][] = [];
  t.scan(b, limit, (k, v) => out.push([hex(k), hex(v)]));
  return out;
}

describe('MemTable against a reference map', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'random puts, overwrites, deletes, range deletes and scans agree (seed %i)',
    (seed) => {
      const r = rng(seed * 7919);
      const t = new MemTable();
      const model = new Model();
      for (let step = 0; step < 3000; step++) {
        const op = r(100);
        const i = r(400);
        if (op < 45) {
          const v = Uint8Array.of(step & 0xff, r(256));
          t.put(key(i), v);
          model.m.set(hex(key(i)), v);
        } else if (op < 70) {
          t.delete(key(i));
          model.m.delete(hex(key(i)));
        } else if (op < 73) {
          const b = toBounds({ start: key(i), end: key(i + r(20)) });
          t.deleteRange(b);
          for (const [k] of model.inRange(b)) model.m.delete(k);
        } else if (op < 88) {
          const b = toBounds({ start: key(i), end: key(i + r(40)) });
          const limit = r(3) === 0 ? 1 + r(5) : 0;
          const want = model.inRange(b);
          expect(rows(t, b, limit)).toEqual(limit > 0 ? want.slice(0, limit) : want);
        } else if (op < 97) {
          // ordered, disjoint ranges, one per "series"
          const bounds: Bounds[] = [];
          for (let s = i, n = 1 + r(20); n > 0 && s < 420; n--, s += 1 + r(15)) {
            bounds.push(toBounds({ start: key(s), end: key(s + 1 + r(3)) }));
          }
          const disjoint: Bounds[] = [];
          for (const b of bounds) {
            const last = disjoint[disjoint.length - 1];
            if (last === undefined || Buffer.compare(last.end!, b.start!) <= 0) disjoint.push(b);
          }
          const limit = r(4) === 0 ? 1 + r(10) : 0;
          const want = disjoint.flatMap((b) => model.inRange(b));
          const got: [string, string][] = [];
          t.scanOrdered(disjoint, limit, (k, v) => got.push([hex(k), hex(v)]));
          expect(got).toEqual(limit > 0 ? want.slice(0, limit) : want);
        } else {
          expect(t.get(key(i)) && hex(t.get(key(i))!)).toEqual(
            model.m.has(hex(key(i))) ? hex(model.m.get(hex(key(i)))!) : undefined,
          );
        }
        expect(t.size).toBe(model.m.size);
      }
      expect([...t.entries()].map(([k, v]) => [hex(k), hex(v)])).toEqual(model.inRange(toBounds({})));
      let bytes = 0;
      for (const [k, v] of model.m) bytes += k.length / 2 + v.length;
      expect(t.liveBytes).toBe(bytes);
    },
  );

  it('rebuilds after many single deletes and keeps every survivor', () => {
    const t = new MemTable();
    for (let i = 0; i < 5000; i++) t.put(key(i), Uint8Array.of(i & 0xff));
    t.scan(toBounds({}), 1, () => {}); // merge the pending keys
    for (let i = 0; i < 5000; i += 2) t.delete(key(i));
    const left = rows(t, toBounds({}));
    expect(left).toHaveLength(2500);
    expect(left[0]![0]).toBe(hex(key(1)));
  });
});
