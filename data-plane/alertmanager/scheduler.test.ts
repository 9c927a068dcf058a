import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, timerScheduler } from './scheduler.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('timerScheduler', () => {
  it.each([
    ['just over the timer limit', MAX_TIMER_MS + 1],
    ['100 years (a tenant group_interval)', 100 * 365 * 86_400_000],
  ])('waits %s instead of firing after 1 ms', async (_what, delay) => {
    vi.useFakeTimers();
    const fn = vi.fn();
    timerScheduler.schedule(delay, fn);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(delay - 1_001);
    expect(fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('cancels a long wait in any of its steps', async () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const cancel = timerScheduler.schedule(3 * MAX_TIMER_MS, fn);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 5);
    cancel();
    await vi.advanceTimersByTimeAsync(3 * MAX_TIMER_MS);
    expect(fn).not.toHaveBeenCalled();
  });

  it.each([0, -5, Number.NaN])('runs a delay of %s at once', async (delay) => {
    vi.useFakeTimers();
    const fn = vi.fn();
    timerScheduler.schedule(delay, fn);
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
