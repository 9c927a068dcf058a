import { type Clock, type Labels, METRIC_NAME, STALE_NAN, type TenantId } from '../model/index.js';
import { ALERTS_FOR_STATE_METRIC, AlertingRule } from './alerting-rule.js';
import type { GroupConfig, Rule } from './compile.js';
import type { RuleEvalContext } from './eval-context.js';
import type { RulerMetrics } from './metrics.js';
import type { Notifier, RuleQueryFunc, RuleSample, RuleWriter } from './types.js';

export interface RulerLogger {
  warn(msg: string): void;
}

/** Everything a group needs from its ruler; shared by all groups. */
export interface GroupDeps {
  query: RuleQueryFunc;
  writer: RuleWriter;
  notifier: Notifier | undefined;
  clock: Clock;
  metrics: RulerMetrics;
  externalLabels: Labels;
  externalURL: string;
  resendDelayMs: number;
  forGracePeriodMs: number;
  outageToleranceMs: number;
  log: RulerLogger | undefined;
  /** Usage metering: the rules evaluated by one run of a group (failed ones included, as Prometheus counts them). */
  onEvaluated?: ((tenantId: TenantId, rules: number) => void) | undefined;
}

/**
 * Evaluates one rule group: rules in order, each on the group's timestamp, output and stale markers
 * written through the RuleWriter, alerts sent through the Notifier. Scheduling is the ruler's job.
 */
export class RuleGroupRunner {
  /** ms of the last evaluation's timestamp; 0 = never. */
  lastEvaluation = 0;
  evaluationTimeMs = 0;
  /** The evaluation slot the scheduler last ran (ms), for counting missed iterations. */
  lastScheduled = 0;
  private shouldRestore = true;
  /** Series each rule wrote last time (by rule index), to write stale markers for vanished ones. */
  private prevSeries: Map<string, Labels>[];
  private readonly metricLabels: { user: string; rule_group: string };

  constructor(
    readonly cfg: GroupConfig,
    private readonly deps: GroupDeps,
  ) {
    this.prevSeries = cfg.rules.map(() => new Map());
    this.metricLabels = { user: cfg.tenantId, rule_group: `${cfg.namespace};${cfg.name}` };
  }

  get rules(): readonly Rule[] {
    return this.cfg.rules;
  }

  /** Offset of this group inside its interval, from a hash of its identity (spreads load like Prometheus). */
  offsetMs(): number {
    return Number(
      fnv1a64(`${this.cfg.tenantId}\xff${this.cfg.namespace}\xff${this.cfg.name}`) % BigInt(this.cfg.intervalMs),
    );
  }

  /** The latest evaluation slot at or before `now`. */
  evalTimestamp(now: number): number {
    const off = this.offsetMs();
    const adj = now - off;
    return adj - (((adj % this.cfg.intervalMs) + this.cfg.intervalMs) % this.cfg.intervalMs) + off;
  }

  /** Runs the scheduled slot at or before `now`, counting skipped slots as missed. */
  async runScheduled(now: number): Promise<void> {
    const ts = this.evalTimestamp(now);
    if (ts <= this.lastScheduled) return;
    const labels = this.metricLabels;
    if (this.lastScheduled > 0) {
      const missed = Math.floor((ts - this.lastScheduled) / this.cfg.intervalMs) - 1;
      if (missed > 0) {
        this.deps.metrics.iterationsMissed.inc(labels, missed);
        this.deps.metrics.iterations.inc(labels, missed);
      }
    }
    this.lastScheduled = ts;
    this.deps.metrics.iterations.inc(labels);
    await this.evaluate(ts);
  }

  /** Evaluates every rule at `ts` (no scheduling checks; tests call this directly). */
  async evaluate(ts: number): Promise<void> {
    const { clock, metrics } = this.deps;
    const start = clock.now();
    const ctx = this.context();
    for (let i = 0; i < this.cfg.rules.length; i++) {
      const rule = this.cfg.rules[i]!;
      metrics.evaluations.inc(this.metricLabels);
      const t0 = clock.now();
      if (rule.loadError !== undefined) {
        rule.status.fail(ts, 0, new Error(rule.loadError));
        metrics.evaluationFailures.inc(this.metricLabels);
        continue;
      }
      let samples: RuleSample[];
      try {
        samples = await rule.eval(ctx, ts);
      } catch (err) {
        rule.status.fail(ts, clock.now() - t0, err);
        metrics.evaluationFailures.inc(this.metricLabels);
        continue;
      }
      const out = this.withStaleMarkers(i, samples, ts - this.cfg.queryOffsetMs);
      const writeErr = await this.write(out);
      if (writeErr !== undefined) rule.status.fail(ts, clock.now() - t0, writeErr);
      else rule.status.ok(ts, clock.now() - t0);
      if (rule instanceof AlertingRule) await this.notify(rule, ts);
    }
    this.deps.onEvaluated?.(this.cfg.tenantId, this.cfg.rules.length);
    this.lastEvaluation = ts;
    this.evaluationTimeMs = clock.now() - start;
    metrics.lastDuration.set(this.metricLabels, this.evaluationTimeMs / 1000);
    metrics.lastEvaluation.set(this.metricLabels, ts / 1000);
    if (this.shouldRestore) {
      this.shouldRestore = false;
      await this.restoreForState(ts);
    }
  }

  /** Writes stale markers for every series this group produced (the group was removed). */
  async markStale(ts: number): Promise<void> {
    const out: RuleSample[] = [];
    for (const m of this.prevSeries) for (const labels of m.values()) out.push({ labels, t: ts, v: STALE_NAN });
    this.prevSeries = this.cfg.rules.map(() => new Map());
    if (out.length > 0) await this.write(out);
  }

  /**
   * Takes over state from the group this one replaces (a reload): alerts, health and the series
   * written, matched by rule kind, name and labels in order, so a config change does not reset alerts.
   */
  copyState(old: RuleGroupRunner): void {
    const pool = new Map<string, number[]>();
    old.rules.forEach((r, i) => {
      const k = ruleIdentity(r);
      pool.set(k, [...(pool.get(k) ?? []), i]);
    });
    let allRestored = true;
    this.rules.forEach((r, i) => {
      const j = pool.get(ruleIdentity(r))?.shift();
      if (j === undefined) {
        if (r instanceof AlertingRule) allRestored = false;
        return;
      }
      const o = old.rules[j]!;
      Object.assign(r.status, o.status);
      this.prevSeries[i] = old.prevSeries[j]!;
      if (r instanceof AlertingRule && o instanceof AlertingRule) {
        r.active = o.active;
        r.restored = o.restored;
        if (!r.restored) allRestored = false;
      }
    });
    this.shouldRestore = !allRestored;
    this.lastEvaluation = old.lastEvaluation;
    this.evaluationTimeMs = old.evaluationTimeMs;
    this.lastScheduled = old.lastScheduled;
  }

  /**
   * Restores `for` state after a restart from ALERTS_FOR_STATE (Prometheus's RestoreForState):
   * an alert that was pending keeps its progress, shifted by the downtime, and never fires sooner
   * than the grace period after start-up.
   */
  async restoreForState(ts: number): Promise<void> {
    const { forGracePeriodMs: grace, outageToleranceMs } = this.deps;
    for (const rule of this.rules) {
      if (!(rule instanceof AlertingRule) || rule.restored) continue;
      if (rule.holdMs < grace || rule.active.size === 0 || rule.loadError !== undefined) {
        rule.restored = true;
        continue;
      }
      let series: Map<string, { t: number; v: number }>;
      try {
        series = await this.lastForState(rule, ts, outageToleranceMs);
      } catch (err) {
        this.deps.log?.warn(`ruler: restoring for-state of ${rule.name} failed: ${(err as Error).message}`);
        rule.restored = true;
        continue;
      }
      for (const a of rule.active.values()) {
        const last = series.get(a.labels.key());
        if (!last) continue;
        const downAt = Math.floor(last.t / 1000) * 1000;
        let activeAt = Math.floor(last.v) * 1000;
        const remaining = rule.holdMs - (downAt - activeAt);
        if (remaining > 0 && remaining < grace) activeAt = ts + grace - rule.holdMs;
        else if (remaining > 0) activeAt += ts - downAt;
        a.activeAt = activeAt;
      }
      rule.restored = true;
    }
  }

  private async lastForState(rule: AlertingRule, ts: number, toleranceMs: number) {
    const sel = `${ALERTS_FOR_STATE_METRIC}{alertname=${JSON.stringify(rule.name)}}[${Math.max(1, Math.floor(toleranceMs))}ms]`;
    const v = await this.deps.query(this.cfg.tenantId, sel, ts);
    const out = new Map<string, { t: number; v: number }>();
    if (v.type !== 'matrix') return out;
    for (const s of v.series) {
      const last = s.floats[s.floats.length - 1];
      if (last && !Number.isNaN(last.v)) out.set(s.labels.without([METRIC_NAME]).key(), last);
    }
    return out;
  }

  private context(): RuleEvalContext {
    // a federated group reads its source tenants; what it writes (and ALERTS_FOR_STATE) stays its own
    const { queryTenant } = this.cfg;
    return {
      query: (expr, t) => this.deps.query(queryTenant, expr, t),
      limit: this.cfg.limit,
      queryOffsetMs: this.cfg.queryOffsetMs,
      externalLabels: this.deps.externalLabels,
      externalURL: this.deps.externalURL,
    };
  }

  private withStaleMarkers(i: number, samples: RuleSample[], t: number): RuleSample[] {
    const prev = this.prevSeries[i]!;
    const cur = new Map<string, Labels>();
    for (const s of samples) cur.set(s.labels.key(), s.labels);
    const out = samples;
    for (const [k, labels] of prev) if (!cur.has(k)) out.push({ labels, t, v: STALE_NAN });
    this.prevSeries[i] = cur;
    return out;
  }

  private async write(samples: RuleSample[]): Promise<unknown> {
    if (samples.length === 0) return undefined;
    try {
      await this.deps.writer.write(this.cfg.tenantId, samples);
      return undefined;
    } catch (err) {
      this.deps.metrics.writeErrors.inc({ user: this.cfg.tenantId });
      return err;
    }
  }

  private async notify(rule: AlertingRule, ts: number): Promise<void> {
    const { notifier, resendDelayMs, externalURL, metrics } = this.deps;
    const url = `${externalURL}/graph?g0.expr=${encodeURIComponent(rule.expr)}&g0.tab=1`;
    const alerts = rule.alertsToSend(ts, resendDelayMs, this.cfg.intervalMs, url);
    if (!notifier || alerts.length === 0) return;
    try {
      await notifier.send(this.cfg.tenantId, alerts);
      metrics.notificationsSent.inc({ user: this.cfg.tenantId }, alerts.length);
    } catch (err) {
      metrics.notificationErrors.inc({ user: this.cfg.tenantId });
      this.deps.log?.warn(
        `ruler: sending ${alerts.length} alert(s) for tenant ${this.cfg.tenantId} failed: ${(err as Error).message}`,
      );
    }
  }
}

function ruleIdentity(r: Rule): string {
  return `${r.kind}\xff${r.name}\xff${r.labels.key()}`;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

function fnv1a64(s: string): bigint {
  let h = FNV_OFFSET;
  for (const b of new TextEncoder().encode(s)) {
    h ^= BigInt(b);
    h = (h * FNV_PRIME) & MASK;
  }
  return h;
}
