/**
 * The whole platform in-process, exactly as `cortexctl server --dev` composes it (control plane on
 * PGlite, data plane, one fastify server on a free loopback port), for HTTP-level integration tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, type ServerConfig, startServer } from '../../cli/server/compose.js';

export interface TestPlatform {
  url: string;
  server: RunningServer;
  /** Calls the admin API as root. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** Creates a tenant and a token with the given scopes; returns the secret. */
  tenantToken(tenant: string, scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

export const ROOT_TOKEN = 'test-root-token-0123456789';

/**
 * `cortexctl server --dev` composed in process on a free loopback port over `dataDir` (embedded
 * store, control plane on PGlite unless `postgresUrl`), as root `ROOT_TOKEN`: tests that stop and
 * start the server again on the same data call this directly.
 */
export function startServerIn(
  dataDir: string,
  overrides: Partial<ServerConfig> = {},
  log: (line: string) => void = () => {},
): Promise<RunningServer> {
  return startServer(
    {
      dev: true,
      host: '127.0.0.1',
      port: 0,
      dataDir,
      rootToken: ROOT_TOKEN,
      clusterSecret: 'test-cluster-secret-0123456789',
      postgresUrl: undefined,
      migrate: true,
      walFsync: 'never',
      storage: { kind: 'embedded' },
      ...overrides,
    },
    log,
  );
}

export async function startPlatform(
  opts: {
    alertmanagerAllowedCidrs?: string[];
    grpcPort?: number;
    /** A real PostgreSQL database instead of PGlite. */
    postgresUrl?: string;
    authThrottle?: ServerConfig['authThrottle'];
    usageFlushIntervalMs?: number;
    /** Receives the server's log lines (what `cortexctl server` writes to stderr). */
    log?: (line: string) => void;
  } = {},
): Promise<TestPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cortex-it-'));
  const server = await startServerIn(
    dataDir,
    {
      postgresUrl: opts.postgresUrl,
      ...(opts.alertmanagerAllowedCidrs ? { alertmanagerAllowedCidrs: opts.alertmanagerAllowedCidrs } : {}),
      ...(opts.grpcPort === undefined ? {} : { grpcPort: opts.grpcPort }),
      ...(opts.authThrottle ? { authThrottle: opts.authThrottle } : {}),
      ...(opts.usageFlushIntervalMs ? { usageFlushIntervalMs: opts.usageFlushIntervalMs } : {}),
    },
    opts.log,
  );
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/admin/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ROOT_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const created = new Set<string>();
  return {
    url: server.url,
    server,
    admin,
    async tenantToken(tenant, scopes) {
      if (!created.has(tenant)) {
        const r = await admin('POST', '/tenants', { id: tenant });
        if (r.status !== 201 && r.status !== 409)
          throw new Error(`create tenant: ${r.status} ${JSON.stringify(r.json)}`);
        created.add(tenant);
      }
      const t = await admin('POST', `/tenants/${tenant}/tokens`, { scopes });
      if (t.status !== 201) throw new Error(`create token: ${t.status} ${JSON.stringify(t.json)}`);
      return t.json.token as string;
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
