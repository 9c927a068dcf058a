/**
 * Regressions found by the query API fuzz test (test/integration/promql-fuzz.test.ts, issue #25): every
 * input the parser or the engine rejects is rejected with the right CortexError kind (bad_data for a
 * wrong query, execution for a legal query that cannot be evaluated), never with a JS builtin's error
 * that the API would answer with a 500.
 */

import { describe, expect, it, vi } from 'vitest';
import { CortexError, type ErrorKind, type FloatHistogram, Labels } from '../model/index.js';
import { MemoryStorage } from '../storage/memory/index.js';
import { Engine } from './engine.js';
import { unquoteString } from './literals.js';
import { lezerParser as lezer, MAX_QUERY_LENGTH, parseExpr } from './parser.js';

/** A chain as long as the length limit allows: lezer builds its tree one stack frame per operator. */
const longChain = (op: string) => {
  const n = Math.floor((MAX_QUERY_LENGTH + op.length) / (1 + op.length));
  return Array.from({ length: n }, () => '1').join(op);
};

interface Case {
  name: string;
  query: string;
  kind: ErrorKind;
  /** A substring of the message. */
  message: string;
}

const parseCases: Case[] = [
  { name: 'a long + chain', query: longChain('+'), kind: 'bad_data', message: 'parse error' },
  { name: 'a long and chain', query: longChain(' and '), kind: 'bad_data', message: 'parse error' },
  { name: 'a long ^ chain', query: longChain('^'), kind: 'bad_data', message: 'parse error' },
  {
    name: '\\U escape past U+10FFFF',
    query: 'up{a="\\U00110000"}',
    kind: 'bad_data',
    message: "invalid Unicode code point in escape sequence '\\U00110000'",
  },
  {
    name: '\\U escape far past U+10FFFF',
    query: 'label_replace(up, "a", "\\UFFFFFFFF", "b", "")',
    kind: 'bad_data',
    message: 'invalid Unicode code point',
  },
  {
    name: '\\u escape of a surrogate half',
    query: 'up{a="\\uD800"}',
    kind: 'bad_data',
    message: "invalid Unicode code point in escape sequence '\\uD800'",
  },
  { name: 'octal escape past 255', query: 'up{a="\\777"}', kind: 'bad_data', message: "invalid octal escape '\\777'" },
  {
    name: 'quoted label name with a bad escape',
    query: '{"\\U00110000"="x"}',
    kind: 'bad_data',
    message: 'invalid Unicode code point',
  },
];

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('parse errors are bad_data, whatever the input', () => {
  it.each(parseCases)('$name', ({ query, kind, message }) => {
    const err = errorOf(() => parseExpr(query));
    expect(err).toBeInstanceOf(CortexError);
    expect(err).toMatchObject({ kind });
    expect((err as Error).message).toContain(message);
  });

  // Where lezer's recursive tree building runs out of stack depends on the thread's stack size (about
  // 2,400 operators in a vitest worker, 20,000 on a main thread): every length parses or is bad_data.
  it.each([200, 1_000, 2_000, 2_300, 2_400, 2_500, 2_600, 2_700, 3_000, 6_000, 12_000, 20_000, 30_000])(
    'a chain of %i operators parses or is bad_data',
    (n) => {
      for (const [op, x] of [
        [' + ', 'up'],
        [' > bool ', 'up'],
        [' and ', 'up'],
        [' - ', '1'],
      ] as const) {
        const q = Array.from({ length: n }, () => x).join(op);
        if (q.length > MAX_QUERY_LENGTH) continue;
        try {
          parseExpr(q);
        } catch (err) {
          expect(err, `${n} × ${op}`).toBeInstanceOf(CortexError);
          expect(err).toMatchObject({ kind: 'bad_data' });
        }
      }
    },
  );

  it('reports a stack overflow inside lezer as bad_data', () => {
    const spy = vi.spyOn(lezer, 'parse').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    try {
      const err = errorOf(() => parseExpr('up + up'));
      expect(err).toBeInstanceOf(CortexError);
      expect(err).toMatchObject({ kind: 'bad_data' });
      expect((err as Error).message).toBe(
        '1:1: parse error: query is too complex to parse (Maximum call stack size exceeded)',
      );
    } finally {
      spy.mockRestore();
    }
  });

  it.each([
    ['\\u00e9', 'é'],
    ['\\U0001F600', '😀'],
    ['\\uFFFF', '\uFFFF'],
    ['\\U0010FFFF', '\u{10FFFF}'],
    // a lone byte is not UTF-8: kept as U+DC00+byte (see unquoteString), which encodes as U+FFFD
    ['\\377', '\uDCFF'],
    ['\\101', 'A'],
  ])('still unquotes the valid escape %s', (esc, want) => {
    expect(unquoteString(`"${esc}"`)).toBe(want);
  });
});

function hist(k: number): FloatHistogram {
  return {
    counterResetHint: 'unknown',
    schema: 0,
    zeroThreshold: 0.001,
    zeroCount: k,
    count: 3 * k,
    sum: 2 * k,
    positiveSpans: [{ offset: 0, length: 2 }],
    negativeSpans: [],
    positiveBuckets: [k, k],
    negativeBuckets: [],
  };
}

async function storage(): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const app = s.appender();
  for (let i = 0; i <= 40; i++) {
    app.append(Labels.fromObject({ __name__: 'x_total', job: 'a' }), i * 15_000, i);
    app.appendHistogram(Labels.fromObject({ __name__: 'h', job: 'a' }), i * 15_000, hist(i + 1));
  }
  await app.commit();
  return s;
}

const evalCases: Case[] = [
  {
    name: 'double_exponential_smoothing with a smoothing factor out of (0, 1)',
    query: 'double_exponential_smoothing(x_total[5m], 1e300, 0.5)',
    kind: 'execution',
    message: 'invalid smoothing factor',
  },
  {
    name: 'double_exponential_smoothing with a NaN trend factor',
    query: 'double_exponential_smoothing(x_total[5m], 0.5, NaN)',
    kind: 'execution',
    message: 'invalid trend factor',
  },
  { name: 'a long chain through the engine', query: longChain('+'), kind: 'bad_data', message: 'parse error' },
  {
    name: 'a bad escape through the engine',
    query: 'x_total{job="\\U00110000"}',
    kind: 'bad_data',
    message: 'invalid Unicode code point',
  },
];

describe('engine errors keep their kind', () => {
  it.each(evalCases)('$name (instant and range)', async ({ query, kind, message }) => {
    const s = await storage();
    const engine = new Engine();
    for (const run of [
      () => engine.instantQuery(s, query, 600_000),
      () => engine.rangeQuery(s, query, 300_000, 600_000, 60_000),
    ]) {
      const err = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CortexError);
      expect(err).toMatchObject({ kind });
      expect((err as Error).message).toContain(message);
    }
  });
});
