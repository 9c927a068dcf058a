/**
 * A deadline as an AbortSignal that survives garbage collection. Node 20's `AbortSignal.timeout`
 * is held only weakly by its own timer, and `AbortSignal.any` holds its sources weakly too, so
 * `AbortSignal.any([caller, AbortSignal.timeout(ms)])` never aborts on time once a collection has
 * run, unless something else still holds the timeout signal (nodejs/node#57736): a fetch to a peer
 * that never answers then waits forever. A local variable of the suspended async function happens to
 * hold it in V8 today; here the timer holds the controller, so the deadline fires whatever the
 * caller's frame keeps. `clear()` drops the timer once the work is done.
 */
export interface Deadline {
  /** Aborts at the deadline (a `TimeoutError`, as `AbortSignal.timeout`) or when `outer` aborts. */
  signal: AbortSignal;
  clear(): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export function deadlineSignal(ms: number, outer?: AbortSignal): Deadline {
  const c = new AbortController();
  const timer = setTimeout(
    () => c.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    // setTimeout fires at once past 2^31-1 ms (and for NaN): a farther deadline waits that long
    Number.isNaN(ms) ? MAX_TIMER_MS : Math.min(Math.max(0, ms), MAX_TIMER_MS),
  );
  // a deadline alone never keeps the process running
  timer.unref();
  return {
    signal: outer ? AbortSignal.any([outer, c.signal]) : c.signal,
    clear: () => clearTimeout(timer),
  };
}
