import { ExecutionError, Labels, METRIC_NAME } from '../model/index.js';
import type { RuleEvalContext } from './eval-context.js';
import { RuleStatus } from './rule-health.js';
import {
  labelMap,
  type RuleTemplate,
  type TemplateFunc,
  type TemplateSample,
  templateFuncs,
} from './template/index.js';
import type { NotifierAlert, RuleSample } from './types.js';
import { toVector } from './vector.js';

export type AlertState = 'inactive' | 'pending' | 'firing';

/** One alert instance of a rule (Prometheus rules.Alert); times in ms, 0 = unset. */
export interface Alert {
  labels: Labels;
  annotations: Labels;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  lastSentAt: number;
  validUntil: number;
  keepFiringSince: number;
}

/** Resolved alerts are kept (and re-sent) this long so the Alertmanager learns they ended. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export const ALERTS_METRIC = 'ALERTS';
export const ALERTS_FOR_STATE_METRIC = 'ALERTS_FOR_STATE';

/** A compiled label or annotation: its name, raw text and parsed template. */
export interface TemplatedPair {
  name: string;
  template: RuleTemplate;
}

/**
 * An alerting rule with Prometheus's state machine: a new result is pending, turns firing after
 * `for`, stays firing `keep_firing_for` after it disappears, then is inactive (resolved) and kept
 * 15 minutes for resolved notifications.
 */
export class AlertingRule {
  readonly kind = 'alerting';
  readonly status = new RuleStatus();
  /** Set when the rule could not be compiled; the group then reports it instead of evaluating. */
  loadError: string | undefined;
  /** Active alerts by label-set key. */
  active = new Map<string, Alert>();
  /** False until `for` state was restored after start-up; ALERTS series are written only after. */
  restored = false;
  /** Annotation texts before templating, for the API. */
  annotationsRaw: Labels = Labels.EMPTY;

  constructor(
    readonly name: string,
    readonly expr: string,
    readonly holdMs: number,
    readonly keepFiringForMs: number,
    /** Static labels (group labels merged in), for the API. */
    readonly labels: Labels,
    readonly labelTemplates: readonly TemplatedPair[],
    readonly annotationTemplates: readonly TemplatedPair[],
  ) {}

  /** Evaluates at `ts`; returns the ALERTS and ALERTS_FOR_STATE samples to write. */
  async eval(ctx: RuleEvalContext, ts: number): Promise<RuleSample[]> {
    const t = ts - ctx.queryOffsetMs;
    const vec = toVector(await ctx.query(this.expr, t));
    const fresh = new Map<string, Alert>();
    const funcs = templateFuncs({
      query: async (q: string) => toTemplateSamples(await ctx.query(q, ts)),
      externalURL: ctx.externalURL,
    });
    for (const s of vec) {
      const data = { labels: s.labels, externalLabels: ctx.externalLabels, externalURL: ctx.externalURL, value: s.v };
      const b = s.labels.builder().del(METRIC_NAME);
      for (const l of this.labelTemplates) b.set(l.name, await expandSafely(l.template, data, funcs));
      b.set('alertname', this.name);
      const labels = b.labels();
      const ab = Labels.EMPTY.builder();
      for (const a of this.annotationTemplates) ab.set(a.name, await expandSafely(a.template, data, funcs));
      const key = labels.key();
      if (fresh.has(key)) {
        throw new ExecutionError('vector contains metrics with the same labelset after applying alert labels');
      }
      fresh.set(key, {
        labels,
        annotations: ab.labels(),
        state: 'pending',
        value: s.v,
        activeAt: ts,
        firedAt: 0,
        resolvedAt: 0,
        lastSentAt: 0,
        validUntil: 0,
        keepFiringSince: 0,
      });
    }
    for (const [key, a] of fresh) {
      const cur = this.active.get(key);
      if (cur && cur.state !== 'inactive') {
        cur.value = a.value;
        cur.annotations = a.annotations;
        cur.labels = a.labels;
      } else this.active.set(key, a);
    }
    return this.advance(ctx, ts, fresh);
  }

  private advance(ctx: RuleEvalContext, ts: number, fresh: Map<string, Alert>): RuleSample[] {
    const out: RuleSample[] = [];
    const t = ts - ctx.queryOffsetMs;
    let activeCount = 0;
    for (const [key, a] of this.active) {
      if (!fresh.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && this.keepFiringForMs > 0) {
          if (a.keepFiringSince === 0) a.keepFiringSince = ts;
          keepFiring = ts - a.keepFiringSince < this.keepFiringForMs;
        }
        if (a.state === 'pending' || (a.resolvedAt !== 0 && ts - a.resolvedAt > RESOLVED_RETENTION_MS)) {
          this.active.delete(key);
        }
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else a.keepFiringSince = 0;
      activeCount++;
      if (a.state === 'pending' && ts - a.activeAt >= this.holdMs) {
        a.state = 'firing';
        a.firedAt = ts;
      }
      if (this.restored) {
        out.push({ labels: alertsLabels(a), t, v: 1 });
        out.push({ labels: forStateLabels(a.labels), t, v: Math.floor(a.activeAt / 1000) });
      }
    }
    if (ctx.limit > 0 && activeCount > ctx.limit) {
      this.active = new Map();
      throw new ExecutionError(`exceeded limit of ${ctx.limit} with ${activeCount} alerts`);
    }
    return out;
  }

  /** Alerts due for (re)sending at `ts`, marked as sent (Prometheus's sendAlerts). */
  alertsToSend(ts: number, resendDelayMs: number, intervalMs: number, generatorURL: string): NotifierAlert[] {
    const out: NotifierAlert[] = [];
    const delta = Math.max(resendDelayMs, intervalMs);
    for (const a of this.active.values()) {
      if (a.state === 'pending') continue;
      const due = a.resolvedAt > a.lastSentAt || a.lastSentAt + resendDelayMs < ts;
      if (!due) continue;
      a.lastSentAt = ts;
      a.validUntil = ts + 4 * delta;
      out.push({
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.firedAt,
        endsAt: a.resolvedAt !== 0 ? a.resolvedAt : a.validUntil,
        generatorURL,
      });
    }
    return out;
  }

  /** The rule's state for the API: the most severe state of its alerts. */
  state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }
}

function alertsLabels(a: Alert): Labels {
  return a.labels.builder().set(METRIC_NAME, ALERTS_METRIC).set('alertstate', a.state).labels();
}

export function forStateLabels(alertLabels: Labels): Labels {
  return alertLabels.builder().set(METRIC_NAME, ALERTS_FOR_STATE_METRIC).labels();
}

async function expandSafely(
  tmpl: RuleTemplate,
  data: Parameters<RuleTemplate['expand']>[0],
  funcs: ReadonlyMap<string, TemplateFunc>,
): Promise<string> {
  try {
    return await tmpl.expandWith(data, funcs);
  } catch (err) {
    // Prometheus keeps the alert and shows the failure in the value instead of dropping it.
    return `<error expanding template: ${(err as Error).message}>`;
  }
}

function toTemplateSamples(v: Parameters<typeof toVector>[0]): TemplateSample[] {
  return toVector(v).map((s) => ({ Labels: labelMap(s.labels), Value: s.v }));
}
