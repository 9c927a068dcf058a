import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { isStaleNaN, Labels, Matcher, parseTenantId, STALE_NAN, type TenantId } from '../model/index.js';
import { alertsResponse, rulesResponse } from './api.js';
import { MemoryRuleBackend } from './memory-backend.js';
import { Ruler } from './ruler.js';
import { StaticRuleGroupSource } from './source.js';
import type { NamespacedRuleGroup, Notifier, NotifierAlert, RuleGroupDesc, RulerLimits } from './types.js';

const T = parseTenantId('team-a');
const MIN = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MIN);

class FakeClock {
  constructor(public t = T0) {}
  now = () => this.t;
}

class RecordingNotifier implements Notifier {
  readonly sent: { tenantId: TenantId; alerts: NotifierAlert[] }[] = [];
  async send(tenantId: TenantId, alerts: NotifierAlert[]): Promise<void> {
    this.sent.push({ tenantId, alerts });
  }
  take(): NotifierAlert[] {
    const out = this.sent.flatMap((s) => s.alerts);
    this.sent.length = 0;
    return out;
  }
}

function limits(groups = 0, rules = 0): RulerLimits {
  return {
    get: (_t, key) => (key === 'ruler_max_rule_groups_per_tenant' ? groups : rules),
  };
}

function setup(
  groups: RuleGroupDesc[],
  opts: { limits?: RulerLimits; namespace?: string; onEvaluated?: (t: TenantId, n: number) => void } = {},
) {
  const backend = new MemoryRuleBackend();
  const source = new StaticRuleGroupSource();
  const clock = new FakeClock();
  const notifier = new RecordingNotifier();
  const registry = new Registry();
  source.set(
    T,
    groups.map((group): NamespacedRuleGroup => ({ namespace: opts.namespace ?? 'ns', group })),
  );
  const ruler = new Ruler({
    source,
    query: backend.query,
    writer: backend,
    notifier,
    limits: opts.limits ?? limits(),
    clock,
    registry,
    externalURL: 'http://cortex.test/prometheus',
    ...(opts.onEvaluated ? { onEvaluated: opts.onEvaluated } : {}),
  });
  ruler.sync();
  const push = async (metric: string, t: number, v: number) =>
    backend.write(T, [{ labels: Labels.fromObject(parse(metric)), t, v }]);
  const at = async (t: number) => {
    clock.t = t;
    await ruler.evaluateAll(t);
  };
  const instant = async (q: string, t: number) => {
    const v = await backend.query(T, q, t);
    if (v.type !== 'vector') throw new Error(`not a vector: ${v.type}`);
    return v.samples.map((s) => ({ labels: s.labels.toString(), v: s.v }));
  };
  return { backend, source, clock, notifier, registry, ruler, push, at, instant };
}

function parse(metric: string): Record<string, string> {
  const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?$/.exec(metric)!;
  const out: Record<string, string> = { __name__: m[1]! };
  for (const p of (m[2] ?? '').split(',').filter(Boolean)) {
    const [k, v] = p.split('=') as [string, string];
    out[k.trim()] = v.trim().replace(/^"|"$/g, '');
  }
  return out;
}

describe('recording rules', () => {
  it('write the result under the record name with rule labels merged', async () => {
    const h = setup([
      {
        name: 'rec',
        interval: '1m',
        labels: { team: 'core' },
        rules: [
          { record: 'job:up:sum', expr: 'sum by (job) (up)', labels: { source: 'rule' } },
          {
            record: 'all:up:sum',
            expr: 'sum by (job) (up{job="a"})',
            labels: { job: 'overridden', team: 'rule-wins' },
          },
          { record: 'clash:up', expr: 'sum by (job) (up)', labels: { job: 'same' } },
        ],
      },
    ]);
    await h.push('up{job="a",instance="1"}', T0, 1);
    await h.push('up{job="a",instance="2"}', T0, 1);
    await h.push('up{job="b",instance="3"}', T0, 0);
    await h.at(T0);
    expect(await h.instant('job:up:sum', T0)).toEqual([
      { labels: 'job:up:sum{job="a", source="rule", team="core"}', v: 2 },
      { labels: 'job:up:sum{job="b", source="rule", team="core"}', v: 0 },
    ]);
    // Rule labels override result labels and group labels.
    expect(await h.instant('all:up:sum', T0)).toEqual([
      { labels: 'all:up:sum{job="overridden", team="rule-wins"}', v: 2 },
    ]);
    const clash = rulesResponse(h.ruler, T).groups[0]!.rules[2]!;
    expect(clash).toMatchObject({ health: 'err', type: 'recording' });
    expect(clash.lastError).toContain('same labelset');
    expect(await h.instant('clash:up', T0)).toEqual([]);
  });

  it('produce one series per result and stale markers when a series disappears', async () => {
    const h = setup([{ name: 'rec', rules: [{ record: 'instance:up:x2', expr: 'up * 2' }] }]);
    await h.push('up{instance="1"}', T0, 1);
    await h.push('up{instance="2"}', T0, 3);
    await h.at(T0);
    expect(await h.instant('instance:up:x2', T0)).toEqual([
      { labels: 'instance:up:x2{instance="1"}', v: 2 },
      { labels: 'instance:up:x2{instance="2"}', v: 6 },
    ]);
    await h.push('up{instance="1"}', T0 + MIN, 5);
    await h.backend.write(T, [
      { labels: Labels.fromObject({ __name__: 'up', instance: '2' }), t: T0 + MIN, v: STALE_NAN },
    ]);
    await h.at(T0 + MIN);
    // instance 2 vanished from the input: its output series got a stale marker and is gone at once.
    expect(await h.instant('instance:up:x2', T0 + MIN)).toEqual([{ labels: 'instance:up:x2{instance="1"}', v: 10 }]);
    const q = h.backend.storage.querier(T0, T0 + MIN);
    const [series] = await q.select(false, undefined, [
      new Matcher('=', '__name__', 'instance:up:x2'),
      new Matcher('=', 'instance', '2'),
    ]);
    const it = series!.iterator();
    const got: [number, boolean][] = [];
    while (it.next() !== 0) got.push([it.atT(), isStaleNaN(it.atV())]);
    expect(got).toEqual([
      [T0, false],
      [T0 + MIN, true],
    ]);
  });

  it('chain: a later rule in the group sees an earlier rule output of the same evaluation', async () => {
    const h = setup([
      {
        name: 'chain',
        rules: [
          { record: 'a:x', expr: 'vector(3)' },
          { record: 'b:x', expr: 'a:x * 2' },
        ],
      },
    ]);
    await h.at(T0);
    expect(await h.instant('b:x', T0)).toEqual([{ labels: 'b:x', v: 6 }]);
  });

  it('query_offset evaluates and stamps results in the past', async () => {
    const h = setup([{ name: 'off', query_offset: '1m', rules: [{ record: 'x:y', expr: 'up' }] }]);
    await h.push('up{i="1"}', T0 - MIN, 7);
    await h.push('up{i="1"}', T0, 8);
    await h.at(T0);
    const m = await h.backend.query(T, 'x:y[10m]', T0);
    expect(m.type === 'matrix' && m.series[0]!.floats).toEqual([{ t: T0 - MIN, v: 7 }]);
  });

  it('limit: too many series fails the rule', async () => {
    const h = setup([{ name: 'lim', limit: 1, rules: [{ record: 'x:y', expr: 'up' }] }]);
    await h.push('up{i="1"}', T0, 1);
    await h.push('up{i="2"}', T0, 1);
    await h.at(T0);
    expect(rulesResponse(h.ruler, T).groups[0]!.rules[0]!.lastError).toBe('exceeded limit of 1 with 2 series');
  });
});

describe('usage metering', () => {
  it('reports the rules of each group run, failed ones included, per tenant', async () => {
    const seen: Array<[string, number]> = [];
    const h = setup(
      [
        {
          name: 'g',
          interval: '1m',
          rules: [
            { record: 'a:up', expr: 'sum(up)' },
            { record: 'b:up', expr: 'sum(up) by (job)', labels: { job: 'x' } }, // may fail (same labelset): still evaluated
            { alert: 'Down', expr: 'up == 0' },
          ],
        },
      ],
      { onEvaluated: (t, n) => seen.push([t, n]) },
    );
    await h.push('up{job="a"}', T0, 1);
    await h.at(T0);
    await h.at(T0 + MIN);
    expect(seen).toEqual([
      [T, 3],
      [T, 3],
    ]);
  });
});

describe('alerting rules', () => {
  const group: RuleGroupDesc = {
    name: 'alerts',
    interval: '1m',
    rules: [
      {
        alert: 'InstanceDown',
        expr: 'up == 0',
        for: '2m',
        labels: { severity: 'page', instance_copy: '{{ $labels.instance }}' },
        annotations: { summary: '{{ $labels.instance }} of {{ $labels.job }} is down (value {{ $value }})' },
      },
    ],
  };

  it('go pending → firing after `for` → resolved, with ALERTS series and notifications', async () => {
    const h = setup([group]);
    const down = (t: number) => h.push('up{job="node",instance="h1"}', t, 0);
    await down(T0);
    await h.at(T0);
    let alerts = alertsResponse(h.ruler, T).alerts;
    expect(alerts).toEqual([
      {
        labels: { alertname: 'InstanceDown', instance: 'h1', instance_copy: 'h1', job: 'node', severity: 'page' },
        annotations: { summary: 'h1 of node is down (value 0)' },
        state: 'pending',
        activeAt: new Date(T0).toISOString(),
        value: '0e+00',
      },
    ]);
    expect(h.notifier.take()).toEqual([]);
    // Like Prometheus, ALERTS series start after the first evaluation restored `for` state.
    expect(await h.instant('ALERTS', T0)).toEqual([]);

    await down(T0 + MIN);
    await h.at(T0 + MIN);
    expect(alertsResponse(h.ruler, T).alerts[0]!.state).toBe('pending');
    expect(await h.instant('ALERTS', T0 + MIN)).toEqual([
      {
        labels:
          'ALERTS{alertname="InstanceDown", alertstate="pending", instance="h1", instance_copy="h1", job="node", severity="page"}',
        v: 1,
      },
    ]);
    expect(await h.instant('ALERTS_FOR_STATE', T0 + MIN)).toEqual([
      {
        labels:
          'ALERTS_FOR_STATE{alertname="InstanceDown", instance="h1", instance_copy="h1", job="node", severity="page"}',
        v: T0 / 1000,
      },
    ]);

    await down(T0 + 2 * MIN);
    await h.at(T0 + 2 * MIN);
    expect(alertsResponse(h.ruler, T).alerts[0]!.state).toBe('firing');
    expect(await h.instant('ALERTS', T0 + 2 * MIN)).toEqual([
      expect.objectContaining({ labels: expect.stringContaining('alertstate="firing"') }),
    ]);
    let sent = h.notifier.take();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      startsAt: T0 + 2 * MIN,
      endsAt: T0 + 2 * MIN + 4 * MIN,
      generatorURL: `http://cortex.test/prometheus/graph?g0.expr=${encodeURIComponent('up == 0')}&g0.tab=1`,
    });
    expect(sent[0]!.annotations.get('summary')).toBe('h1 of node is down (value 0)');

    // Re-sent only after resend_delay (1m) has passed: not at +1m exactly (strictly after), yes at +2m.
    await down(T0 + 3 * MIN);
    await h.at(T0 + 3 * MIN);
    expect(h.notifier.take()).toEqual([]);
    await down(T0 + 4 * MIN);
    await h.at(T0 + 4 * MIN);
    expect(h.notifier.take()).toHaveLength(1);

    // Recovery: resolved at once, sent with endsAt = resolve time, ALERTS series goes stale.
    await h.push('up{job="node",instance="h1"}', T0 + 5 * MIN, 1);
    await h.at(T0 + 5 * MIN);
    alerts = alertsResponse(h.ruler, T).alerts;
    expect(alerts).toEqual([]);
    sent = h.notifier.take();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ startsAt: T0 + 2 * MIN, endsAt: T0 + 5 * MIN });
    expect(await h.instant('ALERTS', T0 + 5 * MIN)).toEqual([]);
    expect(rulesResponse(h.ruler, T).groups[0]!.rules[0]).toMatchObject({ state: 'inactive', health: 'ok' });

    // Resolved alerts keep being sent every resend delay for 15 minutes, then are forgotten.
    let resolvedSends = 0;
    for (let m = 6; m <= 25; m++) {
      await h.push('up{job="node",instance="h1"}', T0 + m * MIN, 1);
      await h.at(T0 + m * MIN);
      resolvedSends += h.notifier.take().length;
    }
    expect(resolvedSends).toBe(7);
  });

  it('an alert that recovers while pending never notifies', async () => {
    const h = setup([group]);
    await h.push('up{job="node",instance="h1"}', T0, 0);
    await h.at(T0);
    await h.push('up{job="node",instance="h1"}', T0 + MIN, 1);
    await h.at(T0 + MIN);
    expect(alertsResponse(h.ruler, T).alerts).toEqual([]);
    expect(h.notifier.take()).toEqual([]);
  });

  it('keep_firing_for keeps a firing alert after its condition clears', async () => {
    const h = setup([{ name: 'k', rules: [{ alert: 'A', expr: 'up == 0', keep_firing_for: '2m' }] }]);
    await h.push('up{i="1"}', T0, 0);
    await h.at(T0);
    expect(alertsResponse(h.ruler, T).alerts[0]!.state).toBe('firing');
    for (const m of [1, 2]) {
      await h.push('up{i="1"}', T0 + m * MIN, 1);
      await h.at(T0 + m * MIN);
    }
    expect(alertsResponse(h.ruler, T).alerts[0]).toMatchObject({
      state: 'firing',
      keepFiringSince: new Date(T0 + MIN).toISOString(),
    });
    await h.push('up{i="1"}', T0 + 3 * MIN, 1);
    await h.at(T0 + 3 * MIN);
    expect(alertsResponse(h.ruler, T).alerts).toEqual([]);
  });

  it('limit: too many alerts fails the rule and clears its alerts', async () => {
    const h = setup([{ name: 'l', limit: 1, rules: [{ alert: 'A', expr: 'up == 0' }] }]);
    await h.push('up{i="1"}', T0, 0);
    await h.push('up{i="2"}', T0, 0);
    await h.at(T0);
    expect(alertsResponse(h.ruler, T).alerts).toEqual([]);
    expect(rulesResponse(h.ruler, T).groups[0]!.rules[0]!.lastError).toBe('exceeded limit of 1 with 2 alerts');
  });

  it('restores `for` state from ALERTS_FOR_STATE after a restart', async () => {
    const long: RuleGroupDesc = { name: 'g', rules: [{ alert: 'Slow', expr: 'up == 0', for: '30m' }] };
    const h = setup([long]);
    for (let m = 0; m <= 10; m++) {
      await h.push('up{i="1"}', T0 + m * MIN, 0);
      await h.at(T0 + m * MIN);
    }
    expect(alertsResponse(h.ruler, T).alerts[0]).toMatchObject({
      state: 'pending',
      activeAt: new Date(T0).toISOString(),
    });

    // A new ruler over the same storage, 5 minutes of downtime later.
    const restart = T0 + 15 * MIN;
    const source = new StaticRuleGroupSource();
    source.set(T, [{ namespace: 'ns', group: long }]);
    const ruler2 = new Ruler({
      source,
      query: h.backend.query,
      writer: h.backend,
      limits: limits(),
      clock: { now: () => restart },
    });
    ruler2.sync();
    await h.push('up{i="1"}', restart, 0);
    await ruler2.evaluateAll(restart);
    // Pending for 10m before the outage: 20m remain, so activeAt moves forward by the 5m downtime.
    expect(alertsResponse(ruler2, T).alerts[0]).toMatchObject({
      state: 'pending',
      activeAt: new Date(T0 + 5 * MIN).toISOString(),
    });
    // Without restore the alert would have started at `restart`; with it, it fires 30m after T0+5m.
    await h.push('up{i="1"}', T0 + 35 * MIN, 0);
    await ruler2.evaluateAll(T0 + 35 * MIN);
    expect(alertsResponse(ruler2, T).alerts[0]!.state).toBe('firing');
  });

  it('restore never fires sooner than the grace period after start-up', async () => {
    const long: RuleGroupDesc = { name: 'g', rules: [{ alert: 'Slow', expr: 'up == 0', for: '30m' }] };
    const h = setup([long]);
    for (let m = 0; m <= 25; m += 5) {
      await h.push('up{i="1"}', T0 + m * MIN, 0);
      await h.at(T0 + m * MIN);
    }
    const restart = T0 + 27 * MIN;
    const source = new StaticRuleGroupSource();
    source.set(T, [{ namespace: 'ns', group: long }]);
    const ruler2 = new Ruler({
      source,
      query: h.backend.query,
      writer: h.backend,
      limits: limits(),
      clock: { now: () => restart },
    });
    ruler2.sync();
    await h.push('up{i="1"}', restart, 0);
    await ruler2.evaluateAll(restart);
    // 5m of `for` remained (< 10m grace): the alert fires 10m after the restart, not 5m.
    expect(alertsResponse(ruler2, T).alerts[0]!.activeAt).toBe(new Date(restart + 10 * MIN - 30 * MIN).toISOString());
  });
});

describe('rule health and the API', () => {
  it('a broken rule shows its error without affecting the others', async () => {
    const h = setup([
      {
        name: 'mixed',
        rules: [
          { record: 'broken:parse', expr: 'sum(' },
          { record: 'broken:type', expr: '"a string"' },
          { alert: 'BadTemplate', expr: 'vector(1)', annotations: { x: '{{ nope }}' } },
          { record: 'good:one', expr: 'vector(1)' },
          { alert: 'Fine', expr: 'vector(1)' },
        ],
      },
    ]);
    await h.at(T0);
    const rules = rulesResponse(h.ruler, T).groups[0]!.rules;
    expect(rules.map((r) => [r.name, r.health])).toEqual([
      ['broken:parse', 'err'],
      ['broken:type', 'err'],
      ['BadTemplate', 'err'],
      ['good:one', 'ok'],
      ['Fine', 'ok'],
    ]);
    expect(rules[0]!.lastError).toContain('could not parse expression');
    expect(rules[1]!.lastError).toBe('rule result is not a vector or scalar');
    expect(rules[2]!.lastError).toContain('function "nope" not defined');
    expect(await h.instant('good:one', T0)).toEqual([{ labels: 'good:one', v: 1 }]);
    expect(alertsResponse(h.ruler, T).alerts.map((a) => a.labels)).toEqual([{ alertname: 'Fine' }]);
  });

  it('filters by type, rule_name, rule_group and file (= namespace)', async () => {
    const h = setup([
      {
        name: 'g1',
        rules: [
          { record: 'r:1', expr: 'vector(1)' },
          { alert: 'A1', expr: 'vector(1)' },
        ],
      },
      { name: 'g2', rules: [{ alert: 'A2', expr: 'vector(1)' }] },
    ]);
    await h.at(T0);
    const names = (f: Parameters<typeof rulesResponse>[2]) =>
      rulesResponse(h.ruler, T, f).groups.map((g) => `${g.file}/${g.name}:${g.rules.map((r) => r.name).join(',')}`);
    expect(names({})).toEqual(['ns/g1:r:1,A1', 'ns/g2:A2']);
    expect(names({ type: 'record' })).toEqual(['ns/g1:r:1']);
    expect(names({ type: 'alert' })).toEqual(['ns/g1:A1', 'ns/g2:A2']);
    expect(names({ ruleName: ['A2'] })).toEqual(['ns/g2:A2']);
    expect(names({ ruleGroup: ['g1'] })).toEqual(['ns/g1:r:1,A1']);
    expect(names({ file: ['other'] })).toEqual([]);
    const g = rulesResponse(h.ruler, T).groups[0]!;
    expect(g).toMatchObject({ interval: 60, lastEvaluation: new Date(T0).toISOString() });
    expect(rulesResponse(h.ruler, parseTenantId('someone-else')).groups).toEqual([]);
  });
});

describe('scheduling, reloads and limits', () => {
  it('staggers groups inside their interval and counts missed iterations', async () => {
    const h = setup([{ name: 'g', interval: '1m', rules: [{ record: 'x:y', expr: 'vector(1)' }] }]);
    const runner = h.ruler.groups(T)[0]!;
    const off = runner.offsetMs();
    expect(off).toBeGreaterThanOrEqual(0);
    expect(off).toBeLessThan(MIN);
    expect(runner.evalTimestamp(T0 + off + 5)).toBe(T0 + off);
    await h.ruler.evaluateDue(T0 + off);
    expect(runner.lastEvaluation).toBe(T0 + off);
    await h.ruler.evaluateDue(T0 + off + 30_000);
    expect(runner.lastEvaluation).toBe(T0 + off);
    // Three slots later: two were skipped.
    await h.ruler.evaluateDue(T0 + off + 3 * MIN);
    expect(runner.lastEvaluation).toBe(T0 + off + 3 * MIN);
    const missed = await h.registry.getSingleMetric('cortex_prometheus_rule_group_iterations_missed_total')!.get();
    expect(missed.values).toEqual([{ labels: { user: T, rule_group: 'ns;g' }, value: 2 }]);
  });

  it('keeps alert state when a group is changed and drops it when removed', async () => {
    const g: RuleGroupDesc = { name: 'g', rules: [{ alert: 'A', expr: 'vector(1)', for: '5m' }] };
    const h = setup([g]);
    await h.at(T0);
    const before = alertsResponse(h.ruler, T).alerts;
    h.source.set(T, [
      { namespace: 'ns', group: { ...g, rules: [...g.rules, { record: 'new:rule', expr: 'vector(2)' }] } },
    ]);
    h.ruler.sync();
    expect(h.ruler.groups(T)[0]!.rules).toHaveLength(2);
    expect(alertsResponse(h.ruler, T).alerts).toEqual(before);
    h.source.set(T, []);
    h.ruler.sync();
    expect(h.ruler.groups(T)).toEqual([]);
  });

  it('leaves unchanged groups running (same runner) when another tenant changes', async () => {
    const h = setup([{ name: 'g', rules: [{ record: 'a:b', expr: 'vector(1)' }] }]);
    const before = h.ruler.groups(T)[0];
    h.source.set(parseTenantId('other'), [
      { namespace: 'x', group: { name: 'y', rules: [{ record: 'c:d', expr: 'vector(1)' }] } },
    ]);
    h.ruler.sync();
    expect(h.ruler.groups(T)[0]).toBe(before);
    expect(h.ruler.tenants().sort()).toEqual(['other', T]);
  });

  it('evaluates only the groups its sharding owns', () => {
    const source = new StaticRuleGroupSource();
    source.set(
      T,
      ['a', 'b', 'c'].map((name) => ({ namespace: 'ns', group: { name, rules: [{ record: 'x:y', expr: '1' }] } })),
    );
    const backend = new MemoryRuleBackend();
    const ruler = new Ruler({
      source,
      query: backend.query,
      writer: backend,
      limits: limits(),
      sharding: { owns: (_t, _ns, group) => group !== 'b' },
    });
    ruler.sync();
    expect(ruler.groups(T).map((g) => g.cfg.name)).toEqual(['a', 'c']);
  });

  it('enforces ruler_max_rule_groups_per_tenant and ruler_max_rules_per_rule_group, read per sync', async () => {
    let maxGroups = 1;
    const dyn: RulerLimits = { get: (_t, k) => (k === 'ruler_max_rule_groups_per_tenant' ? maxGroups : 1) };
    const h = setup(
      [
        { name: 'a', rules: [{ record: 'a:x', expr: 'vector(1)' }] },
        {
          name: 'b',
          rules: [
            { record: 'b:x', expr: 'vector(1)' },
            { record: 'b:y', expr: 'vector(1)' },
          ],
        },
      ],
      { limits: dyn },
    );
    await h.at(T0);
    let groups = rulesResponse(h.ruler, T).groups;
    expect(groups[0]!.rules[0]!.health).toBe('ok');
    expect(groups[1]!.rules[0]!.lastError).toContain('ruler_max_rule_groups_per_tenant');
    maxGroups = 2;
    h.ruler.sync();
    await h.at(T0 + MIN);
    groups = rulesResponse(h.ruler, T).groups;
    expect(groups[1]!.rules[0]!.lastError).toContain('ruler_max_rules_per_rule_group');
  });

  it('start() runs each group on its own slots through timers and picks up source changes', async () => {
    vi.useFakeTimers({ now: T0 });
    try {
      const backend = new MemoryRuleBackend();
      const source = new StaticRuleGroupSource();
      source.set(T, [{ namespace: 'ns', group: { name: 'g', rules: [{ record: 'x:y', expr: 'vector(1)' }] } }]);
      const ruler = new Ruler({
        source,
        query: backend.query,
        writer: backend,
        limits: limits(),
        clock: { now: () => Date.now() },
      });
      ruler.start();
      const runner = ruler.groups(T)[0]!;
      const off = runner.offsetMs();
      expect(runner.lastEvaluation).toBe(0);
      await vi.advanceTimersByTimeAsync(off + 1);
      expect(runner.lastEvaluation).toBe(T0 + off);
      await vi.advanceTimersByTimeAsync(MIN);
      expect(runner.lastEvaluation).toBe(T0 + off + MIN);

      // A new group appears in the source: the sync timer schedules it within a second.
      source.set(T, [
        { namespace: 'ns', group: { name: 'g', rules: [{ record: 'x:y', expr: 'vector(1)' }] } },
        { namespace: 'ns', group: { name: 'h', interval: '10s', rules: [{ record: 'x:z', expr: 'vector(2)' }] } },
      ]);
      await vi.advanceTimersByTimeAsync(1000 + 10_000);
      const added = ruler.groups(T).find((g) => g.cfg.name === 'h')!;
      expect(added.lastEvaluation).toBeGreaterThan(0);

      ruler.stop();
      const last = runner.lastEvaluation;
      await vi.advanceTimersByTimeAsync(5 * MIN);
      expect(runner.lastEvaluation).toBe(last);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each(['30d', '100y'])('a group with interval %s waits for its slot instead of spinning', async (interval) => {
    vi.useFakeTimers({ now: T0 });
    try {
      const backend = new MemoryRuleBackend();
      const source = new StaticRuleGroupSource();
      source.set(T, [
        { namespace: 'ns', group: { name: 'g', interval, rules: [{ record: 'x:y', expr: 'vector(1)' }] } },
      ]);
      const ruler = new Ruler({
        source,
        query: backend.query,
        writer: backend,
        limits: limits(),
        clock: { now: () => Date.now() },
        syncIntervalMs: 2 ** 31 - 1,
      });
      ruler.start();
      const runner = ruler.groups(T)[0]!;
      const runs = vi.spyOn(runner, 'runScheduled');
      // A timer beyond 2^31 - 1 ms fires after 1 ms: that used to re-run the slot check every millisecond.
      await vi.advanceTimersByTimeAsync(1_000);
      expect(runs).not.toHaveBeenCalled();
      const next = runner.evalTimestamp(Date.now()) + runner.cfg.intervalMs;
      await vi.advanceTimersByTimeAsync(next - Date.now() + 1);
      expect(runs).toHaveBeenCalledTimes(1);
      expect(runner.lastEvaluation).toBe(next);
      ruler.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('bounds concurrent group evaluations per tenant', async () => {
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const source = new StaticRuleGroupSource();
    source.set(
      T,
      Array.from({ length: 6 }, (_, i) => ({
        namespace: 'ns',
        group: { name: `g${i}`, rules: [{ record: 'a:b', expr: 'vector(1)' }] },
      })),
    );
    const ruler = new Ruler({
      source,
      query: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => release.push(r));
        running--;
        return { type: 'vector', samples: [] };
      },
      writer: { write: async () => {} },
      limits: limits(),
      tenantConcurrency: 2,
    });
    ruler.sync();
    const done = ruler.evaluateAll(T0);
    for (let i = 0; i < 6; i++) {
      await vi.waitFor(() => expect(release.length).toBeGreaterThan(0));
      release.shift()!();
    }
    await done;
    expect(peak).toBe(2);
  });
});

describe('notifications', () => {
  it('firing alerts get endsAt = now + 4 × max(interval, resend_delay); a failing notifier does not stop evaluation', async () => {
    const source = new StaticRuleGroupSource();
    source.set(T, [
      {
        namespace: 'ns',
        group: {
          name: 'g',
          interval: '5m',
          rules: [
            { alert: 'A', expr: 'vector(1)' },
            { record: 'r:x', expr: 'vector(2)' },
          ],
        },
      },
    ]);
    const backend = new MemoryRuleBackend();
    const got: NotifierAlert[] = [];
    let fail = true;
    const registry = new Registry();
    const ruler = new Ruler({
      source,
      query: backend.query,
      writer: backend,
      limits: limits(),
      registry,
      notifier: {
        send: async (_t, alerts) => {
          if (fail) throw new Error('alertmanager down');
          got.push(...alerts);
        },
      },
    });
    ruler.sync();
    await ruler.evaluateAll(T0);
    expect(rulesResponse(ruler, T).groups[0]!.rules.map((r) => r.health)).toEqual(['ok', 'ok']);
    const errors = await registry.getSingleMetric('cortex_prometheus_notifications_errors_total')!.get();
    expect(errors.values[0]!.value).toBe(1);
    fail = false;
    await ruler.evaluateAll(T0 + 5 * MIN);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ startsAt: T0, endsAt: T0 + 5 * MIN + 4 * 5 * MIN });
  });
});
