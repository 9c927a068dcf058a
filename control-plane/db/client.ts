/**
 * Opens the control-plane database: PGlite in-process (memory or a data dir) or a real PostgreSQL
 * through `pg`, both behind drizzle's PgDatabase, and applies the drizzle-kit migrations.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema/index.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseOptions = { kind: 'pglite'; dataDir?: string } | { kind: 'postgres'; url: string };

export interface OpenedDb {
  readonly db: Db;
  close(): Promise<void>;
}

/** Finds `migrations/` whether we run from source (control-plane/db) or from dist (dist/control-plane/db). */
export function defaultMigrationsFolder(): string {
  for (const rel of ['../../migrations', '../../../migrations']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}/meta/_journal.json`)) return dir;
  }
  throw new Error('control plane: migrations folder not found next to the sources or dist');
}

export async function openDatabase(
  opts: DatabaseOptions,
  migrate: boolean,
  migrationsFolder = defaultMigrationsFolder(),
): Promise<OpenedDb> {
  if (opts.kind === 'pglite') {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const client = opts.dataDir === undefined ? new PGlite() : new PGlite(opts.dataDir);
    const db = drizzle(client, { schema });
    try {
      if (migrate) {
        const { migrate: run } = await import('drizzle-orm/pglite/migrator');
        await run(db, { migrationsFolder });
      }
    } catch (err) {
      await client.close();
      throw err;
    }
    return { db: db as unknown as Db, close: () => client.close() };
  }
  const pg = (await import('pg')).default;
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const pool = new pg.Pool({ connectionString: opts.url, max: 10 });
  // An idle pooled connection that the server drops (restart, failover, admin termination) emits
  // 'error' on the pool; unhandled, that would crash the process. The pool discards the client and
  // opens a new one for the next query, whose own failure surfaces as 503.
  pool.on('error', () => {});
  const db = drizzle(pool, { schema });
  try {
    if (migrate) {
      const { migrate: run } = await import('drizzle-orm/node-postgres/migrator');
      await run(db, { migrationsFolder });
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  return { db: db as unknown as Db, close: () => pool.end() };
}
