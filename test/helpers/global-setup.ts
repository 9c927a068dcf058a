/**
 * Vitest global setup for the integration project: starts one PostgreSQL server, one Bigtable
 * emulator, one dynalite (DynamoDB) and one s3rver (S3) for the whole run and hands their addresses
 * to tests through `inject()`. Suites create
 * their own databases/tables so they never share rows. With CI=true a missing binary fails the run;
 * elsewhere the suites that need it skip with a loud message (see requireService()).
 */
import type { TestProject } from 'vitest/node';
import {
  bigtableEmulatorAvailable,
  dynaliteAvailable,
  postgresAvailable,
  S3RVER_CLI,
  type Service,
  s3rverAvailable,
  startBigtableEmulator,
  startDynalite,
  startPostgres,
  startS3rver,
} from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | undefined;
    bigtableEmulator: string | undefined;
    /** dynalite's `http://127.0.0.1:<port>` (DynamoDB endpoint). */
    dynamodbEndpoint: string | undefined;
    /** s3rver's `http://127.0.0.1:<port>` (S3 endpoint, path-style). */
    s3Endpoint: string | undefined;
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
  let dynamodb: string | undefined;
  if (dynaliteAvailable()) {
    const d = await startDynalite();
    started.push(d);
    dynamodb = d.address;
  } else if (ci) {
    throw new Error('CI=true but the DynamoDB emulator (npm package dynalite) is missing');
  } else {
    console.warn('\n!!! dynalite not installed: suites against DynamoDB will be SKIPPED !!!\n');
  }
  let s3: string | undefined;
  if (s3rverAvailable()) {
    const s = await startS3rver();
    started.push(s);
    s3 = s.address;
  } else if (ci) {
    throw new Error(
      `CI=true but the S3 emulator (npm package s3rver) is missing${S3RVER_CLI ? ` at ${S3RVER_CLI}` : ''}`,
    );
  } else {
    console.warn('\n!!! s3rver not installed: suites against S3 will be SKIPPED !!!\n');
  }
  project.provide('pgUrl', pgUrl);
  project.provide('bigtableEmulator', bigtable);
  project.provide('dynamodbEndpoint', dynamodb);
  project.provide('s3Endpoint', s3);
  return async () => {
    for (const s of started.reverse()) await s.stop();
  };
}
