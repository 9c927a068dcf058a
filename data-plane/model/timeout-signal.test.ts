import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { deadlineSignal } from './timeout-signal.js';

// a collection between creating the signal and its deadline is what lost Node's own timeout signal
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('deadlineSignal', () => {
  it.each([
    ['alone', undefined],
    ['combined with a caller signal', new AbortController().signal],
  ])('aborts at its deadline after a garbage collection (%s)', async (_what, outer) => {
    const d = deadlineSignal(30, outer);
    let heard = false;
    const fired = new Promise((r) =>
      d.signal.addEventListener('abort', () => {
        heard = true;
        r(undefined);
      }),
    );
    gc();
    await sleep(10);
    gc();
    // waits for the event itself: a lost deadline would end the test at its timeout
    await fired;
    expect(heard).toBe(true);
    expect((d.signal.reason as Error).name).toBe('TimeoutError');
  });

  it("aborts with the caller's reason when the caller aborts first; a far deadline waits; clear() cancels it", async () => {
    const caller = new AbortController();
    const d = deadlineSignal(60_000, caller.signal);
    caller.abort(new Error('client went away'));
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).message).toBe('client went away');
    for (const far of [2 ** 31, Number.POSITIVE_INFINITY, Number.NaN]) {
      const d = deadlineSignal(far);
      await sleep(5);
      expect(d.signal.aborted, String(far)).toBe(false);
      d.clear();
    }
    const quiet = deadlineSignal(20);
    quiet.clear();
    await sleep(60);
    expect(quiet.signal.aborted).toBe(false);
  });
});
