/** House rules every command must follow: a lowercase description, examples with long flags. */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('.', import.meta.url));

function commandFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return commandFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && e.name !== 'server.ts' ? [p] : [];
  });
}

const files = commandFiles(DIR).map((f) => ({ name: relative(DIR, f).replace(/\.ts$/, ''), file: f }));

describe('commands', () => {
  it('covers every topic and verb', () => {
    expect(files.map((f) => f.name).sort()).toEqual([
      'admin-token/create',
      'admin-token/list',
      'admin-token/revoke',
      'alertmanager/delete',
      'alertmanager/get',
      'alertmanager/push',
      'alertmanager/verify',
      'context/add',
      'context/current',
      'context/delete',
      'context/list',
      'context/use',
      'limits/get',
      'limits/set',
      'limits/unset',
      'rules/delete',
      'rules/diff',
      'rules/get',
      'rules/lint',
      'rules/list',
      'rules/push',
      'rules/sync',
      'rules/test',
      'status',
      'tenant/create',
      'tenant/delete',
      'tenant/delete-series',
      'tenant/get',
      'tenant/list',
      'tenant/resume',
      'tenant/suspend',
      'tenant/update',
      'token/create',
      'token/list',
      'token/revoke',
      'usage',
    ]);
  });

  it.each(files)('$name has a description and examples', async ({ file }) => {
    const cmd = (await import(file)).default as { description?: string; examples?: string[] };
    expect(cmd.description).toMatch(/^[a-z]/);
    expect(cmd.description).not.toMatch(/\.$/);
    expect(cmd.examples?.length).toBeGreaterThan(0);
    for (const ex of cmd.examples ?? []) expect(ex).not.toMatch(/ -[a-z] /);
  });
});
