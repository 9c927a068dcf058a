/**
 * A real control plane (PGlite) served over HTTP on 127.0.0.1:0, for CLI tests that run commands
 * in-process against it. Each call gets its own database, so suites never share rows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createControlPlane } from '../../../control-plane/index.js';

export interface LiveControlPlane {
  address: string;
  rootToken: string;
  /** Env for runCommand: points the CLI at this server with the root token and an empty config dir. */
  env: Record<string, string | undefined>;
  /** What `GET /ready` answers (200 when true, 503 otherwise), as `cortexctl server` serves it. */
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

export async function startControlPlane(): Promise<LiveControlPlane> {
  const rootToken = 'cli-test-root-token-0123456789';
  const cp = await createControlPlane({
    database: { kind: 'pglite' },
    rootToken,
    clusterSecret: 'cli-test-cluster-secret-0123456789',
    logger: false,
  });
  const app = Fastify({ logger: false });
  await app.register(cp.plugin);
  await app.register(cp.rpcPlugin());
  let ready = true;
  app.get('/ready', async (_req, reply) => (ready ? reply.send('ready\n') : reply.code(503).send('starting\n')));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const address = `http://127.0.0.1:${port}`;
  return {
    address,
    rootToken,
    env: {
      CORTEXCTL_ADDRESS: address,
      CORTEXCTL_TOKEN: rootToken,
      CORTEXCTL_TENANT: undefined,
      CORTEXCTL_CONTEXT: undefined,
      CORTEXCTL_CONFIG: undefined,
      XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'cortexctl-live-')),
      NO_COLOR: '1',
    },
    setReady(r: boolean) {
      ready = r;
    },
    async close() {
      await app.close();
      await cp.close();
    },
  };
}
