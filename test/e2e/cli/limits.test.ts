/** `cortexctl limits …` in-process against a live control plane (PGlite). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import LimitsGet from '../../../cli/commands/limits/get.js';
import LimitsSet from '../../../cli/commands/limits/set.js';
import LimitsUnset from '../../../cli/commands/limits/unset.js';
import TenantCreate from '../../../cli/commands/tenant/create.js';
import { type CommandClass, prepareCommands, runCommand } from '../../../cli/testing/index.js';
import { type LiveControlPlane, startControlPlane } from './live-control-plane.js';

beforeAll(prepareCommands, 120_000);

let cp: LiveControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
  expect((await runCommand(TenantCreate, ['acme'], cp.env)).exitCode).toBe(0);
});
afterAll(async () => {
  await cp?.close();
});

const run = (cmd: CommandClass, argv: string[], env: Record<string, string | undefined> = {}) =>
  runCommand(cmd, argv, { ...cp.env, ...env });

interface LimitsJson {
  limits: Record<string, number | string>;
  overridden: string[];
  defaults: Record<string, number | string>;
}

describe('limits', () => {
  it('sets limits from kebab-case flags, durations as strings', async () => {
    const r = await run(LimitsSet, [
      '--tenant',
      'acme',
      '--ingestion-rate',
      '50000',
      '--max-global-series-per-user',
      '2000000',
      '--retention-period',
      '14d',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('3 limits set for tenant acme\n');
    expect(r.stdout).toMatch(/^LIMIT\s+VALUE\s+DEFAULT\s+OVERRIDDEN$/m);
    expect(r.stdout).toMatch(/^ingestion_rate\s+50000\s+10000\s+yes$/m);
    expect(r.stdout).toMatch(/^retention_period\s+(14d|2w)\s+/m);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(4);
  });

  it('gets the effective limits as JSON', async () => {
    const r = await run(LimitsGet, ['-t', 'acme', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const l = JSON.parse(r.stdout) as LimitsJson;
    expect(l.limits.ingestion_rate).toBe(50_000);
    expect(l.limits.max_global_series_per_user).toBe(2_000_000);
    expect(l.overridden.sort()).toEqual(['ingestion_rate', 'max_global_series_per_user', 'retention_period']);
    const overriddenOnly = await run(LimitsGet, ['-t', 'acme', '--overridden']);
    expect(overriddenOnly.stdout.trimEnd().split('\n')).toHaveLength(4);
  });

  it('sets a list limit from a comma-separated flag and a strategy by name', async () => {
    // A strategy that keeps UTF-8 names needs the utf8 name validation scheme (as in Prometheus and Mimir).
    const alone = await run(LimitsSet, ['-t', 'acme', '--otlp-translation-strategy', 'NoTranslation']);
    expect(alone.exitCode).toBe(1);
    expect(alone.stderr).toMatch(/set name_validation_scheme to utf8/);
    const r = await run(LimitsSet, [
      '-t',
      'acme',
      '--promote-otel-resource-attributes',
      'k8s.namespace.name, team',
      '--otlp-translation-strategy',
      'NoTranslation',
      '--name-validation-scheme',
      'utf8',
      '-o',
      'json',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const l = JSON.parse(r.stdout) as { limits: Record<string, unknown> };
    expect(l.limits.promote_otel_resource_attributes).toEqual(['k8s.namespace.name', 'team']);
    expect(l.limits.otlp_translation_strategy).toBe(3);
    expect(l.limits.name_validation_scheme).toBe(1);
    const table = await run(LimitsGet, ['-t', 'acme', '--overridden']);
    expect(table.stdout).toMatch(/^promote_otel_resource_attributes\s+k8s\.namespace\.name,team\s+-\s+yes$/m);
    const cleared = await run(LimitsSet, ['-t', 'acme', '--promote-otel-resource-attributes', '', '-o', 'json']);
    expect(JSON.parse(cleared.stdout).limits.promote_otel_resource_attributes).toEqual([]);
    await run(LimitsUnset, [
      '-t',
      'acme',
      'promote_otel_resource_attributes',
      'otlp_translation_strategy',
      'name_validation_scheme',
    ]);
  });

  it('unsets overrides given as snake or kebab keys', async () => {
    const r = await run(LimitsUnset, ['-t', 'acme', 'ingestion_rate', 'retention-period', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const l = JSON.parse(r.stdout) as LimitsJson;
    expect(l.overridden).toEqual(['max_global_series_per_user']);
    expect(l.limits.ingestion_rate).toBe(l.defaults.ingestion_rate);
  });

  it.each([
    { name: 'no limit flag', cmd: LimitsSet, argv: ['-t', 'acme'], exit: 2, err: /no limit given/ },
    {
      name: 'not a number',
      cmd: LimitsSet,
      argv: ['-t', 'acme', '--ingestion-rate', 'lots'],
      exit: 2,
      err: /expected a number/,
    },
    {
      name: 'out of range (server)',
      cmd: LimitsSet,
      argv: ['-t', 'acme', '--max-label-names-per-series', '0'],
      exit: 1,
      err: /400 bad_data: POST \/cortex\.admin\.v1\.AdminService\/SetLimits/,
    },
    {
      name: 'unknown key',
      cmd: LimitsUnset,
      argv: ['-t', 'acme', 'bogus_limit'],
      exit: 2,
      err: /unknown limit bogus_limit/,
    },
    {
      name: 'unknown flag',
      cmd: LimitsSet,
      argv: ['-t', 'acme', '--bogus-limit', '1'],
      exit: 2,
      err: /Nonexistent flag: --bogus-limit/,
    },
    {
      name: 'unknown tenant',
      cmd: LimitsGet,
      argv: ['-t', 'ghost'],
      exit: 1,
      err: /404 not_found: POST \/cortex\.admin\.v1\.AdminService\/GetLimits/,
    },
    { name: 'wrong token', cmd: LimitsGet, argv: ['-t', 'acme', '--token', 'nope-nope-nope'], exit: 4, err: /401/ },
  ])('fails: $name', async ({ cmd, argv, exit, err }) => {
    const r = await run(cmd, argv);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(err);
    expect(r.exitCode).toBe(exit);
  });
});
