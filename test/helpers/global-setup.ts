/**
 * Vitest global setup for the integration project: starts one PostgreSQL server and one Bigtable
 * emulator for the whole run and hands their addresses to tests through `inject()`. Suites create
 * their own databases/tables so they never share rows. With CI=true a missing binary fails the run;
 * elsewhere the suites that need it skip with a loud message (see requireService()).
 */
import type { TestProject } from 'vitest/node';
import {
  bigtableEmulatorAvailable,
  postgresAvailable,
  type Service,
  startBigtableEmulator,
  startPostgres,
} from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | undefined;
    bigtableEmulator: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const ci = process.env.CI === 'true';
  const started: Service[] = [];
  let pgUrl: string | undefined;
  let bigtable: string | undefined;
  if (postgresAvailable()) {
    const pg = await startPostgres();
    started.push(pg);
    pgUrl = pg.address;
  } else if (ci) {
    throw new Error('CI=true but PostgreSQL server binaries are missing (set PG_BIN or install postgresql-15)');
  } else {
    console.warn('\n!!! PostgreSQL binaries not found: suites against a real PostgreSQL will be SKIPPED !!!\n');
  }
  if (bigtableEmulatorAvailable()) {
    const bt = await startBigtableEmulator();
    started.push(bt);
    bigtable = bt.address;
  } else if (ci) {
    throw new Error('CI=true but the Bigtable emulator (cbtemulator) is missing');
  } else {
    console.warn('\n!!! Bigtable emulator not found: suites against Bigtable will be SKIPPED !!!\n');
  }
  project.provide('pgUrl', pgUrl);
  project.provide('bigtableEmulator', bigtable);
  return async () => {
    for (const s of started.reverse()) await s.stop();
  };
}
