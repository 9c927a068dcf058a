/**
 * cortexctl's fast bundle replaces the generated `fileDesc(base64)` calls with descriptors decoded at
 * build time (scripts/prehydrated-descriptors.ts). Bundled with that plugin, the admin API's
 * descriptors must be the ones `fileDesc` builds at run time: same messages, fields, JSON names,
 * enums and methods, and messages encoded by one must decode with the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { create, type DescFile, fromBinary, toBinary, toJson } from '@bufbuild/protobuf';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import * as runtime from '../../gen/cortex/admin/v1/admin_pb.js';
import { prehydratedDescriptors } from '../../scripts/prehydrated-descriptors.js';

const dir = mkdtempSync(join(tmpdir(), 'prehydrated-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundled(): Promise<typeof runtime> {
  const out = join(dir, 'admin.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, '../../gen/cortex/admin/v1/admin_pb.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    plugins: [prehydratedDescriptors('esm')],
    metafile: true,
    logLevel: 'error',
  });
  return import(pathToFileURL(out).href);
}

/** Everything a client reads from a file descriptor, as plain data. */
function shape(f: DescFile) {
  return {
    name: f.name,
    deps: f.dependencies.map((d) => d.name),
    messages: f.messages.map((m) => ({
      typeName: m.typeName,
      fields: m.fields.map((x) => [
        x.name,
        x.number,
        x.fieldKind,
        x.jsonName,
        x.oneof?.name,
        'packed' in x ? x.packed : undefined,
        x.presence,
      ]),
      nested: m.nestedMessages.map((n) => n.typeName),
    })),
    enums: f.enums.map((e) => [e.typeName, e.values.map((v) => [v.name, v.number])]),
    services: f.services.map((s) => [
      s.typeName,
      s.methods.map((m) => [m.name, m.methodKind, m.input.typeName, m.output.typeName]),
    ]),
  };
}

describe('prehydrated admin.proto descriptors', () => {
  it('describe the same file as fileDesc', async () => {
    const hydrated = await bundled();
    expect(shape(hydrated.file_cortex_admin_v1_admin)).toEqual(shape(runtime.file_cortex_admin_v1_admin));
    expect(runtime.file_cortex_admin_v1_admin.messages.length).toBeGreaterThan(20);
  });

  it('encode messages the run-time descriptors decode, and back', async () => {
    const hydrated = await bundled();
    const tenant = create(hydrated.TenantSchema, { id: 'acme', displayName: 'Acme', labels: { team: 'a' } });
    const wire = toBinary(hydrated.TenantSchema, tenant);
    const back = fromBinary(runtime.TenantSchema, wire);
    expect(toJson(runtime.TenantSchema, back)).toEqual(toJson(hydrated.TenantSchema, tenant));
    expect(toJson(runtime.TenantSchema, back)).toMatchObject({
      id: 'acme',
      displayName: 'Acme',
      labels: { team: 'a' },
    });
  });
});
