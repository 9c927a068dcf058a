/**
 * The web console in a real Chromium against the whole platform (as `server --dev` composes it):
 * signing in, tenants, tokens, limits, suspend and delete, the live audit log, and usage; every
 * change checked through the REST API, every page found by accessible names as a screen reader
 * would. A wrong token shows an error, not a blank page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, ensureConsoleBuilt, launchChromium } from '../helpers/browser.js';
import { ROOT_TOKEN, startPlatform, type TestPlatform } from '../helpers/platform.js';

const executablePath = chromiumPath();
const TENANT = 'acme-console';

describe.skipIf(!executablePath)('web console in Chromium', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    [platform, browser] = await Promise.all([startPlatform(), launchChromium(executablePath!)]);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  const alert = (text: RegExp) => page.getByRole('alert').filter({ hasText: text });

  it('serves the built console with a strict CSP, and /console redirects to it', async () => {
    const res = await fetch(`${platform.url}/console`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/console/');
    const index = await fetch(`${platform.url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await index.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${platform.url}${script}`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${platform.url}/console/../package.json`)).status).toBe(404);
    expect((await fetch(`${platform.url}/console/assets/nope.js`)).status).toBe(404);
  });

  it('a wrong token shows an error and stays on the sign-in page', async () => {
    await page.goto(`${platform.url}/console/`);
    await page.getByLabel('Token').fill('not-a-valid-token-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await alert(/Sign in failed/).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(page.url()).not.toContain('not-a-valid-token');
  });

  it('signs in, creates a tenant and shows it in the tenants table', async () => {
    await page.getByLabel('Token').fill(ROOT_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tenants' }).waitFor();
    expect(page.url()).not.toContain(ROOT_TOKEN);
    expect(await page.evaluate('sessionStorage.length')).toBe(1);

    await page.getByLabel('Tenant ID').fill(TENANT);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await alert(new RegExp(`Created tenant ${TENANT}`)).waitFor();
    const table = page.getByRole('table', { name: 'Tenants' });
    await table.getByRole('row', { name: new RegExp(TENANT) }).waitFor();
    await table.getByRole('meter', { name: `Active series of ${TENANT}` }).waitFor();
    expect((await platform.admin('GET', `/tenants/${TENANT}`)).status).toBe(200);

    // A duplicate is refused with the server's message.
    await page.getByLabel('Tenant ID').fill(TENANT);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await alert(/already exists/).waitFor();
  });

  it('creates a token (secret shown once) that works, then revokes it', async () => {
    await page.getByRole('link', { name: TENANT, exact: true }).click();
    await page.getByRole('heading', { name: new RegExp(`Tenant ${TENANT}`) }).waitFor();
    await page.getByLabel('Token name').fill('grafana');
    await page.getByRole('checkbox', { name: 'rules:read' }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const secretField = page.getByLabel('Token secret');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^cxt_/);
    await page.getByRole('button', { name: 'Copy' }).isVisible();

    const labels = () =>
      fetch(`${platform.url}/prometheus/api/v1/labels`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await labels()).status).toBe(200);
    const listed = await platform.admin('GET', `/tenants/${TENANT}/tokens`);
    expect(listed.json.items.map((t: { name: string; scopes: string[] }) => [t.name, t.scopes.sort()])).toEqual([
      ['grafana', ['metrics:read', 'metrics:write', 'rules:read']],
    ]);

    await page.getByRole('button', { name: 'Revoke grafana' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await alert(/Token grafana revoked/).waitFor();
    const after = await platform.admin('GET', `/tenants/${TENANT}/tokens`);
    expect(after.json.items[0].revokedAt).not.toBeNull();
    await expect.poll(async () => (await labels()).status, { timeout: 6_000 }).toBe(401);
  });

  it("changes a limit, shows the server's validation message for a bad one", async () => {
    await page.getByRole('link', { name: 'Limits' }).click();
    const rate = page.getByRole('textbox', { name: 'ingestion_rate', exact: true });
    await rate.fill('12345');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await alert(/Saved ingestion_rate/).waitFor();
    const limits = await platform.admin('GET', `/tenants/${TENANT}/limits`);
    expect(limits.json.limits.ingestion_rate).toBe(12345);
    expect(limits.json.overridden).toContain('ingestion_rate');

    await rate.fill('-5');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await alert(/ingestion_rate: -5 is out of range/).waitFor();
    expect((await platform.admin('GET', `/tenants/${TENANT}/limits`)).json.limits.ingestion_rate).toBe(12345);

    await page.getByRole('button', { name: 'Reset ingestion_rate' }).click();
    await alert(/back to the default/).waitFor();
    expect((await platform.admin('GET', `/tenants/${TENANT}/limits`)).json.overridden).not.toContain('ingestion_rate');
  });

  it('shows rule groups and the Alertmanager config as YAML', async () => {
    const group = { name: 'g1', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] };
    expect((await platform.admin('PUT', `/tenants/${TENANT}/rules/ns1/g1`, group)).status).toBeLessThan(300);
    await page.getByRole('link', { name: 'Rule groups' }).click();
    const yaml = await page.locator('pre.yaml').first().textContent();
    expect(yaml).toContain('namespace: ns1');
    expect(yaml).toContain('record: job:up:sum');
    await page.getByRole('link', { name: 'Alertmanager' }).click();
    await page.getByText('No Alertmanager configuration').waitFor();
  });

  it('streams new audit events into the audit log page', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    const table = page.getByRole('table', { name: 'Audit events' });
    await table
      .getByRole('row', { name: /tenant\.create/ })
      .first()
      .waitFor();
    await page.getByText('Live: new events appear at the top.').waitFor();
    expect((await platform.admin('POST', '/tenants', { id: 'acme-live' })).status).toBe(201);
    await table.getByRole('row', { name: /acme-live/ }).waitFor();
  });

  it('suspends, resumes and deletes a tenant (after confirming)', async () => {
    await page.getByRole('link', { name: 'Tenants' }).first().click();
    await page.getByRole('button', { name: `Suspend ${TENANT}` }).click();
    await alert(/now suspended/).waitFor();
    expect((await platform.admin('GET', `/tenants/${TENANT}`)).json.status).toBe('suspended');
    await page.getByRole('button', { name: `Resume ${TENANT}` }).click();
    await alert(/now active/).waitFor();

    await page.getByRole('button', { name: `Delete ${TENANT}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect((await platform.admin('GET', `/tenants/${TENANT}`)).json.status).toBe('active');
    await page.getByRole('button', { name: `Delete ${TENANT}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete tenant' }).click();
    await alert(/deleted/).waitFor();
    expect((await platform.admin('GET', `/tenants/${TENANT}`)).json.status).toBe('deleted');
  });

  it('charts usage, and works at phone width', async () => {
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('img', { name: /Active series of acme-live/ }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Tenants' }).first().click();
    await page.getByRole('table', { name: 'Tenants' }).waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    expect(pageErrors).toEqual([]);
  });
});
