import { describe, expect, it } from 'vitest';
import { Labels, parseTenantId } from '../model/index.js';
import { MultitenantAlertmanager, type MultitenantAlertmanagerOptions } from './multitenant.js';
import { type Integration, type NotifyData, NotifyError } from './notify/index.js';
import { ManualScheduler } from './scheduler.js';

const T = parseTenantId('team-a');
const S = 1000;
const M = 60 * S;
const START = Date.parse('2026-11-26T10:00:00Z');

interface Sent {
  at: number;
  receiver: string;
  integration: string;
  groupKey: string;
  alerts: string[];
}

/** A tenant Alertmanager on a manual clock whose integrations record what they would send. */
async function setup(
  config: string,
  extra: Partial<MultitenantAlertmanagerOptions> = {},
  fail?: (n: number) => Error | undefined,
) {
  const sched = new ManualScheduler(START);
  const sent: Sent[] = [];
  let calls = 0;
  const am = new MultitenantAlertmanager({
    fetchConfigs: async () => ({ revision: 1, tenants: { [T]: { config, templates: {}, revision: 1 } } }),
    externalUrl: 'http://am.example/alertmanager',
    clock: sched,
    scheduler: sched,
    initialBackoffMs: 1000,
    integrationFactory: (r) =>
      r.integrations.map(
        (c, index): Integration => ({
          name: c.kind,
          index,
          sendResolved: c.sendResolved,
          async notify(d: NotifyData) {
            const err = fail?.(++calls);
            if (err) throw err;
            sent.push({
              at: (sched.now() - START) / S,
              receiver: d.receiver,
              integration: c.kind,
              groupKey: d.groupKey,
              alerts: d.alerts.map((a) => `${a.labels.get('alertname')}:${a.endsAt <= d.now ? 'resolved' : 'firing'}`),
            });
          },
        }),
      ),
    ...extra,
  });
  await am.start();
  const post = (alerts: { labels: Record<string, string>; endsAt?: number; startsAt?: number }[]) =>
    am.postAlerts(
      T,
      alerts.map((a) => ({
        labels: a.labels,
        ...(a.endsAt !== undefined ? { endsAt: new Date(a.endsAt).toISOString() } : {}),
        ...(a.startsAt !== undefined ? { startsAt: new Date(a.startsAt).toISOString() } : {}),
      })),
    );
  return { am, sched, sent, post, stop: () => am.stop() };
}

const CONFIG = `
global:
  resolve_timeout: 2h
route:
  receiver: default
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
  routes:
    - matchers: [severity="critical"]
      receiver: pager
      continue: true
    - matchers: [team="db"]
      receiver: db
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
receivers:
  - name: default
    webhook_configs: [{url: "https://hook.example/default"}]
  - name: pager
    webhook_configs: [{url: "https://hook.example/pager"}]
  - name: db
    webhook_configs: [{url: "https://hook.example/db", send_resolved: false}]
`;

describe('dispatch', () => {
  it('waits group_wait, then batches updates per group_interval', async () => {
    const { sched, sent, post, stop } = await setup(CONFIG);
    await post([{ labels: { alertname: 'A', instance: '1' } }]);
    await sched.advance(29 * S);
    expect(sent).toEqual([]);
    await post([{ labels: { alertname: 'A', instance: '2' } }]);
    await sched.advance(1 * S);
    expect(sent).toEqual([
      {
        at: 30,
        receiver: 'default',
        integration: 'webhook',
        groupKey: '{}:{alertname="A"}',
        alerts: ['A:firing', 'A:firing'],
      },
    ]);
    await post([{ labels: { alertname: 'A', instance: '3' } }]);
    await sched.advance(4 * M);
    expect(sent).toHaveLength(1);
    await sched.advance(1 * M);
    expect(sent.map((s) => [s.at, s.alerts.length])).toEqual([
      [30, 2],
      [330, 3],
    ]);
    stop();
  });

  it('repeats an unchanged group after repeat_interval (on a group_interval tick)', async () => {
    const { sched, sent, post, stop } = await setup(CONFIG);
    await post([{ labels: { alertname: 'A' } }]);
    // Keep the alert alive past resolve_timeout as a ruler would by re-sending it.
    for (let i = 0; i < 14; i++) {
      await sched.advance(5 * M);
      await post([{ labels: { alertname: 'A' } }]);
    }
    // Like Alertmanager, the repeat goes out on the first group_interval tick strictly after
    // repeat_interval has passed: 30 s + 1 h + 5 m.
    expect(sent.map((s) => s.at)).toEqual([30, 3930]);
    stop();
  });

  it('sends resolved notifications and then forgets the group', async () => {
    const { am, sched, sent, post, stop } = await setup(CONFIG);
    await post([{ labels: { alertname: 'A' } }]);
    await sched.advance(30 * S);
    await post([{ labels: { alertname: 'A' }, endsAt: sched.now() }]);
    await sched.advance(5 * M);
    expect(sent.map((s) => [s.at, s.alerts])).toEqual([
      [30, ['A:firing']],
      [330, ['A:resolved']],
    ]);
    expect((await am.tenant(T)).groups()).toEqual([]);
    stop();
  });

  it('flushes at once when the first alert is older than group_wait', async () => {
    const { sched, sent, post, stop } = await setup(CONFIG);
    await post([{ labels: { alertname: 'Old' }, startsAt: START - 10 * M }]);
    await sched.advance(0);
    expect(sent.map((s) => s.at)).toEqual([0]);
    stop();
  });

  it('routes to the first match, continuing past routes with continue: true', async () => {
    const { sched, sent, post, stop } = await setup(CONFIG);
    await post([
      { labels: { alertname: 'Crit', severity: 'critical', team: 'db' } },
      { labels: { alertname: 'Db', team: 'db' } },
      { labels: { alertname: 'Other' } },
    ]);
    await sched.advance(30 * S);
    expect(sent.map((s) => `${s.receiver} ${s.groupKey}`).sort()).toEqual([
      'db {}/{team="db"}:{alertname="Crit"}',
      'db {}/{team="db"}:{alertname="Db"}',
      'default {}:{alertname="Other"}',
      'pager {}/{severity="critical"}:{alertname="Crit"}',
    ]);
    stop();
  });

  it('does not send resolved alerts to integrations with send_resolved: false', async () => {
    const { sched, sent, post, stop } = await setup(CONFIG);
    await post([{ labels: { alertname: 'Db', team: 'db' } }]);
    await sched.advance(30 * S);
    await post([{ labels: { alertname: 'Db', team: 'db' }, endsAt: sched.now() }]);
    await sched.advance(10 * M);
    expect(sent.map((s) => s.alerts)).toEqual([['Db:firing']]);
    stop();
  });

  it('inhibits targets while a matching source fires', async () => {
    const { sched, sent, post, stop } = await setup(CONFIG);
    await post([
      { labels: { alertname: 'Down', severity: 'critical', cluster: 'eu' } },
      { labels: { alertname: 'Slow', severity: 'warning', cluster: 'eu' } },
      { labels: { alertname: 'Slow2', severity: 'warning', cluster: 'us' } },
    ]);
    await sched.advance(30 * S);
    expect(sent.filter((s) => s.receiver === 'default').map((s) => s.alerts[0])).toEqual(['Slow2:firing']);
    // The source resolves: the target is notified on its next flush.
    await post([{ labels: { alertname: 'Down', severity: 'critical', cluster: 'eu' }, endsAt: sched.now() }]);
    await sched.advance(5 * M);
    expect(sent.filter((s) => s.receiver === 'default').map((s) => s.alerts[0])).toContain('Slow:firing');
    stop();
  });

  it('silences mute matching alerts until they expire', async () => {
    const { am, sched, sent, post, stop } = await setup(CONFIG);
    const t = await am.tenant(T);
    const id = await t.silences.set({
      matchers: [{ name: 'alertname', value: 'A|B', isRegex: true, isEqual: true }],
      startsAt: sched.now(),
      endsAt: sched.now() + 10 * M,
      createdBy: 'me',
      comment: 'maintenance',
    });
    await post([{ labels: { alertname: 'A' } }, { labels: { alertname: 'C' } }]);
    await sched.advance(30 * S);
    expect(sent.map((s) => s.alerts[0])).toEqual(['C:firing']);
    await t.silences.expire(id);
    await post([{ labels: { alertname: 'A' } }]);
    await sched.advance(5 * M);
    expect(sent.map((s) => s.alerts[0])).toEqual(['C:firing', 'A:firing']);
    stop();
  });

  it('retries retryable failures with backoff and gives up on permanent ones', async () => {
    const failures = [new NotifyError('503', true), new NotifyError('503', true)];
    const { sched, sent, post, stop } = await setup(CONFIG, {}, (n) => failures[n - 1]);
    await post([{ labels: { alertname: 'A' } }]);
    await sched.advance(30 * S);
    expect(sent).toEqual([]);
    await sched.advance(1 * S);
    expect(sent).toEqual([]);
    await sched.advance(2 * S);
    expect(sent.map((s) => s.at)).toEqual([33]);
    stop();
  });

  it('does not log a failed notification, so the next flush tries again', async () => {
    const { sched, sent, post, stop } = await setup(CONFIG, { maxAttempts: 1 }, (n) =>
      n === 1 ? new NotifyError('400', false) : undefined,
    );
    await post([{ labels: { alertname: 'A' } }]);
    await sched.advance(30 * S);
    expect(sent).toEqual([]);
    await sched.advance(5 * M);
    expect(sent.map((s) => s.at)).toEqual([330]);
    stop();
  });

  it('drops notifications above the tenant notification rate', async () => {
    const { am, sched, sent, post, stop } = await setup(CONFIG, {
      limits: { notificationRate: 0.001, notificationBurst: 2 },
    });
    await post([{ labels: { alertname: 'A' } }, { labels: { alertname: 'B' } }, { labels: { alertname: 'C' } }]);
    await sched.advance(30 * S);
    expect(sent).toHaveLength(2);
    expect((await am.tenant(T)).stats.rateLimited).toBe(1);
    stop();
  });

  it('rejects alerts above the per-tenant alert limit', async () => {
    const { post, stop } = await setup(CONFIG, { limits: { maxAlerts: 2 } });
    await post([{ labels: { alertname: 'A' } }, { labels: { alertname: 'B' } }]);
    await expect(post([{ labels: { alertname: 'C' } }])).rejects.toThrow(/too many alerts, limit: 2, alert name: C/);
    await post([{ labels: { alertname: 'A' } }]);
    stop();
  });

  it('mutes notifications during a mute time interval and sends outside it', async () => {
    const cfg = `
global:
  resolve_timeout: 2h
route:
  receiver: r
  group_by: [alertname]
  group_wait: 30s
  group_interval: 1h
  routes:
    - matchers: [alertname="A"]
      mute_time_intervals: [morning]
time_intervals:
  - name: morning
    time_intervals: [{times: [{start_time: '10:00', end_time: '11:00'}]}]
receivers:
  - name: r
    webhook_configs: [{url: "https://hook.example/r"}]
`;
    const { sched, sent, post, stop } = await setup(cfg);
    await post([{ labels: { alertname: 'A' } }]);
    await sched.advance(30 * S);
    expect(sent).toEqual([]);
    await post([{ labels: { alertname: 'A' } }]);
    await sched.advance(1 * 3600 * S);
    expect(sent.map((s) => s.at)).toEqual([3630]);
    stop();
  });

  it('takes typed alerts from the in-process ruler (send) like posted ones', async () => {
    const { am, sched, sent, stop } = await setup(CONFIG);
    await am.send(T, [
      {
        labels: Labels.fromObject({ alertname: 'FromRuler', severity: 'critical' }),
        annotations: Labels.EMPTY,
        startsAt: sched.now(),
        endsAt: sched.now() + 4 * M,
        generatorURL: 'http://ruler/graph',
      },
    ]);
    await expect(
      am.send(T, [{ labels: Labels.EMPTY, annotations: Labels.EMPTY, startsAt: 0, endsAt: 1, generatorURL: '' }]),
    ).rejects.toThrow(/at least one label/);
    await sched.advance(30 * S);
    // Matched only by the `continue: true` route, so the root does not take it (as upstream).
    expect(sent.map((s) => `${s.receiver} ${s.alerts}`)).toEqual(['pager FromRuler:firing']);
    stop();
  });

  it('caps aggregation groups per tenant', async () => {
    const { am, sched, sent, post, stop } = await setup(CONFIG, { limits: { maxAggregationGroups: 2 } });
    await post([{ labels: { alertname: 'A' } }, { labels: { alertname: 'B' } }, { labels: { alertname: 'C' } }]);
    await sched.advance(30 * S);
    expect(sent.map((s) => s.alerts[0])).toEqual(['A:firing', 'B:firing']);
    expect((await am.tenant(T)).groups()).toHaveLength(2);
    stop();
  });

  it('a config reload keeps alerts and does not notify them again', async () => {
    const sched = new ManualScheduler(START);
    const sent: string[] = [];
    let feed = { revision: 1, tenants: { [T]: { config: CONFIG, templates: {}, revision: 1 } } };
    const am = new MultitenantAlertmanager({
      fetchConfigs: async () => feed,
      externalUrl: 'http://am',
      clock: sched,
      scheduler: sched,
      integrationFactory: (r) =>
        r.integrations.map((c, index) => ({
          name: c.kind,
          index,
          sendResolved: c.sendResolved,
          notify: async (d: NotifyData) => {
            sent.push(`${d.receiver} ${d.alerts.length}`);
          },
        })),
    });
    await am.start();
    await am.postAlerts(T, [{ labels: { alertname: 'A' } }]);
    await sched.advance(30 * S);
    expect(sent).toEqual(['default 1']);
    feed = { revision: 2, tenants: { [T]: { config: `${CONFIG}\n# edited\n`, templates: {}, revision: 2 } } };
    await sched.advance(2 * M);
    expect((await am.tenant(T)).config.raw).toContain('# edited');
    expect((await am.tenant(T)).listAlerts()).toHaveLength(1);
    expect(sent).toEqual(['default 1']);
    am.stop();
  });

  it('uses the fallback config for a tenant without one and reloads on a feed change', async () => {
    const sched = new ManualScheduler(START);
    let feed = {
      revision: 1,
      tenants: {} as Record<string, { config: string; templates: Record<string, string>; revision: number }>,
    };
    const am = new MultitenantAlertmanager({
      fetchConfigs: async () => feed,
      externalUrl: 'http://am',
      clock: sched,
      scheduler: sched,
    });
    await am.start();
    expect((await am.tenant(T)).config.isFallback).toBe(true);
    feed = { revision: 2, tenants: { [T]: { config: CONFIG, templates: {}, revision: 1 } } };
    await sched.advance(1 * S);
    const t = await am.tenant(T);
    expect(t.config.isFallback).toBe(false);
    expect(t.config.config.receivers.map((r) => r.name)).toEqual(['default', 'pager', 'db']);
    // A broken update (bad template) keeps the last good config.
    feed = {
      revision: 3,
      tenants: {
        [T]: {
          config: 'route: {receiver: x}\nreceivers: [{name: x}]',
          templates: { 'a.tmpl': '{{ if }}' },
          revision: 2,
        },
      },
    };
    await sched.advance(1 * S);
    expect((await am.tenant(T)).config.config.receivers.map((r) => r.name)).toEqual(['default', 'pager', 'db']);
    am.stop();
  });
});
