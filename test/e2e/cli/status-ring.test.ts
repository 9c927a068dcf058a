/** `cortexctl status` in-process against the combined server, which serves `/ring`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Status from '../../../cli/commands/status.js';
import { prepareCommands, runCommand } from '../../../cli/testing/index.js';
import { VERSION } from '../../../data-plane/modules/version.js';
import { ROOT_TOKEN, startPlatform, type TestPlatform } from '../../helpers/platform.js';

beforeAll(prepareCommands, 120_000);

let p: TestPlatform;
beforeAll(async () => {
  p = await startPlatform();
});
afterAll(async () => {
  await p?.close();
});

const env = () => ({
  CORTEXCTL_ADDRESS: p.url,
  CORTEXCTL_TOKEN: ROOT_TOKEN,
  CORTEXCTL_TENANT: undefined,
  CORTEXCTL_CONTEXT: undefined,
  CORTEXCTL_CONFIG: undefined,
  XDG_CONFIG_HOME: `/nonexistent-cortexctl-${process.pid}`,
  NO_COLOR: '1',
});

describe('status with a ring', () => {
  it('shows the ring summary and one row per instance', async () => {
    const r = await runCommand(Status, [], env());
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ingester: 1 instance \(1 healthy\), replication factor 1$/m);
    expect(r.stdout).toMatch(/^RING\s+INSTANCE\s+STATE\s+ZONE\s+TOKENS\s+OWNERSHIP\s+HEARTBEAT\s+ADDRESS$/m);
    expect(r.stdout).toMatch(/^ingester\s+\S+\s+ACTIVE\s+-\s+128\s+100\.0%\s+\S+ ago\s+http:\/\/127\.0\.0\.1:\d+$/m);
  });

  it('includes the rings in JSON', async () => {
    const r = await runCommand(Status, ['-o', 'json'], env());
    expect(r.exitCode, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    // The build is served without a tenant token, so an operator's admin token is enough.
    expect(s.version).toBe(VERSION);
    expect(s.rings).toHaveLength(1);
    expect(s.rings[0]).toMatchObject({ name: 'ingester', replicationFactor: 1 });
    expect(s.rings[0].instances[0]).toMatchObject({ state: 'ACTIVE', healthy: true, tokenCount: 128 });
  });
});
