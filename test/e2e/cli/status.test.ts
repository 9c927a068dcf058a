/** `cortexctl status` in-process against a live control plane with a `/ready` endpoint. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Status from '../../../cli/commands/status.js';
import TenantCreate from '../../../cli/commands/tenant/create.js';
import { closedAddress, prepareCommands, runCommand } from '../../../cli/testing/index.js';
import { type LiveControlPlane, startControlPlane } from './live-control-plane.js';

beforeAll(prepareCommands, 120_000);

let cp: LiveControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
  expect((await runCommand(TenantCreate, ['acme'], cp.env)).exitCode).toBe(0);
});
afterAll(async () => {
  await cp?.close();
});

describe('status', () => {
  it('shows a ready server without version when buildinfo is not served', async () => {
    const r = await runCommand(Status, [], cp.env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`address:  ${cp.address}\ncontext:  -\nready:    yes\nversion:  -\nrevision: -\n`);
  });

  it('adds the tenant limits with --tenant', async () => {
    const r = await runCommand(Status, ['--tenant', 'acme', '-o', 'json'], cp.env);
    expect(r.exitCode, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ ready: true, tenant: 'acme', overridden: [] });
    expect(s.limits.ingestion_rate).toEqual(expect.any(Number));
  });

  it('exits 1 when the server is not ready, still printing what it knows', async () => {
    cp.setReady(false);
    try {
      const r = await runCommand(Status, [], cp.env);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toMatch(/^ready:\s+no \(starting\)$/m);
      expect(r.stderr).toBe(`Error: server at ${cp.address} is not ready: starting\n`);
    } finally {
      cp.setReady(true);
    }
  });

  it('exits 1 when the server is down', async () => {
    const address = await closedAddress();
    const r = await runCommand(Status, [], { ...cp.env, CORTEXCTL_ADDRESS: address });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`Error: cannot reach ${address}: connection refused [GET /ready]\n`);
  });

  it('exits 4 when the token is rejected while reading tenant limits', async () => {
    const r = await runCommand(Status, ['-t', 'acme', '--token', 'not-the-root-token'], cp.env);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/401 unauthorized: POST \/cortex\.admin\.v1\.AdminService\/GetLimits/);
  });
});
