import type { RingStore } from './store.js';
import { generateTokens, takenTokens } from './tokens.js';
import type { InstanceDesc, InstanceState, RingDesc } from './types.js';

export interface LifecyclerOptions {
  store: RingStore;
  /** Ring row, e.g. `ingester`. */
  ringName: string;
  /** Unique and stable across restarts (tokens are kept when the same id registers again). */
  id: string;
  /** Base URL peers use, e.g. `http://10.0.0.7:9009`. */
  addr: string;
  zone?: string;
  /** Tokens to own (default 128). */
  numTokens?: number;
  /** Default 5 s. */
  heartbeatPeriodMs?: number;
  /**
   * When > 0, each heartbeat also removes other instances whose last heartbeat is older than this
   * (Mimir's auto-forget; useful for stateless rings such as `distributor`). Default 0 = never.
   */
  autoForgetAfterMs?: number;
  /** Called with heartbeat errors (the next period retries). */
  onError?: (err: unknown) => void;
  now?: () => number;
  random?: () => number;
}

/**
 * One instance's membership of one ring, as Cortex's `Lifecycler`/`BasicLifecycler`: registers with
 * `numTokens` random unique tokens (JOINING → ACTIVE), heartbeats every period, and on `leave()` goes
 * LEAVING, runs the caller's flush, then unregisters. Every change is a compare-and-set on the
 * ring's row, so any number of instances may register at once.
 */
export class Lifecycler {
  readonly id: string;
  readonly ringName: string;
  private readonly opts: Required<Omit<LifecyclerOptions, 'store' | 'onError'>> & { onError: (err: unknown) => void };
  private readonly store: RingStore;
  private stateValue: InstanceState = 'PENDING';
  private tokensValue: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private lastDesc: RingDesc | undefined;

  constructor(options: LifecyclerOptions) {
    this.store = options.store;
    this.id = options.id;
    this.ringName = options.ringName;
    this.opts = {
      ringName: options.ringName,
      id: options.id,
      addr: options.addr,
      zone: options.zone ?? '',
      numTokens: options.numTokens ?? 128,
      heartbeatPeriodMs: options.heartbeatPeriodMs ?? 5_000,
      autoForgetAfterMs: options.autoForgetAfterMs ?? 0,
      onError: options.onError ?? (() => {}),
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
  }

  /** The state this instance last wrote (PENDING before `start`). */
  get state(): InstanceState {
    return this.stateValue;
  }

  /** The tokens this instance owns (empty before `start`). */
  get tokens(): readonly number[] {
    return this.tokensValue;
  }

  /** The ring desc as of this instance's last successful write. */
  get lastSeenDesc(): RingDesc | undefined {
    return this.lastDesc;
  }

  /**
   * Registers (JOINING, keeping the tokens this id already owns in the ring), then goes ACTIVE unless
   * `active: false` (call `changeState('ACTIVE')` when ready), and starts heartbeating.
   */
  async start(opts: { active?: boolean } = {}): Promise<void> {
    this.stopped = false;
    this.stateValue = 'JOINING';
    await this.write();
    if (opts.active !== false) await this.changeState('ACTIVE');
    this.schedule();
  }

  /** Writes a new state for this instance (with a fresh heartbeat). */
  async changeState(state: InstanceState): Promise<void> {
    this.stateValue = state;
    await this.write();
  }

  /** One heartbeat now (the timer calls it every period). Re-registers if this instance was forgotten. */
  async heartbeat(): Promise<void> {
    await this.write();
  }

  /**
   * Graceful shutdown: LEAVING (readers still use it, writers move on), the caller's `flush`, then
   * unregisters and stops heartbeating. If `flush` throws, the instance stays in the ring as LEAVING,
   * heartbeats stop (it turns unhealthy) and the error is rethrown: a restart with the same id takes
   * its tokens back and replays its WAL.
   */
  async leave(flush?: () => Promise<void>): Promise<void> {
    await this.changeState('LEAVING');
    try {
      if (flush) await flush();
    } catch (err) {
      this.stop();
      throw err;
    }
    this.stop();
    await this.enqueue(() =>
      this.store.cas(this.ringName, (desc) => {
        if (!(this.id in desc.instances)) return undefined;
        delete desc.instances[this.id];
        return desc;
      }),
    );
    this.stateValue = 'LEFT';
  }

  /** Stops heartbeating without unregistering (a crash, or `unregister-on-shutdown=false`). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Heartbeats every period; the first after a random 50–100 % of it, so processes started together spread out. */
  private schedule(first = true): void {
    if (this.stopped) return;
    const period = this.opts.heartbeatPeriodMs;
    this.timer = setTimeout(
      () => {
        this.heartbeat()
          .catch((err: unknown) => this.opts.onError(err))
          .finally(() => this.schedule(false));
      },
      first ? period * (0.5 + this.opts.random() / 2) : period,
    );
    this.timer.unref();
  }

  /** Serializes this instance's own writes (heartbeats never interleave with state changes). */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }

  private write(): Promise<void> {
    return this.enqueue(async () => {
      const desc = await this.store.cas(this.ringName, (d) => this.apply(d));
      const mine = desc.instances[this.id];
      if (mine) this.tokensValue = mine.tokens;
      this.lastDesc = desc;
    });
  }

  private apply(desc: RingDesc): RingDesc {
    const now = this.opts.now();
    const prev: InstanceDesc | undefined = desc.instances[this.id];
    const taken = takenTokens(desc.instances, this.id);
    // Tokens: ours from the ring (a restart keeps them), else the ones we hold, minus any another
    // instance took meanwhile, topped up to numTokens.
    const base = prev?.tokens.length ? prev.tokens : this.tokensValue;
    const kept = base.filter((t) => !taken.has(t));
    let tokens = kept;
    if (kept.length < this.opts.numTokens) {
      const all = new Set([...taken, ...kept]);
      tokens = [...kept, ...generateTokens(this.opts.numTokens - kept.length, all, this.opts.random)].sort(
        (a, b) => a - b,
      );
    }
    desc.instances[this.id] = {
      id: this.id,
      addr: this.opts.addr,
      zone: this.opts.zone,
      state: this.stateValue,
      tokens,
      heartbeatMs: now,
      registeredMs: prev?.registeredMs || now,
    };
    if (this.opts.autoForgetAfterMs > 0) {
      for (const [id, inst] of Object.entries(desc.instances)) {
        if (id !== this.id && now - inst.heartbeatMs > this.opts.autoForgetAfterMs) delete desc.instances[id];
      }
    }
    return desc;
  }
}
