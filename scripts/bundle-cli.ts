/**
 * Part of `npm run build`, after tsc: replaces dist/cli/client/admin-client.js with one esbuild
 * bundle of cli/client/admin-client.ts (the source, so the bundle never goes stale while tsc's
 * incremental build skips an unchanged file) and what it imports (the generated AdminService code, @bufbuild/protobuf,
 * @connectrpc/connect, @connectrpc/connect-node). Node loads one file instead of ~150 ES modules,
 * which is most of `cortexctl`'s start-up (bench/cli.ts measures it). The client's error classes
 * and plain-HTTP transport stay separate modules: the rest of the CLI checks errors with instanceof.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { dataPlaneWithoutSideEffects, REQUIRE_BANNER } from './esbuild-cli.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(REPO, 'dist/cli/client/admin-client.js');
const entry = join(REPO, 'cli/client/admin-client.ts');
const shared = /^\.\/(errors|http)\.js$/;

const result = await build({
  entryPoints: [entry],
  outfile: file,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
  metafile: true,
  banner: { js: REQUIRE_BANNER },
  plugins: [
    dataPlaneWithoutSideEffects(REPO),
    {
      name: 'keep-shared-modules',
      setup(b) {
        // Only the client's own ./errors.js and ./http.js: another folder's errors.js is bundled.
        b.onResolve({ filter: shared }, (args) =>
          dirname(args.importer) === dirname(entry) ? { path: args.path, external: true } : undefined,
        );
      },
    },
  ],
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`dist/cli/client/admin-client.js: bundled (${Math.round(bytes / 1024)} KiB)`);
