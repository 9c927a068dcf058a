import { performance } from 'node:perf_hooks';
import { Histogram, type Registry } from 'prom-client';

/** Upper bounds in seconds: a healthy loop sits in the first buckets, a stall shows up in the last. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Measures how late the event loop runs a timer, into `cortex_ingester_event_loop_lag_seconds`:
 * every push, WAL commit and flush callback of this process shares that loop, so a sample of, say,
 * 0.5 s means every request in flight waited that long for nothing but the CPU.
 *
 * It is the measure `perf_hooks.monitorEventLoopDelay` takes (a timer every `resolutionMs`, its
 * lateness recorded), done in JS because that API yields only percentiles of its own histogram,
 * whereas a Prometheus histogram needs each observation to keep exact counts and sums. One timer
 * callback per 10 ms costs a few microseconds of CPU.
 */
export class EventLoopLagMonitor {
  private readonly histogram: Histogram;
  private timer: NodeJS.Timeout | undefined;
  private expected = 0;

  constructor(
    registry: Registry | undefined,
    private readonly resolutionMs = 10,
  ) {
    this.histogram = new Histogram({
      name: 'cortex_ingester_event_loop_lag_seconds',
      help: 'How late the event loop ran a timer due every 10 ms; pushes, WAL commits and flushes wait that long.',
      buckets: BUCKETS,
      registers: registry ? [registry] : [],
    });
  }

  /** Starts sampling (idempotent). The timer is unref'ed: it never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    this.expected = performance.now() + this.resolutionMs;
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The histogram, for tests and `stats`-like readers. */
  get metric(): Histogram {
    return this.histogram;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      const now = performance.now();
      this.histogram.observe(Math.max(0, now - this.expected) / 1000);
      this.expected = now + this.resolutionMs;
      this.schedule();
    }, this.resolutionMs);
    this.timer.unref();
  }
}
