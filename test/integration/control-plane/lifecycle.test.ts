import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createControlPlane, generateToken, validatorFromParser } from '../../../control-plane/index.js';
import { parseExpr } from '../../../data-plane/promql/index.js';
import { freePort } from '../../helpers/services.js';
import { A, CLUSTER, harness, ROOT } from './harness.js';

describe('control plane lifecycle', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps tenants and tokens in an on-disk PGlite data dir across restarts (--dev)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-pglite-'));
    dirs.push(dir);
    const open = async () => {
      const cp = await createControlPlane({
        database: { kind: 'pglite', dataDir: join(dir, 'control-plane') },
        rootToken: ROOT,
        clusterSecret: CLUSTER,
        logger: false,
      });
      const app = Fastify();
      await app.register(cp.plugin);
      return { cp, app };
    };
    const first = await open();
    const auth = { authorization: `Bearer ${ROOT}` };
    expect(
      (await first.app.inject({ method: 'POST', url: `${A}/tenants`, headers: auth, payload: { id: 'acme' } }))
        .statusCode,
    ).toBe(201);
    const tok = (
      await first.app.inject({
        method: 'POST',
        url: `${A}/tenants/acme/tokens`,
        headers: auth,
        payload: { scopes: ['metrics:write'] },
      })
    ).json();
    await first.app.close();
    await first.cp.close();

    // Migrations run again on an already-migrated database without harm.
    const second = await open();
    try {
      expect((await second.app.inject({ method: 'GET', url: `${A}/tenants/acme`, headers: auth })).json().status).toBe(
        'active',
      );
      expect((await second.cp.internal.authenticate(tok.token))?.tenantId).toBe('acme');
    } finally {
      await second.app.close();
      await second.cp.close();
    }
  });

  it('validates rule expressions with the real PromQL parser when plugged in', async () => {
    const h = await harness({ name: 'pglite' }, { ruleExprValidator: validatorFromParser(parseExpr) });
    try {
      await h.admin('POST', '/tenants', { id: 'promql' });
      const ok = await h.admin('PUT', '/tenants/promql/rules/ns/g', {
        name: 'g',
        rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }],
      });
      expect(ok.statusCode, ok.body).toBe(200);
      const bad = await h.admin('PUT', '/tenants/promql/rules/ns/g', {
        name: 'g',
        rules: [{ record: 'x', expr: 'no_such_function(up)' }],
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toMatch(/rules\[0\]\.expr: invalid PromQL: .*parse error/);
    } finally {
      await h.close();
    }
  });

  it('refuses weak secrets at start', async () => {
    await expect(
      createControlPlane({ database: { kind: 'pglite' }, rootToken: 'short', clusterSecret: CLUSTER, logger: false }),
    ).rejects.toThrow(/rootToken/);
    await expect(
      createControlPlane({ database: { kind: 'pglite' }, rootToken: ROOT, clusterSecret: 'short', logger: false }),
    ).rejects.toThrow(/clusterSecret/);
    await expect(
      createControlPlane({
        database: { kind: 'pglite' },
        rootToken: ROOT,
        clusterSecret: CLUSTER,
        jwtSecrets: ['too-short'],
        logger: false,
      }),
    ).rejects.toThrow(/jwtSecret/);
  });
});

describe('control plane failures', () => {
  it('answers 503 unavailable (never 401/404) when PostgreSQL cannot be reached', async () => {
    const port = await freePort();
    const cp = await createControlPlane({
      database: { kind: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/nowhere` },
      rootToken: ROOT,
      clusterSecret: CLUSTER,
      migrate: false,
      logger: false,
    });
    const app = Fastify();
    await app.register(cp.plugin);
    try {
      const r = await app.inject({
        method: 'POST',
        url: '/internal/v1/authenticate',
        headers: { authorization: `Bearer ${CLUSTER}` },
        payload: { token: generateToken('cxt_').secret },
      });
      expect(r.statusCode).toBe(503);
      expect(r.json().error).toEqual({
        kind: 'unavailable',
        message: 'control-plane database unavailable, retry later',
      });
    } finally {
      await app.close();
      await cp.close();
    }
  });

  it('answers 5xx without echoing internals when the database is gone', async () => {
    const h = await harness({ name: 'pglite' });
    await h.cp.close();
    const r = await h.admin('GET', '/tenants');
    expect(r.statusCode).toBeGreaterThanOrEqual(500);
    expect(r.json()).toEqual({ error: { kind: 'internal', message: 'internal error' } });
    expect(r.body).not.toMatch(/pglite|closed|select|stack/i);
    await h.app.close();
  });
});

describe('control plane inside a host server', () => {
  it('leaves the host server’s routes, error handler and JSON parsing alone', async () => {
    const cp = await createControlPlane({
      database: { kind: 'pglite' },
      rootToken: ROOT,
      clusterSecret: CLUSTER,
      logger: false,
    });
    const app = Fastify();
    app.setErrorHandler((err: Error, _req, reply) => {
      reply.status(418).send({ host: true, message: err.message });
    });
    app.post('/host', async () => {
      throw new Error('host failure');
    });
    app.post('/echo', async (req) => ({ got: req.body ?? null }));
    await app.register(cp.plugin);
    try {
      const host = await app.inject({ method: 'POST', url: '/host', payload: {} });
      expect(host.statusCode).toBe(418);
      expect(host.json()).toEqual({ host: true, message: 'host failure' });
      // The control plane's tolerance of empty JSON bodies does not leak to the host.
      const empty = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' } });
      expect(empty.statusCode).toBe(418);
      // And the control plane still answers with its own envelope.
      const cpErr = await app.inject({
        method: 'GET',
        url: `${A}/tenants/nope`,
        headers: { authorization: `Bearer ${ROOT}` },
      });
      expect(cpErr.statusCode).toBe(404);
      expect(cpErr.json().error.kind).toBe('not_found');
    } finally {
      await app.close();
      await cp.close();
    }
  });
});

describe('OpenAPI coverage', () => {
  it('documents every route the plugin registers, with its schemas', async () => {
    const cp = await createControlPlane({
      database: { kind: 'pglite' },
      rootToken: ROOT,
      clusterSecret: CLUSTER,
      logger: false,
    });
    const app = Fastify();
    const registered: string[] = [];
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat())
        if (m !== 'HEAD') registered.push(`${m.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    });
    await app.register(cp.plugin);
    try {
      const doc = (await app.inject({ method: 'GET', url: `${A}/openapi.json` })).json();
      const documented = Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>).flatMap(
        ([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`),
      );
      expect(registered.length).toBeGreaterThan(30);
      expect(documented.sort()).toEqual([...registered].sort());
      for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>)) {
        for (const [m, op] of Object.entries(ops)) {
          if (p.endsWith('/openapi.json')) continue;
          expect(Object.keys(op.responses), `${m} ${p}`).toContain(
            m === 'post' && /tenants$|tokens$|admin-tokens$/.test(p) ? '201' : '200',
          );
        }
      }
    } finally {
      await app.close();
      await cp.close();
    }
  });
});
