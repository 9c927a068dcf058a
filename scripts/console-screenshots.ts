/**
 * Screenshots of every console page for docs/console/: the platform in-process (as `server --dev`),
 * a few tenants with tokens, limits, rules, an Alertmanager config and some remote-written series
 * (pushed for ~40 s so the usage charts have a history), driven in Debian's Chromium.
 *
 *   node --import tsx scripts/console-screenshots.ts
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromiumPath, ensureConsoleBuilt, launchChromium } from '../test/helpers/browser.js';
import { REPO } from '../test/helpers/cortexctl.js';
import { ROOT_TOKEN, startPlatform } from '../test/helpers/platform.js';
import { remoteWriteBody, remoteWriteHeaders } from '../test/helpers/remote-write.js';

const OUT = join(REPO, 'docs', 'console');
const TENANTS = [
  { id: 'acme', series: 1800, displayName: 'ACME Corp.' },
  { id: 'globex', series: 600, displayName: 'Globex' },
  { id: 'initech', series: 150, displayName: '' },
];

const executablePath = chromiumPath();
if (!executablePath) process.exit(1);
ensureConsoleBuilt();
mkdirSync(OUT, { recursive: true });
const platform = await startPlatform();
const ok = async (p: Promise<{ status: number; json: unknown }>) => {
  const r = await p;
  if (r.status >= 300) throw new Error(`admin API: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
};

const writers: string[] = [];
for (const t of TENANTS) {
  await ok(platform.admin('POST', '/tenants', { id: t.id, displayName: t.displayName }));
  writers.push(await platform.tenantToken(t.id, ['metrics:write', 'metrics:read']));
}
await ok(platform.admin('POST', '/tenants', { id: 'hooli' }));
await ok(platform.admin('POST', '/tenants/hooli/suspend'));
await ok(platform.admin('POST', '/tenants/acme/tokens', { name: 'grafana', scopes: ['metrics:read', 'rules:read'] }));
await ok(platform.admin('PATCH', '/tenants/acme/limits', { max_global_series_per_user: 2500, ingestion_rate: 400 }));
await ok(
  platform.admin('PUT', '/tenants/acme/rules/web/availability', {
    name: 'availability',
    interval: '1m',
    rules: [
      { record: 'job:http_requests:rate5m', expr: 'sum by (job) (rate(http_requests_total[5m]))' },
      {
        alert: 'HighErrorRate',
        expr: 'sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))\n  / sum by (job) (rate(http_requests_total[5m])) > 0.05',
        for: '10m',
        labels: { severity: 'page' },
        annotations: { summary: 'More than 5% of {{ $labels.job }} requests fail' },
      },
    ],
  }),
);
await ok(
  platform.admin('PUT', '/tenants/acme/alertmanager', {
    config:
      'route:\n  receiver: ops\n  group_by: [alertname]\nreceivers:\n  - name: ops\n    webhook_configs:\n      - url: https://hooks.example.com/alerts\n',
    templates: {},
  }),
);

// Remote write for a while, a growing number of series, so the charts have a history (sampled every 10 s).
const push = async (round: number) => {
  await Promise.all(
    TENANTS.map(async (t, i) => {
      const n = Math.round((t.series * (round + 2)) / 6);
      const now = Date.now();
      const series = Array.from({ length: n }, (_, k) => ({
        labels: { __name__: 'http_requests_total', job: `api-${k % 7}`, instance: `10.0.${k >> 8}.${k & 255}:9090` },
        samples: [{ value: round * 10 + k, timestamp: now }],
      }));
      const res = await fetch(`${platform.url}/api/v1/push`, {
        method: 'POST',
        headers: remoteWriteHeaders(writers[i]!),
        body: remoteWriteBody(series),
      });
      if (!res.ok) throw new Error(`push ${t.id}: ${res.status} ${await res.text()}`);
    }),
  );
};
for (let round = 0; round < 5; round++) {
  await push(round);
  await sleep(10_000);
}

const browser = await launchChromium(executablePath);
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const shot = async (name: string, fullPage = false) => {
  await sleep(400);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage });
  console.log(`docs/console/${name}.png`);
};
await page.goto(`${platform.url}/console/`);
await shot('sign-in');
await page.getByLabel('Token').fill(ROOT_TOKEN);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('meter', { name: 'Active series of initech' }).waitFor();
await shot('tenants');
await page.goto(`${platform.url}/console/#/tenants/acme/tokens`);
await page.getByLabel('Token name').fill('prometheus-eu');
await page.getByRole('button', { name: 'Create token' }).click();
await page.getByLabel('Token secret').waitFor();
await shot('tokens');
await page.goto(`${platform.url}/console/#/tenants/acme/limits`);
await page.getByRole('textbox', { name: 'ingestion_rate', exact: true }).waitFor();
await shot('limits');
await page.goto(`${platform.url}/console/#/tenants/acme/rules`);
await page.locator('pre.yaml').first().waitFor();
await shot('rules');
await page.goto(`${platform.url}/console/#/tenants/acme/alertmanager`);
await page.locator('pre.yaml').first().waitFor();
await shot('alertmanager');
await page.goto(`${platform.url}/console/#/audit`);
await page.getByRole('table', { name: 'Audit events' }).getByRole('row').nth(3).waitFor();
await shot('audit');
await page.goto(`${platform.url}/console/#/usage`);
await page.getByRole('img', { name: /Active series of initech/ }).waitFor();
await shot('usage', true);
await page.setViewportSize({ width: 390, height: 844 });
await page.goto(`${platform.url}/console/#/tenants`);
await page.getByRole('meter', { name: 'Active series of initech' }).waitFor();
await shot('tenants-phone');
await browser.close();
await platform.close();
