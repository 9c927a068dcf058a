import { describe, expect, it } from 'vitest';
import { parseTenantId } from '../model/index.js';
import { type AlertmanagerFeed, MultitenantAlertmanager } from './multitenant.js';
import { ManualScheduler } from './scheduler.js';

const CONFIG = 'route:\n  receiver: hook\nreceivers:\n  - name: hook\n';

/**
 * The feed is parsed JSON keyed by tenant ID, and `constructor`, `toString`, `valueOf` and
 * `hasOwnProperty` are valid tenant IDs: a tenant without a config must get the fallback, not
 * Object.prototype's member (which used to throw on every v2 API call: a 500).
 */
describe.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty'])('tenant %s', (name) => {
  const tenant = parseTenantId(name);

  async function start(tenants: AlertmanagerFeed['tenants']) {
    const sched = new ManualScheduler(Date.parse('2026-11-26T10:00:00Z'));
    const am = new MultitenantAlertmanager({
      fetchConfigs: async () => JSON.parse(JSON.stringify({ revision: 1, tenants })) as AlertmanagerFeed,
      externalUrl: 'http://am.example/alertmanager',
      clock: sched,
      scheduler: sched,
      integrationFactory: () => [],
    });
    await am.start();
    return am;
  }

  it('without a config runs the fallback', async () => {
    const am = await start({ acme: { config: CONFIG, templates: {}, revision: 1 } });
    const t = await am.tenant(tenant);
    expect(t.config.isFallback).toBe(true);
    await am.postAlerts(tenant, [{ labels: { alertname: 'x' } }]);
    expect(t.listAlerts()).toHaveLength(1);
    expect((await am.tenant(parseTenantId('acme'))).config.isFallback).toBe(false);
    am.stop();
  });

  it('with a config runs it', async () => {
    const am = await start(Object.fromEntries([[name, { config: CONFIG, templates: {}, revision: 1 }]]));
    const t = await am.tenant(tenant);
    expect(t.config.isFallback).toBe(false);
    expect(t.config.config.receivers.map((r) => r.name)).toEqual(['hook']);
    am.stop();
  });
});
