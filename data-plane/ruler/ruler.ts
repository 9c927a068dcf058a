import type { Registry } from 'prom-client';
import { type Clock, Labels, systemClock, type TenantId } from '../model/index.js';
import { compileGroup, feedGroupName, groupFingerprint } from './compile.js';
import { type GroupDeps, RuleGroupRunner, type RulerLogger } from './group.js';
import { RulerMetrics } from './metrics.js';
import { type RulerRing, ringSharding } from './sharding.js';
import type { RuleGroupSource } from './source.js';
import {
  type NamespacedRuleGroup,
  type Notifier,
  OWN_ALL,
  type RuleQueryFunc,
  type RulerLimits,
  type RulerSharding,
  type RuleWriter,
} from './types.js';

/** Longest delay one Node timer holds (2^31 - 1 ms); longer ones fire after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RulerOptions {
  source: RuleGroupSource;
  query: RuleQueryFunc;
  writer: RuleWriter;
  notifier?: Notifier;
  limits: RulerLimits;
  clock?: Clock;
  registry?: Registry;
  /** Which groups this ruler evaluates; wins over `ring`. Default: all of them. */
  sharding?: RulerSharding;
  /**
   * Split mode: the `ruler` ring and this instance's id there. Each group is evaluated by the ring's
   * owner of its token (see sharding.ts); ownership is re-checked on every sync and every tick.
   */
  ring?: RulerRing;
  /** Base URL of this service, for `generatorURL` and `$externalURL`. */
  externalURL?: string;
  externalLabels?: Labels;
  /** Interval of groups that set none (default 1m). */
  defaultEvaluationIntervalMs?: number;
  /** How often firing alerts are re-sent (default 1m). */
  resendDelayMs?: number;
  /** Minimum `for` left after a restart before an alert may fire (default 10m). */
  forGracePeriodMs?: number;
  /** How far back ALERTS_FOR_STATE is read on restore (default 1h). */
  outageToleranceMs?: number;
  /**
   * Group evaluations of one tenant running at once when the limits give no positive
   * `ruler_max_rule_evaluation_concurrency_per_tenant` (default 4).
   */
  tenantConcurrency?: number;
  /** How often the source is checked for changes (default 1s). */
  syncIntervalMs?: number;
  log?: RulerLogger;
  /** Usage metering: called after each run of a group with the number of rules it evaluated. */
  onEvaluated?: (tenantId: TenantId, rules: number) => void;
}

interface Slot {
  runner: RuleGroupRunner;
  timer: ReturnType<typeof setTimeout> | undefined;
  running: boolean;
}

/**
 * The multi-tenant ruler: keeps one runner per owned rule group in step with the source, schedules
 * each group on its interval (staggered by a hash offset), and bounds each tenant's concurrency.
 */
export class Ruler {
  private readonly clock: Clock;
  private readonly deps: GroupDeps;
  private readonly slots = new Map<TenantId, Map<string, Slot>>();
  private readonly semaphores = new Map<TenantId, Semaphore>();
  private lastSourceRevision = -1;
  private lastLimitsSig = '';
  private lastOwnedSig = '';
  private readonly sharding: RulerSharding;
  /** Ownership may change without the source changing (a ring): re-checked on every sync and tick. */
  private readonly sharded: boolean;
  private syncTimer: ReturnType<typeof setInterval> | undefined;
  private started = false;
  readonly metrics: RulerMetrics;

  constructor(private readonly opts: RulerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.metrics = new RulerMetrics(opts.registry);
    this.sharded = opts.sharding !== undefined || opts.ring !== undefined;
    this.sharding =
      opts.sharding ??
      (opts.ring ? ringSharding(opts.ring, this.clock, (t) => opts.limits.get(t, 'ruler_tenant_shard_size')) : OWN_ALL);
    this.deps = {
      query: opts.query,
      writer: opts.writer,
      notifier: opts.notifier,
      clock: this.clock,
      metrics: this.metrics,
      externalLabels: opts.externalLabels ?? Labels.EMPTY,
      externalURL: (opts.externalURL ?? '').replace(/\/$/, ''),
      resendDelayMs: opts.resendDelayMs ?? 60_000,
      forGracePeriodMs: opts.forGracePeriodMs ?? 10 * 60_000,
      outageToleranceMs: opts.outageToleranceMs ?? 60 * 60_000,
      log: opts.log,
      onEvaluated: opts.onEvaluated,
    };
  }

  /** Brings the running groups in line with the source, current limits and ring ownership. Cheap when nothing changed. */
  sync(): void {
    const snap = this.opts.source.snapshot();
    const rev = this.opts.source.revision();
    const tenants = new Set<TenantId>([...snap.keys(), ...this.slots.keys()]);
    const sig = [...tenants].map((t) => `${t}:${this.maxGroups(t)}:${this.maxRules(t)}`).join(',');
    // With sharding, ownership is checked once per group per sync (the ring may have changed).
    let owned: Set<string> | undefined;
    let ownedSig = '';
    if (this.sharded) {
      owned = new Set();
      for (const [t, groups] of snap) {
        for (const g of groups) if (this.sharding.owns(t, g.namespace, feedGroupName(g))) owned.add(slotKey(t, g));
      }
      ownedSig = [...owned].join('\n');
    }
    if (rev === this.lastSourceRevision && sig === this.lastLimitsSig && ownedSig === this.lastOwnedSig) return;
    this.lastSourceRevision = rev;
    this.lastLimitsSig = sig;
    this.lastOwnedSig = ownedSig;
    for (const tenantId of tenants) this.syncTenant(tenantId, snap.get(tenantId) ?? [], owned);
  }

  private syncTenant(tenantId: TenantId, all: readonly NamespacedRuleGroup[], owned: Set<string> | undefined): void {
    // The group limit counts the tenant's groups on every ruler: index in the full sorted list.
    const sorted = [...all].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(feedGroupName(a), feedGroupName(b)));
    const maxGroups = this.maxGroups(tenantId);
    const current = this.slots.get(tenantId) ?? new Map<string, Slot>();
    const next = new Map<string, Slot>();
    const inSource = new Set<string>();
    sorted.forEach((ng, i) => {
      const key = `${ng.namespace}\xff${feedGroupName(ng)}`;
      inSource.add(key);
      if (owned && !owned.has(slotKey(tenantId, ng))) return;
      const over = maxGroups > 0 && i >= maxGroups;
      const opts = {
        defaultIntervalMs: this.opts.defaultEvaluationIntervalMs ?? 60_000,
        maxRulesPerGroup: this.maxRules(tenantId),
        groupError: over
          ? `tenant has ${sorted.length} rule groups, more than the limit of ${maxGroups} (ruler_max_rule_groups_per_tenant); this group is not evaluated`
          : undefined,
      };
      const old = current.get(key);
      if (old && old.runner.cfg.fingerprint === groupFingerprint(ng, opts)) {
        next.set(key, old);
        current.delete(key);
        return;
      }
      const cfg = compileGroup(tenantId, ng, opts);
      const runner = new RuleGroupRunner(cfg, this.deps);
      if (old) {
        runner.copyState(old.runner);
        this.unschedule(old);
        current.delete(key);
      } else if (this.sharded) {
        // Taken over from another ruler (or new): that ruler may have run the current slot already,
        // so the first run here is the next slot. A slot may be lost on a move, never run twice.
        runner.lastScheduled = runner.evalTimestamp(this.clock.now());
      }
      const slot: Slot = { runner, timer: undefined, running: false };
      next.set(key, slot);
      if (this.started) this.schedule(tenantId, slot);
    });
    for (const [key, gone] of current) {
      this.unschedule(gone);
      // A group that moved to another ruler keeps its series (the new owner writes them);
      // only a group deleted from the source gets stale markers.
      if (inSource.has(key)) continue;
      gone.runner.markStale(this.clock.now()).catch((err) => {
        this.opts.log?.warn(`ruler: stale markers for a removed group failed: ${(err as Error).message}`);
      });
    }
    if (next.size === 0) this.slots.delete(tenantId);
    else this.slots.set(tenantId, next);
  }

  /** The tenant's groups, ordered by namespace and name (for the API). */
  groups(tenantId: TenantId): RuleGroupRunner[] {
    return [...(this.slots.get(tenantId)?.values() ?? [])].map((s) => s.runner);
  }

  tenants(): TenantId[] {
    return [...this.slots.keys()];
  }

  /** Runs every group whose evaluation slot is due at `now`, within each tenant's concurrency. */
  async evaluateDue(now: number = this.clock.now()): Promise<void> {
    // A snapshot first: a run that finds its group moved re-syncs, which replaces slot maps.
    const due: [TenantId, Slot][] = [];
    for (const [tenantId, groups] of this.slots) {
      for (const slot of groups.values()) {
        if (slot.runner.evalTimestamp(now) > slot.runner.lastScheduled) due.push([tenantId, slot]);
      }
    }
    await Promise.all(due.map(([tenantId, slot]) => this.run(tenantId, slot, now)));
  }

  /** Evaluates every group at exactly `ts`, ignoring schedules (tests and promtool-style runs). */
  async evaluateAll(ts: number): Promise<void> {
    const runs: Promise<void>[] = [];
    for (const [tenantId, groups] of this.slots) {
      for (const slot of groups.values()) runs.push(this.withSlot(tenantId, () => slot.runner.evaluate(ts)));
    }
    await Promise.all(runs);
  }

  /** Starts syncing with the source and evaluating on schedule. */
  start(): void {
    if (this.started) return;
    this.sync();
    this.started = true;
    for (const [tenantId, groups] of this.slots) for (const slot of groups.values()) this.schedule(tenantId, slot);
    this.syncTimer = setInterval(() => this.sync(), this.opts.syncIntervalMs ?? 1000);
    this.syncTimer.unref?.();
  }

  stop(): void {
    this.started = false;
    if (this.syncTimer) clearInterval(this.syncTimer);
    for (const groups of this.slots.values()) for (const slot of groups.values()) this.unschedule(slot);
  }

  private schedule(tenantId: TenantId, slot: Slot): void {
    this.unschedule(slot);
    const now = this.clock.now();
    const r = slot.runner;
    const next = r.evalTimestamp(now) + r.cfg.intervalMs;
    if (next - now > MAX_TIMER_MS) {
      // A Node timer longer than ~24.8 days fires after 1 ms (a `100y` interval would evaluate in a
      // tight loop): wait the longest step, then schedule again from the new now.
      slot.timer = setTimeout(() => {
        slot.timer = undefined;
        if (this.started) this.schedule(tenantId, slot);
      }, MAX_TIMER_MS);
      slot.timer.unref?.();
      return;
    }
    slot.timer = setTimeout(
      () => {
        slot.timer = undefined;
        this.run(tenantId, slot, this.clock.now()).finally(() => {
          if (this.started && this.slots.get(tenantId)?.get(`${r.cfg.namespace}\xff${r.cfg.name}`) === slot) {
            this.schedule(tenantId, slot);
          }
        });
      },
      Math.max(0, next - now),
    );
    slot.timer.unref?.();
  }

  private unschedule(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
  }

  private async run(tenantId: TenantId, slot: Slot, now: number): Promise<void> {
    // A group still evaluating when its next slot comes skips that slot (counted as missed later).
    if (slot.running) return;
    const { namespace, name } = slot.runner.cfg;
    if (this.sharded && !this.sharding.owns(tenantId, namespace, name)) {
      // The ring moved the group since the last sync: leave it to its new owner.
      this.sync();
      return;
    }
    slot.running = true;
    try {
      await this.withSlot(tenantId, () => slot.runner.runScheduled(now));
    } catch (err) {
      this.opts.log?.warn(`ruler: evaluation of ${slot.runner.cfg.name} failed: ${(err as Error).message}`);
    } finally {
      slot.running = false;
    }
  }

  private withSlot(tenantId: TenantId, fn: () => Promise<void>): Promise<void> {
    let sem = this.semaphores.get(tenantId);
    if (!sem) {
      sem = new Semaphore(() => this.concurrency(tenantId));
      this.semaphores.set(tenantId, sem);
    }
    return sem.run(fn);
  }

  /** Read on every acquisition, so a limit change applies to the next evaluation. */
  private concurrency(t: TenantId): number {
    const n = this.opts.limits.get(t, 'ruler_max_rule_evaluation_concurrency_per_tenant');
    return n > 0 ? n : (this.opts.tenantConcurrency ?? 4);
  }

  private maxGroups(t: TenantId): number {
    return this.opts.limits.get(t, 'ruler_max_rule_groups_per_tenant');
  }

  private maxRules(t: TenantId): number {
    return this.opts.limits.get(t, 'ruler_max_rules_per_rule_group');
  }
}

function slotKey(t: TenantId, g: NamespacedRuleGroup): string {
  return `${t}\xff${g.namespace}\xff${feedGroupName(g)}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A counting semaphore whose size is read on every acquisition; waiters run in FIFO order. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: () => number) {}

  async run(fn: () => Promise<void>): Promise<void> {
    if (this.active >= Math.max(1, this.size()) || this.waiting.length > 0) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.active++;
    try {
      await fn();
    } finally {
      this.active--;
      while (this.waiting.length > 0 && this.active < Math.max(1, this.size())) {
        this.active++;
        this.waiting.shift()?.();
      }
    }
  }
}
