/**
 * Builds the real data plane (distributor → ingester → querier → frontend → HTTP API) in-process on a
 * fastify instance for `inject()` tests, with a fixed token table standing in for the control plane.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { CredentialSource, Principal, Scope } from '../../data-plane/gateway/index.js';
import { type Clock, parseTenantId } from '../../data-plane/model/index.js';
import { DataPlane } from '../../data-plane/modules/index.js';
import type { ChunkStore } from '../../data-plane/storage/index.js';
import { type Limits, StaticTenantLimitsSource } from '../../data-plane/validation/index.js';
import { type FixtureSeries, remoteWriteBody, remoteWriteHeaders } from './remote-write.js';

export interface TestDataPlane {
  app: FastifyInstance;
  dp: DataPlane;
  limits: StaticTenantLimitsSource;
  /** Token for `tenant` with every metrics scope. */
  token(tenant: string): string;
  push(tenant: string, series: FixtureSeries[]): Promise<{ status: number; body: string }>;
  get(tenant: string, path: string, query?: Record<string, string | string[]>): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

const SCOPES: Scope[] = ['metrics:write', 'metrics:read'];

export async function buildDataPlaneApp(
  opts: {
    clock?: Clock;
    chunkStore?: ChunkStore;
    walDir?: string;
    limitDefaults?: Partial<Limits>;
    decodeWorkers?: number;
  } = {},
): Promise<TestDataPlane> {
  const tokens = new Map<string, Principal>();
  const credentials: CredentialSource = { authenticate: async (t) => tokens.get(t) };
  const limits = new StaticTenantLimitsSource();
  const dp = new DataPlane({
    walDir: opts.walDir,
    limitsSource: limits,
    limitDefaults: {
      ingestion_rate: 1e9,
      ingestion_burst_size: 1e10,
      reject_old_samples_max_age: 0,
      ...opts.limitDefaults,
    },
    logger: { info() {}, warn() {}, error() {} },
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.chunkStore ? { chunkStore: opts.chunkStore } : {}),
    ...(opts.decodeWorkers !== undefined ? { decodeWorkers: opts.decodeWorkers } : {}),
  });
  await dp.start();
  const app = Fastify();
  await dp.routes(app, credentials);
  await app.ready();
  const token = (tenant: string) => {
    const tok = `tok-${tenant}`;
    if (!tokens.has(tok)) {
      tokens.set(tok, {
        tenantId: parseTenantId(tenant),
        tokenId: tenant,
        scopes: SCOPES,
        tenantStatus: 'active',
        expiresAtMs: null,
      });
    }
    return tok;
  };
  return {
    app,
    dp,
    limits,
    token,
    async push(tenant, series) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/push',
        headers: remoteWriteHeaders(token(tenant)),
        payload: Buffer.from(remoteWriteBody(series)),
      });
      return { status: res.statusCode, body: res.body };
    },
    async get(tenant, path, query = {}) {
      const res = await app.inject({
        method: 'GET',
        url: path,
        query,
        headers: { authorization: `Bearer ${token(tenant)}` },
      });
      return { status: res.statusCode, json: res.json() };
    },
    async close() {
      await app.close();
      await dp.stop();
    },
  };
}
