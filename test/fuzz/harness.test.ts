/**
 * The harness's per-input deadline (FUZZ_INPUT_DEADLINE_MS): a stalled input fails, and its requests are
 * aborted. The size classes: the common generators never build the costly inputs, the -big ones do.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlineError, type FuzzContext, mutated, withDeadline } from './harness.js';
import { applyMutations, byteMutations } from './wire.js';

const ctx = { stallReport: () => 'queue: 4 running' } as unknown as FuzzContext;

describe('withDeadline', () => {
  it('fails an input that never completes, with the server state, and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const stalled = withDeadline(
      ctx,
      (c) => {
        seen = c.signal;
        return new Promise<number>(() => {});
      },
      20,
    );
    await expect(stalled).rejects.toBeInstanceOf(DeadlineError);
    await expect(stalled).rejects.toThrow(/within 20 ms.*queue: 4 running/);
    expect(seen?.aborted).toBe(true);
  });

  it('passes through what an input that completes returns or throws', async () => {
    await expect(withDeadline(ctx, async () => 204, 60_000)).resolves.toBe(204);
    await expect(withDeadline(ctx, async () => Promise.reject(new Error('property')), 60_000)).rejects.toThrow(
      'property',
    );
    await expect(withDeadline(ctx, async () => 200, 0)).resolves.toBe(200);
  });
});

describe('size classes', () => {
  const sizes = (arb: fc.Arbitrary<Uint8Array>) => fc.sample(arb, { numRuns: 150, seed: 7 }).map((b) => b.length);
  const body = fc.constant(`name: api\nrules:\n  - record: a:b\n    expr: ${'up + '.repeat(20)}1\n`);
  const bytes = fc.constant(new Uint8Array(200).fill(0x0a));

  // the common variant never builds what only the -big one may (so the common inputs stay cheap), and
  // the -big one builds it for most inputs (all but those a later truncation cut back)
  it.each([
    ['text', mutated(body, [':']), mutated(body, [':'], 'big'), 1 << 19],
    [
      'binary',
      bytes.chain((b) => byteMutations().map((ms) => applyMutations(b, ms))),
      bytes.chain((b) => byteMutations('big').map((ms) => applyMutations(b, ms))),
      1 << 17,
    ],
  ])('%s mutations: common under 64 KiB, big mostly beyond', (_kind, common, big, bigFrom) => {
    expect(Math.max(...sizes(common))).toBeLessThan(64 << 10);
    const grown = sizes(big).filter((n) => n >= bigFrom).length;
    expect(grown).toBeGreaterThan(40);
  });

  it('big text inputs nest 100 levels or more where they are not repeated', () => {
    const deep = fc
      .sample(mutated(fc.constant(''), ['x'], 'big'), { numRuns: 150, seed: 7 })
      .map((b) => Buffer.from(b).toString('latin1'))
      .filter((t) => t.length < 1 << 19);
    // nesting alone (an empty text has nothing to repeat): a run of 100+ openers
    expect(deep.filter((t) => /(\[|\{|- |\{a: |\(|\{\{ if 1 \}\}){100}/.test(t)).length).toBeGreaterThan(40);
  });
});
