/**
 * Tenant isolation of every tenant-bound repository: rows written through tenant A's handle are
 * invisible to, and cannot be changed or deleted through, tenant B's handle.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedDb, openDatabase } from '../../../control-plane/db/client.js';
import { DrizzleStore } from '../../../control-plane/db/repositories/index.js';
import type { Store } from '../../../control-plane/domain/repositories.js';
import type { TenantId } from '../../../data-plane/model/index.js';
import { type Backend, backends } from './harness.js';

const T0 = Date.parse('2026-11-26T10:00:00Z');

async function open(backend: Backend): Promise<{ db: OpenedDb; drop(): Promise<void> }> {
  if (backend.name === 'pglite') return { db: await openDatabase({ kind: 'pglite' }, true), drop: async () => {} };
  const name = `cp_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: backend.url });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(backend.url);
  u.pathname = `/${name}`;
  return {
    db: await openDatabase({ kind: 'postgres', url: u.toString() }, true),
    async drop() {
      const d = new pg.Client({ connectionString: backend.url });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

describe.each(backends())('repository tenant isolation on $name', (backend) => {
  let opened: { db: OpenedDb; drop(): Promise<void> };
  let store: Store;
  const a = 'tenant-a' as TenantId;
  const b = 'tenant-b' as TenantId;

  beforeAll(async () => {
    opened = await open(backend);
    store = new DrizzleStore(opened.db.db);
    for (const id of [a, b]) {
      await store.read((r) =>
        r.tenants.insert({ id, displayName: '', labels: {}, status: 'active', createdAt: T0, updatedAt: T0 }),
      );
    }
  });
  afterAll(async () => {
    await opened?.db.close();
    await opened?.drop();
  });

  it('tokens', async () => {
    await store.read(async (r) => {
      const tok = await r.tokens(a).insert({
        id: 'tok-a',
        name: 'a',
        prefix: 'cxt_aaaa',
        secretHash: 'a'.repeat(64),
        scopes: ['metrics:read'],
        createdAt: T0,
        createdBy: 'test',
        expiresAt: null,
      });
      expect(await r.tokens(b).list()).toEqual([]);
      expect(await r.tokens(b).get(tok.id)).toBeUndefined();
      expect(await r.tokens(b).revoke(tok.id, T0)).toBeUndefined();
      expect(await r.tokens(b).revokeAll(T0)).toBe(0);
      expect((await r.tokens(a).get(tok.id))?.revokedAt).toBeNull();
      expect(await r.tokens(a).list()).toHaveLength(1);
    });
  });

  it('limits', async () => {
    await store.read(async (r) => {
      await r.limits(a).set({ ingestion_rate: 5 }, T0);
      expect(await r.limits(b).get()).toEqual({});
      await r.limits(b).set({ ingestion_rate: 9 }, T0);
      expect(await r.limits(a).get()).toEqual({ ingestion_rate: 5 });
    });
  });

  it('rule groups', async () => {
    await store.read(async (r) => {
      await r.rules(a).put('ns', { name: 'g', rules: [{ record: 'x', expr: 'up' }] }, 1, T0);
      expect(await r.rules(b).list()).toEqual([]);
      expect(await r.rules(b).list('ns')).toEqual([]);
      expect(await r.rules(b).get('ns', 'g')).toBeUndefined();
      expect(await r.rules(b).count()).toBe(0);
      expect(await r.rules(b).delete('ns', 'g')).toBe(false);
      expect(await r.rules(b).deleteNamespace('ns')).toBe(0);
      // B writing the same namespace/group creates B's own row and leaves A's untouched.
      await r.rules(b).put('ns', { name: 'g', rules: [] }, 2, T0);
      expect((await r.rules(a).get('ns', 'g'))?.group.rules).toHaveLength(1);
      expect(await r.rules(a).count()).toBe(1);
    });
  });

  it('alertmanager configs', async () => {
    await store.read(async (r) => {
      await r.alertmanager(a).put({ config: 'route: {receiver: a}', templates: {}, revision: 1 }, T0);
      expect(await r.alertmanager(b).get()).toBeUndefined();
      expect(await r.alertmanager(b).delete()).toBe(false);
      expect((await r.alertmanager(a).get())?.config).toBe('route: {receiver: a}');
    });
  });

  it('rolls back a failed transaction completely', async () => {
    await expect(
      store.transaction(async (r) => {
        await r.limits(a).set({ ingestion_rate: 1234 }, T0);
        await r.revisions.bump('overrides');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.read((r) => r.limits(a).get())).toEqual({ ingestion_rate: 5 });
    expect(await store.read((r) => r.revisions.get('overrides'))).toBe(0);
  });

  it('gives concurrent writers distinct revisions', async () => {
    const revs = await Promise.all(
      Array.from({ length: 20 }, () => store.transaction((r) => r.revisions.bump('rules'))),
    );
    expect(new Set(revs).size).toBe(20);
    expect(Math.max(...revs)).toBe(await store.read((r) => r.revisions.get('rules')));
  });
});
