import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LimitExceededError, parseTenantId } from '../model/index.js';
import { type Limits, Overrides, StaticTenantLimitsSource } from '../validation/index.js';
import { MultitenantAlertmanager } from './multitenant.js';
import type { Integration } from './notify/index.js';
import { ManualScheduler } from './scheduler.js';

const T = parseTenantId('team-a');
const OTHER = parseTenantId('team-b');
const START = Date.parse('2026-11-26T10:00:00Z');
const CONFIG = `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{url: "https://hook.example/a"}]
    email_configs: [{to: "a@example.com", from: "am@example.com", smarthost: "smtp.example:25", require_tls: false}]
`;

/** A tenant Alertmanager whose limits come from an `Overrides` over a source the test swaps (a `limits set`). */
async function setup() {
  const sched = new ManualScheduler(START);
  const source = new StaticTenantLimitsSource();
  const set = (tenant: string, l: Partial<Limits>) => source.replace(new Map([[tenant, l]]));
  const sent: string[] = [];
  const registry = new Registry();
  const am = new MultitenantAlertmanager({
    fetchConfigs: async () => ({ revision: 1, tenants: { [T]: { config: CONFIG, templates: {}, revision: 1 } } }),
    externalUrl: 'http://am.example/alertmanager',
    clock: sched,
    scheduler: sched,
    overrides: new Overrides(source),
    registry,
    integrationFactory: (r) =>
      r.integrations.map(
        (c, index): Integration => ({
          name: c.kind,
          index,
          sendResolved: c.sendResolved,
          async notify(d) {
            sent.push(`${c.kind} ${d.alerts.map((a) => a.labels.get('alertname')).join(',')}`);
          },
        }),
      ),
  });
  await am.start();
  const post = (tenant: typeof T, ...names: string[]) =>
    am.postAlerts(
      tenant,
      names.map((n) => ({ labels: { alertname: n }, annotations: { summary: 'x'.repeat(10) } })),
    );
  return { am, sched, set, sent, post, registry };
}

const silence = (name: string) => ({
  matchers: [{ name: 'alertname', value: name, isRegex: false, isEqual: true }],
  startsAt: START,
  endsAt: START + 3600_000,
  createdBy: 'me',
  comment: '',
});

describe('alertmanager per-tenant limits (Overrides, read on every use)', () => {
  it('alertmanager_max_alerts_count: refuses new alerts over the limit, a raised limit applies at once', async () => {
    const { am, set, post } = await setup();
    set(T, { alertmanager_max_alerts_count: 2 });
    await post(T, 'A', 'B');
    const err = await post(T, 'C').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceededError);
    expect((err as LimitExceededError).id).toBe('err-cortex-alertmanager-max-alerts-count');
    expect((err as Error).message).toMatch(/too many alerts, limit: 2, alert name: C/);
    await post(T, 'A'); // an update of a held alert passes
    await post(OTHER, 'X', 'Y', 'Z'); // another tenant keeps the default (10 000)
    set(T, { alertmanager_max_alerts_count: 3 });
    await post(T, 'C');
    set(T, { alertmanager_max_alerts_count: 0 }); // 0 = unlimited
    await post(T, 'D', 'E', 'F');
    expect((await am.tenant(T)).listAlerts()).toHaveLength(6);
    am.stop();
  });

  it('alertmanager_max_alerts_size_bytes: counts labels, annotations and generator URL', async () => {
    const { am, set, post } = await setup();
    // alertname + A + summary + 10 × x = 9 + 1 + 7 + 10 = 27 bytes per alert.
    set(T, { alertmanager_max_alerts_size_bytes: 60 });
    await post(T, 'A', 'B');
    expect((await am.tenant(T)).alertsSizeBytes).toBe(54);
    const err = await post(T, 'C').catch((e: unknown) => e);
    expect((err as LimitExceededError).id).toBe('err-cortex-alertmanager-max-alerts-size');
    await post(T, 'A'); // same size: allowed
    set(T, { alertmanager_max_alerts_size_bytes: 100 });
    await post(T, 'C');
    expect((await am.tenant(T)).alertsSizeBytes).toBe(81);
    am.stop();
  });

  it('alertmanager_max_silences_count: applies to the next silence created', async () => {
    const { am, set } = await setup();
    const t = await am.tenant(T);
    set(T, { alertmanager_max_silences_count: 1 });
    await t.silences.set(silence('A'));
    await expect(t.silences.set(silence('B'))).rejects.toThrow(/maximum number of silences: 1/);
    set(T, { alertmanager_max_silences_count: 2 });
    await t.silences.set(silence('B'));
    expect(t.silences.list()).toHaveLength(2);
    am.stop();
  });

  it('alertmanager_max_dispatcher_aggregation_groups: new groups beyond it are not created', async () => {
    const { am, sched, set, post, registry } = await setup();
    set(T, { alertmanager_max_dispatcher_aggregation_groups: 1 });
    await post(T, 'A', 'B');
    expect((await am.tenant(T)).groups()).toHaveLength(1);
    set(T, { alertmanager_max_dispatcher_aggregation_groups: 5 });
    await post(T, 'B', 'C');
    await sched.advance(10_000);
    expect((await am.tenant(T)).groups()).toHaveLength(3);
    const m = await registry
      .getSingleMetric('cortex_alertmanager_dispatcher_aggregation_group_limit_reached_total')!
      .get();
    expect(m.values[0]?.value).toBe(1);
    am.stop();
  });

  it('alertmanager_notification_rate_limit: one bucket per integration type, changed without restart', async () => {
    const { am, sched, set, sent, post, registry } = await setup();
    // 1 / 100 s: burst 1 per integration type; three groups → one webhook and one email pass.
    set(T, { alertmanager_notification_rate_limit: 0.01 });
    await post(T, 'A', 'B', 'C');
    await sched.advance(10_000);
    expect(sent.filter((s) => s.startsWith('webhook'))).toHaveLength(1);
    expect(sent.filter((s) => s.startsWith('email'))).toHaveLength(1);
    expect((await am.tenant(T)).stats.rateLimited).toBe(4);
    const m = await registry.getSingleMetric('cortex_alertmanager_notification_rate_limited_total')!.get();
    expect(m.values.map((v) => [v.labels.integration, v.value]).sort()).toEqual([
      ['email', 2],
      ['webhook', 2],
    ]);
    // Lifted: the groups that were dropped are notified at their next group interval.
    set(T, { alertmanager_notification_rate_limit: 0 });
    await sched.advance(60_000);
    expect(sent).toHaveLength(6);
    am.stop();
  });
});
