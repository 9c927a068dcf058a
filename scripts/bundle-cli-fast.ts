/**
 * Part of `npm run build`: dist/fast/, cortexctl's fast start (cli/fast-path.ts). One esbuild bundle
 * of every command but `server` (which loads the whole platform and runs for hours: start-up does not
 * matter there), split so that a command loads the shared code (oclif, the admin client) plus its own
 * chunk. Commands are found as oclif finds them: cli/commands/<topic>/<verb>.ts, ID `topic:verb`.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { dataPlaneWithoutSideEffects, REQUIRE_BANNER } from './esbuild-cli.js';
import { prehydratedDescriptors } from './prehydrated-descriptors.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const COMMANDS = join(REPO, 'cli/commands');
const OUT = join(REPO, 'dist/fast');
/**
 * Built-ins a command may never touch, loaded on first use: connect-node imports http2 (with tls and
 * crypto, ~10 ms) for HTTP/2 transports, https and zlib for https addresses and compression.
 */
const LAZY = new Set(['node:http2', 'node:https', 'node:zlib']);
/** Commands left to oclif's own loading. */
const SLOW = new Set(['server']);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.ts$/.test(e.name) && !/\.(test|d)\.ts$/.test(e.name) ? [p] : [];
  });
}

const commands = files(COMMANDS)
  .map((file) => {
    const rel = relative(COMMANDS, file).replace(/\.ts$/, '').split(sep);
    if (rel.at(-1) === 'index') rel.pop();
    return { id: rel.join(':'), file };
  })
  .filter((c) => !SLOW.has(c.id))
  .sort((a, b) => (a.id < b.id ? -1 : 1));

const entry = [
  `import { runFast } from './fast-path.ts';`,
  'const COMMANDS = {',
  ...commands.map(
    (c) => `  ${JSON.stringify(c.id)}: () => import(${JSON.stringify(`./${relative(join(REPO, 'cli'), c.file)}`)}),`,
  ),
  '};',
  '/** Runs argv when it names a bundled command; false: let oclif handle it. */',
  'export const run = (argv, root) => runFast(argv, root, COMMANDS);',
].join('\n');

// What the CLI takes from oclif, from oclif's own entry points: its index would also load the
// runner, help and plugin machinery, which the fast start never uses.
const OCLIF_LITE = [
  "export * as Args from '@oclif/core/args';",
  "export { Command } from '@oclif/core/command';",
  "export { Config } from '@oclif/core/config';",
  "export * as Flags from '@oclif/core/flags';",
  "export { flush } from '@oclif/core/flush';",
  "export { handle } from '@oclif/core/handle';",
].join('\n');

rmSync(OUT, { recursive: true, force: true });
const result = await build({
  stdin: { contents: entry, resolveDir: join(REPO, 'cli'), sourcefile: 'fast-entry.ts', loader: 'ts' },
  outdir: OUT,
  entryNames: 'run',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  banner: { js: REQUIRE_BANNER },
  // oclif requires TypeScript only to run TypeScript sources (development), inside a try. yaml is
  // loaded lazily (`-o yaml`, context files) and, being CommonJS, keeps its named exports only when
  // Node itself imports it.
  external: ['typescript', 'yaml'],
  plugins: [
    dataPlaneWithoutSideEffects(REPO),
    prehydratedDescriptors('esm'),
    {
      name: 'oclif-lite',
      setup(b) {
        b.onResolve({ filter: /^@oclif\/core$/ }, () => ({ path: 'oclif-lite', namespace: 'oclif-lite' }));
        b.onLoad({ filter: /.*/, namespace: 'oclif-lite' }, () => ({
          contents: OCLIF_LITE,
          resolveDir: REPO,
          loader: 'js',
        }));
      },
    },
  ],
  logLevel: 'warning',
  metafile: true,
});
const outputs = Object.entries(result.metafile.outputs);
for (const [file] of outputs) {
  const path = join(REPO, file);
  writeFileSync(path, builtinsThroughRequire(readFileSync(path, 'utf8')));
}
if (process.env.BUNDLE_META)
  (await import('node:fs')).writeFileSync(process.env.BUNDLE_META, JSON.stringify(result.metafile));
const bytes = outputs.reduce((n, [, o]) => n + o.bytes, 0);
console.log(`dist/fast: ${commands.length} commands in ${outputs.length} files (${Math.round(bytes / 1024)} KiB)`);

/**
 * `import { readFileSync } from "node:fs"` in an ES module makes Node build the module's ESM facade,
 * which reads every export of the built-in once: fs's ReadStream getter loads the streams, process's
 * allowedNodeEnvironmentFlags parses every flag (about 20 ms of a start-up). `require()` (the banner
 * gives each chunk one) hands over the CommonJS object without touching its getters.
 */
function builtinsThroughRequire(code: string): string {
  // `a,b as c` → `a,b:c`
  const pattern = (names: string) =>
    names
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '')
      .map((n) => n.replace(/^(\S+)\s+as\s+(\S+)$/, '$1:$2'))
      .join(',');
  const from = '\\s*from\\s*"(node:[a-z0-9_/]+)";?';
  return code
    .replace(
      new RegExp(`\\bimport\\s*\\{([^}]*)\\}${from}`, 'g'),
      (_, names: string, mod: string) => `const{${pattern(names)}}=require("${mod}");`,
    )
    .replace(
      new RegExp(`\\bimport\\s+([\\w$]+)\\s*,\\s*\\{([^}]*)\\}${from}`, 'g'),
      (_, def: string, names: string, mod: string) => {
        return `const ${def}=require("${mod}"),{${pattern(names)}}=${def};`;
      },
    )
    .replace(new RegExp(`\\bimport\\s*\\*\\s*as\\s+([\\w$]+)${from}`, 'g'), (_, name: string, mod: string) =>
      LAZY.has(mod)
        ? `const ${name}=new Proxy({},{get:(_,k)=>require("${mod}")[k]});`
        : `const ${name}=require("${mod}");`,
    )
    .replace(new RegExp(`\\bimport\\s+([\\w$]+)${from}`, 'g'), 'const $1=require("$2");');
}
