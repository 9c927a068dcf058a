import { describe, expect, it } from 'vitest';
import { LiteHeaders } from './lite-headers.js';

type Op = ['append' | 'set', string, string] | ['delete' | 'get' | 'has', string];

interface HeadersLike {
  append(n: string, v: string): void;
  set(n: string, v: string): void;
  delete(n: string): void;
  get(n: string): string | null;
  has(n: string): boolean;
  getSetCookie(): string[];
  forEach(cb: (v: string, n: string) => void): void;
  [Symbol.iterator](): Iterator<[string, string]>;
}

/** Everything observable after running the ops: results (or the error's type) and the final state. */
function observe(make: () => HeadersLike, ops: Op[]): unknown {
  let h: HeadersLike;
  try {
    h = make();
  } catch (err) {
    return { constructorThrew: (err as Error).name };
  }
  const results = ops.map((op) => {
    try {
      const [name, ...args] = op;
      return (h[name] as (...a: string[]) => unknown).apply(h, args) ?? 'void';
    } catch (err) {
      return `threw ${(err as Error).name}`;
    }
  });
  const viaForEach: [string, string][] = [];
  h.forEach((v, n) => {
    viaForEach.push([n, v]);
  });
  return { results, entries: [...h], viaForEach, setCookie: h.getSetCookie() };
}

// Each case runs on the real (undici) Headers and on LiteHeaders; both must agree on everything.
const cases: { name: string; init?: unknown; ops: Op[] }[] = [
  {
    name: 'empty',
    ops: [
      ['get', 'a'],
      ['has', 'a'],
    ],
  },
  {
    name: 'names are case-insensitive',
    ops: [
      ['set', 'Content-Type', 'x'],
      ['get', 'content-type'],
      ['has', 'CONTENT-TYPE'],
    ],
  },
  {
    name: 'append joins with a comma',
    ops: [
      ['append', 'a', '1'],
      ['append', 'A', '2'],
      ['get', 'a'],
    ],
  },
  {
    name: 'set replaces',
    ops: [
      ['append', 'a', '1'],
      ['append', 'a', '2'],
      ['set', 'a', '3'],
      ['get', 'a'],
    ],
  },
  {
    name: 'delete',
    ops: [
      ['set', 'a', '1'],
      ['delete', 'A'],
      ['has', 'a'],
      ['get', 'a'],
    ],
  },
  {
    name: 'values are trimmed',
    ops: [
      ['set', 'a', ' \t x y \r\n'],
      ['get', 'a'],
    ],
  },
  {
    name: 'empty value',
    ops: [
      ['set', 'a', ''],
      ['get', 'a'],
      ['has', 'a'],
    ],
  },
  {
    name: 'iteration is sorted',
    ops: [
      ['set', 'z', '1'],
      ['set', 'b', '2'],
      ['set', 'M', '3'],
    ],
  },
  {
    name: 'set-cookie stays apart',
    ops: [
      ['append', 'set-cookie', 'a=1'],
      ['append', 'Set-Cookie', 'b=2'],
      ['get', 'set-cookie'],
      ['set', 'x', '1'],
    ],
  },
  {
    name: 'set-cookie set and delete',
    ops: [
      ['append', 'set-cookie', 'a'],
      ['set', 'set-cookie', 'b'],
      ['delete', 'set-cookie'],
    ],
  },
  {
    name: 'invalid name',
    ops: [
      ['set', 'a b', '1'],
      ['get', 'a:b'],
      ['has', ''],
      ['append', 'ü', '1'],
    ],
  },
  {
    name: 'invalid value',
    ops: [
      ['set', 'a', 'x\ny'],
      ['set', 'b', 'x\0'],
      ['get', 'a'],
    ],
  },
  {
    name: 'grpc-style names',
    ops: [
      ['set', 'grpc-status', '0'],
      ['set', 'connect-timeout-ms', '30000'],
    ],
  },
  { name: 'init from a record', init: { B: '2', a: '1', 'set-cookie': 'c' }, ops: [['get', 'b']] },
  {
    name: 'init from pairs',
    init: [
      ['a', '1'],
      ['A', '2'],
      ['b', '3'],
    ],
    ops: [['get', 'a']],
  },
  { name: 'init from a bad pair', init: [['a', '1', '2']], ops: [] },
  { name: 'init with a bad name', init: { 'a b': '1' }, ops: [] },
];

describe('LiteHeaders behaves as the Fetch API Headers', () => {
  it.each(cases)('$name', ({ init, ops }) => {
    const real = observe(() => new Headers(init as ConstructorParameters<typeof Headers>[0]), ops);
    const lite = observe(() => new LiteHeaders(init as never), ops);
    expect(lite).toEqual(real);
  });

  it('copies another LiteHeaders or a real Headers', () => {
    const src = new Headers([
      ['a', '1'],
      ['set-cookie', 'x'],
      ['set-cookie', 'y'],
    ]);
    expect([...new LiteHeaders(new LiteHeaders(src as never))]).toEqual([...src]);
  });
});
