import type { Clock } from '../model/index.js';

export type Cancel = () => void;

/** Runs a callback after a delay. Injected so tests drive time by hand (no sleeps). */
export interface Scheduler {
  schedule(delayMs: number, fn: () => unknown): Cancel;
}

/**
 * Longest delay one Node timer holds (2^31 - 1 ms, ~24.8 days). A longer one fires after 1 ms, so a
 * tenant's `group_interval: 100y` would tick every millisecond: longer delays are waited in steps.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const timerScheduler: Scheduler = {
  schedule(delayMs, fn) {
    let t: NodeJS.Timeout;
    const arm = (left: number) => {
      const step = Math.min(Math.max(0, left), MAX_TIMER_MS);
      t = setTimeout(() => (left > step ? arm(left - step) : fn()), step);
      t.unref();
    };
    arm(Number.isNaN(delayMs) ? 0 : delayMs);
    return () => clearTimeout(t);
  },
};

/** Resolves after `ms` on the given scheduler. */
export function sleep(s: Scheduler, ms: number): Promise<void> {
  return new Promise((resolve) => s.schedule(ms, resolve));
}

interface Task {
  at: number;
  seq: number;
  fn: () => unknown;
}

/**
 * A clock and scheduler for tests: time moves only in `advance`, which runs due tasks in order and
 * lets the promises they start settle before moving on.
 */
export class ManualScheduler implements Scheduler, Clock {
  private t: number;
  private seq = 0;
  private tasks: Task[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  schedule(delayMs: number, fn: () => unknown): Cancel {
    const task: Task = { at: this.t + Math.max(0, delayMs), seq: this.seq++, fn };
    this.tasks.push(task);
    return () => {
      this.tasks = this.tasks.filter((x) => x !== task);
    };
  }

  /** Moves time forward by `ms`, running every task that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await this.settle();
    while (true) {
      const next = this.tasks.filter((x) => x.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.tasks = this.tasks.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      const p = Promise.resolve().then(next.fn);
      this.running.add(p);
      void p.finally(() => this.running.delete(p)).catch(() => {});
      await this.settle();
    }
    this.t = target;
    await this.settle();
  }

  /** Lets started work finish: microtasks and a few I/O turns, without moving time. */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  }

  /** Waits for every task callback started so far (for tests whose receivers do real I/O). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
