/**
 * What both CLI bundles (scripts/bundle-cli.ts, scripts/bundle-cli-fast.ts) need from esbuild.
 */
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * CommonJS packages bundled into an ES module call require() for Node's built-ins; this gives the
 * bundle a real one.
 */
export const REQUIRE_BANNER =
  "import { createRequire as __cxCreateRequire } from 'node:module'; const require = __cxCreateRequire(import.meta.url);";

/**
 * The CLI uses a few pure pieces of the data plane (limit specs, the PromQL parser, label checks)
 * through their folders' index.ts; without this every module those re-export (and prom-client,
 * re2js, ...) would be bundled and loaded with them. Those modules only declare things.
 */
export function dataPlaneWithoutSideEffects(repo: string): Plugin {
  return {
    name: 'data-plane-without-side-effects',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
        const file = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
        if (!file.startsWith(join(repo, 'data-plane') + sep) || !existsSync(file)) return undefined;
        return { path: file, sideEffects: false };
      });
    },
  };
}
