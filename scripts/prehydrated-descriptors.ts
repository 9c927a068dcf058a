/**
 * An esbuild plugin for cortexctl's fast start (scripts/bundle-cli-fast.ts): the generated
 * `fileDesc("<base64 FileDescriptorProto>", [deps])` calls (gen/…_pb.ts and the well-known types of
 * @bufbuild/protobuf) are replaced by the already decoded descriptor, written out as object literals.
 *
 * At run time `fileDesc` decodes the base64 with the reflective binary reader, which first boots
 * descriptor.proto's own descriptors: about a fifth of a `cortexctl tenant list`. Decoded at build
 * time, only the registry is built at start-up, and descriptor.proto is not loaded at all. The objects
 * keep the decoded messages' shape: fields that were set are own properties, defaults sit on a shared
 * prototype per message type (as @bufbuild/protobuf's proto2 messages do), so the registry reads them
 * exactly as it would read the decoded message.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { protoCamelCase } from '@bufbuild/protobuf/reflect';
import { base64Decode } from '@bufbuild/protobuf/wire';
import { type DescriptorProto, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { Plugin } from 'esbuild';

const FILE_DESC = /\bfileDesc\(\s*"([A-Za-z0-9+/=]+)"\s*(?:,\s*(\[[^\]]*\]))?\s*\)/g;

export function prehydratedDescriptors(format: 'esm' | 'cjs'): Plugin {
  // …/@bufbuild/protobuf/dist/cjs/index.js → the package folder (package.json is not exported).
  const pkg = dirname(dirname(dirname(createRequire(import.meta.url).resolve('@bufbuild/protobuf'))));
  // The registry module of the same build (esm or cjs) as the rest of the bundle, so there is one copy.
  const registry = join(pkg, 'dist', format, 'registry.js');
  return {
    name: 'prehydrated-descriptors',
    setup(b) {
      b.onResolve({ filter: /^cx-hydrate$/ }, () => ({ path: 'cx-hydrate', namespace: 'cx-hydrate' }));
      b.onLoad({ filter: /.*/, namespace: 'cx-hydrate' }, () => ({
        resolveDir: pkg,
        loader: 'js',
        contents: [
          `import { createEmbeddedFileRegistry } from ${JSON.stringify(registry)};`,
          'export const __cxM = (proto, own) => Object.setPrototypeOf(own, proto);',
          'export function __cxHydrate(root, imports) {',
          '  root.dependency = imports ? imports.map((f) => f.proto.name) : [];',
          '  return createEmbeddedFileRegistry(root, (n) => imports?.find((f) => f.proto.name === n)).getFile(root.name);',
          '}',
        ].join('\n'),
      }));
      b.onLoad({ filter: /_pb\.(ts|js)$/ }, (args) => {
        const src = readFileSync(args.path, 'utf8');
        if (!FILE_DESC.test(src)) return undefined;
        FILE_DESC.lastIndex = 0;
        const protos: object[] = [];
        const out = src.replace(FILE_DESC, (_, b64: string, deps: string | undefined) => {
          const literal = hydrate(b64, protos);
          return `__cxHydrate(${literal}, ${deps ?? 'undefined'})`;
        });
        const header = [
          "import { __cxHydrate, __cxM } from 'cx-hydrate';",
          `const __cxP = [${protos.map((p) => value(p, protos, false)).join(', ')}];`,
        ].join('\n');
        return { contents: `${header}\n${out}`, loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
      });
    },
  };
}

/** The decoded FileDescriptorProto (with JSON names filled in, as `fileDesc` does) as a JS expression. */
function hydrate(b64: string, protos: object[]): string {
  const root = fromBinary(FileDescriptorProtoSchema, base64Decode(b64));
  const restore = (m: DescriptorProto) => {
    for (const f of m.field) {
      if (!Object.hasOwn(f, 'jsonName') || f.jsonName === undefined) f.jsonName = protoCamelCase(f.name);
    }
    m.nestedType.forEach(restore);
  };
  root.messageType.forEach(restore);
  return value(root, protos, true);
}

function value(v: unknown, protos: object[], withProto: boolean): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
    case 'bigint':
      return `${v}n`;
    case 'undefined':
      return 'undefined';
    case 'object':
      break;
    default:
      throw new Error(`prehydrated-descriptors: cannot write a ${typeof v}`);
  }
  if (v instanceof Uint8Array) return `new Uint8Array([${v.join(',')}])`;
  if (Array.isArray(v)) return `[${v.map((x) => value(x, protos, true)).join(',')}]`;
  const own = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${value(x, protos, true)}`);
  const literal = `{${own.join(',')}}`;
  const proto = Object.getPrototypeOf(v) as object | null;
  if (!withProto || proto === Object.prototype || proto === null) return literal;
  let i = protos.indexOf(proto);
  if (i < 0) {
    if (Object.getPrototypeOf(proto) !== Object.prototype) throw new Error('prehydrated-descriptors: deep prototype');
    i = protos.push(proto) - 1;
  }
  return `__cxM(__cxP[${i}], ${literal})`;
}
