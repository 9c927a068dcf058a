/** The harness's per-input deadline (FUZZ_INPUT_DEADLINE_MS): a stalled input fails, and its requests are aborted. */
import { describe, expect, it } from 'vitest';
import { DeadlineError, type FuzzContext, withDeadline } from './harness.js';

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
