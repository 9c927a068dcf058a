/**
 * Builds a control plane on a fresh database for a test suite: in-process PGlite, and (when global setup
 * started one) a real PostgreSQL with a `cp_<random>` database per suite. Suites run the same cases on
 * both via `describe.each(backends())`.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { type ControlPlane, createControlPlane, type RuleExprValidator } from '../../../control-plane/index.js';
import { requireService } from '../../helpers/require-service.js';

export const ROOT = 'root-token-for-tests-0123456789';
export const CLUSTER = 'cluster-secret-for-tests-0123456789';
export const JWT_KEYS = ['jwt-key-new-0123456789abcdef0123456789', 'jwt-key-old-0123456789abcdef0123456789'];
export const A = '/admin/api/v1';
export const I = '/internal/v1';

export class FakeClock {
  constructor(public t = Date.parse('2026-11-26T10:00:00.000Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export type Backend = { name: 'pglite' } | { name: 'postgres'; url: string };

export function backends(): Backend[] {
  const url = requireService('pgUrl');
  return url ? [{ name: 'pglite' }, { name: 'postgres', url }] : [{ name: 'pglite' }];
}

export interface Harness {
  app: FastifyInstance;
  cp: ControlPlane;
  clock: FakeClock;
  /** Admin request with the root token unless `token` is given. */
  admin(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  internal(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** A fresh `cp_<random>` database on the server at `url`, dropped by `drop()`. */
export async function createDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cp_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function harness(
  backend: Backend,
  extra: { jwtSecrets?: string[]; ruleExprValidator?: RuleExprValidator } = {},
): Promise<Harness> {
  const clock = new FakeClock();
  const db = backend.name === 'postgres' ? await createDatabase(backend.url) : undefined;
  const cp = await createControlPlane({
    database: db ? { kind: 'postgres', url: db.url } : { kind: 'pglite' },
    rootToken: ROOT,
    clusterSecret: CLUSTER,
    jwtSecrets: extra.jwtSecrets ?? JWT_KEYS,
    ...(extra.ruleExprValidator ? { ruleExprValidator: extra.ruleExprValidator } : {}),
    clock,
    logger: false,
  });
  const app = Fastify({ logger: false });
  await app.register(cp.plugin);
  await app.ready();
  const send = (
    method: string,
    url: string,
    body: unknown,
    token: string | undefined,
    headers: Record<string, string>,
  ) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }),
    });
  return {
    app,
    cp,
    clock,
    admin: (method, path, body, token = ROOT, headers = {}) => send(method, `${A}${path}`, body, token, headers),
    internal: (method, path, body, headers = {}) => send(method, `${I}${path}`, body, CLUSTER, headers),
    async close() {
      await app.close();
      await cp.close();
      await db?.drop();
    },
  };
}

let seq = 0;
/** A tenant ID unique within the run, so cases in one suite never share rows. */
export function tenantId(prefix = 't'): string {
  seq += 1;
  return `${prefix}-${seq}-${randomBytes(3).toString('hex')}`;
}
