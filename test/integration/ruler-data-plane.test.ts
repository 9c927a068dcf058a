/**
 * The ruler against the real data plane: rules query through the TenantQuerier and write through
 * the Distributor (tenant limits apply), and their output is visible through the query API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTenantId } from '../../data-plane/model/index.js';
import {
  distributorRuleWriter,
  type Notifier,
  type NotifierAlert,
  querierQueryFunc,
  Ruler,
  StaticRuleGroupSource,
} from '../../data-plane/ruler/index.js';
import { buildDataPlaneApp, type TestDataPlane } from '../helpers/data-plane-app.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const A = parseTenantId('ruler-a');
const B = parseTenantId('ruler-b');

let now = T0;
const clock = { now: () => now };
let h: TestDataPlane;
let ruler: Ruler;
const source = new StaticRuleGroupSource();
const sent: { tenant: string; alerts: NotifierAlert[] }[] = [];
const notifier: Notifier = {
  async send(tenant, alerts) {
    sent.push({ tenant, alerts });
  },
};

beforeAll(async () => {
  h = await buildDataPlaneApp({ clock });
  source.set(A, [
    {
      namespace: 'app',
      group: {
        name: 'slo',
        interval: '1m',
        rules: [
          { record: 'job:requests:rate1m', expr: 'sum by (job) (rate(requests_total[2m]))' },
          {
            alert: 'TooManyRequests',
            expr: 'job:requests:rate1m > 1',
            for: '1m',
            annotations: { summary: '{{ $labels.job }} at {{ $value | humanize }} req/s' },
          },
        ],
      },
    },
  ]);
  ruler = new Ruler({
    source,
    query: querierQueryFunc(h.dp.querier),
    writer: distributorRuleWriter(h.dp.distributor),
    notifier,
    limits: h.dp.overrides,
    clock,
    registry: h.dp.registry, // the registry the server's /metrics serves
    externalURL: 'http://cortex.test/prometheus',
  });
  ruler.sync();
});
afterAll(() => h?.close());

async function pushRequests(tenant: string, t: number, v: number): Promise<void> {
  const res = await h.push(tenant, [
    { labels: { __name__: 'requests_total', job: 'api' }, samples: [{ value: v, timestamp: t }] },
  ]);
  expect(res.status).toBe(204);
}

async function evalAt(t: number): Promise<void> {
  now = t;
  await ruler.evaluateAll(t);
}

describe('ruler on the real data plane', () => {
  it('records, alerts and notifies for one tenant only', async () => {
    for (let m = 0; m <= 4; m++) {
      await pushRequests('ruler-a', T0 + m * MIN, m * 300);
      await pushRequests('ruler-b', T0 + m * MIN, m * 300);
      await evalAt(T0 + m * MIN);
    }
    const q = await h.get('ruler-a', '/prometheus/api/v1/query', {
      query: 'job:requests:rate1m',
      time: String((T0 + 4 * MIN) / 1000),
    });
    expect(q.status).toBe(200);
    expect(q.json.data.result).toEqual([
      { metric: { __name__: 'job:requests:rate1m', job: 'api' }, value: [(T0 + 4 * MIN) / 1000, '5'] },
    ]);

    const alerts = await h.get('ruler-a', '/prometheus/api/v1/query', {
      query: 'ALERTS',
      time: String((T0 + 4 * MIN) / 1000),
    });
    expect(alerts.json.data.result).toEqual([
      {
        metric: { __name__: 'ALERTS', alertname: 'TooManyRequests', alertstate: 'firing', job: 'api' },
        value: [(T0 + 4 * MIN) / 1000, '1'],
      },
    ]);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((s) => s.tenant === A)).toBe(true);
    expect(sent[0]!.alerts[0]!.annotations.get('summary')).toBe('api at 5 req/s');

    // Tenant B pushed the same raw data but has no rules: no recorded series exist for it.
    const other = await h.get('ruler-b', '/prometheus/api/v1/query', {
      query: 'job:requests:rate1m',
      time: String((T0 + 4 * MIN) / 1000),
    });
    expect(other.json.data.result).toEqual([]);
    expect(ruler.groups(B)).toEqual([]);
  });

  it('a write the distributor refuses shows up as the rule error', async () => {
    h.limits.replace(new Map([[A, { max_global_series_per_user: 1 }]]));
    const groups = source.snapshot().get(A)!;
    source.set(A, [
      ...groups,
      { namespace: 'app', group: { name: 'new', rules: [{ record: 'brand:new', expr: 'vector(1)' }] } },
    ]);
    ruler.sync();
    await evalAt(T0 + 5 * MIN);
    // Groups come ordered by namespace and name: app/new before app/slo.
    const rule = ruler.groups(A)[0]!.rules[0]!;
    expect(rule.name).toBe('brand:new');
    expect(rule.status.health).toBe('err');
    expect(rule.status.lastError).toContain('series dropped');
    // The existing group's series were already known, so they still write.
    expect(ruler.groups(A)[1]!.rules[0]!.status.health).toBe('ok');
    h.limits.replace(new Map());
  });

  it('a rule over a pathological subquery fails with the query limits, the others keep running', async () => {
    const groups = source.snapshot().get(A)!;
    const cases = [
      { record: 'bad:tiny_step', expr: 'sum(rate(requests_total[30d:1ms]))', id: 'err-cortex-max-subquery-steps' },
      { record: 'bad:tiny_step2', expr: 'rate(requests_total[1d:1ms])', id: 'err-cortex-max-subquery-steps' },
    ];
    source.set(A, [
      ...groups,
      { namespace: 'hostile', group: { name: 'g', rules: cases.map(({ record, expr }) => ({ record, expr })) } },
    ]);
    ruler.sync();
    await pushRequests('ruler-a', T0 + 6 * MIN, 1800);
    const t0 = performance.now();
    await evalAt(T0 + 6 * MIN);
    // refused before any work: the whole evaluation round stays short (a bound, not a benchmark)
    expect(performance.now() - t0).toBeLessThan(10_000);
    const hostile = ruler.groups(A).find((g) => g.cfg.name === 'g')!;
    for (const [i, c] of cases.entries()) {
      expect(hostile.rules[i]!.status.health).toBe('err');
      expect(hostile.rules[i]!.status.lastError).toContain(c.id);
    }
    expect(ruler.groups(A).find((g) => g.cfg.name === 'slo')!.rules[0]!.status.health).toBe('ok');
    source.set(A, groups);
    ruler.sync();
  });

  it('missed iterations are counted in the registry /metrics serves', async () => {
    const group = ruler.groups(A).find((g) => g.cfg.name === 'slo')!;
    const slot = group.evalTimestamp(T0 + 20 * MIN);
    now = slot;
    await ruler.evaluateDue(slot);
    // Three intervals later: the two slots in between were never run.
    now = slot + 3 * MIN;
    await ruler.evaluateDue(now);
    const text = await h.dp.registry.metrics();
    expect(text).toContain(
      'cortex_prometheus_rule_group_iterations_missed_total{user="ruler-a",rule_group="app;slo"} 2',
    );
    expect(text).toMatch(/cortex_prometheus_rule_group_iterations_total\{user="ruler-a",rule_group="app;slo"\} 4/);
  });
});
