/**
 * Part of `npm run build`: dist/fast/, cortexctl's fast start (cli/fast-path.ts). One esbuild bundle
 * of every command but `server` (which loads the whole platform and runs for hours: start-up does not
 * matter there), split so that a command loads the shared code (oclif, the admin client) plus its own
 * chunk. Commands are found as oclif finds them: cli/commands/<topic>/<verb>.ts, ID `topic:verb`.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
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
  // The global Headers loads all of undici (with http2 and tls) on first touch: ~40 ms.
  inject: [join(REPO, 'scripts/inject-lite-headers.ts')],
  // oclif requires TypeScript only to run TypeScript sources (development), inside a try. yaml is
  // loaded lazily (`-o yaml`, context files) and, being CommonJS, keeps its named exports only when
  // Node itself imports it.
  external: ['typescript', 'yaml'],
  plugins: [
    dataPlaneWithoutSideEffects(REPO),
    prehydratedDescriptors('esm'),
    oclifLazyRequires(),
    oclifDepsFromNodeModules(),
    {
      // oclif's logger prints only with DEBUG set; scripts/lite-debug.ts loads the real `debug` then.
      name: 'lite-debug',
      setup(b) {
        b.onResolve({ filter: /^debug$/ }, () => ({ path: join(REPO, 'scripts/lite-debug.ts') }));
      },
    },
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
 * oclif's modules require each other at load time, so running one command evaluates its help
 * renderer, plugin discovery (globbing, ejs), spinners and error formatting too: ~30 ms of a start.
 * In oclif's own files, `const x_1 = require("…")` becomes a proxy that requires the module on first
 * use; oclif's compiled code reads `x_1.name` at call time, so only what runs gets loaded. What needs
 * the module object itself at load (`__importStar`, `extends x.Base`) still loads it right away.
 */
function oclifLazyRequires(): Plugin {
  const LAZY =
    'function __cxLazy(load){let m;const t=()=>m??=load();return new Proxy({},{get:(_,k)=>t()[k],has:(_,k)=>k in t(),' +
    'ownKeys:()=>Reflect.ownKeys(t()),getOwnPropertyDescriptor:(_,k)=>{const d=Object.getOwnPropertyDescriptor(t(),k);' +
    'if(d)d.configurable=true;return d}})}\n';
  // Only TypeScript's own output (`const x_1 = require("…")`), which reads the module's properties at
  // call time; a hand-written `const wordwrap = require('wordwrap')` may call the export itself, and a
  // proxy over an object cannot be called.
  const REQUIRE = /^const (\w+_\d+) = (__importDefault\()?require\(("[^"]+")\)(\))?;$/gm;
  return {
    name: 'oclif-lazy-requires',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/ }, (args) => {
        const code = withoutCollator(args.path, readFileSync(args.path, 'utf8')).replace(
          REQUIRE,
          (_, name, viaDefault, spec) =>
            viaDefault
              ? `const ${name} = __cxLazy(() => __importDefault(require(${spec})));`
              : `const ${name} = __cxLazy(() => require(${spec}));`,
        );
        return { contents: LAZY + code, loader: 'js' };
      });
    },
  };
}

/**
 * oclif sorts the manifest's commands by `localeCompare`, whose first call builds an ICU collator:
 * ~12 ms of every start, for an order only help listings show. Command IDs are ASCII, where plain
 * code-unit order is as good. The build fails if oclif stops sorting this way, so the saving cannot
 * silently disappear.
 */
function withoutCollator(file: string, code: string): string {
  if (!/[\\/]config[\\/]plugin\.js$/.test(file)) return code;
  const sort = '.sort((a, b) => a.id.localeCompare(b.id))';
  if (!code.includes(sort))
    throw new Error(`${file}: oclif no longer sorts commands with ${sort}; update bundle-cli-fast.ts`);
  return code.replace(sort, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))');
}

/**
 * oclif's own dependencies (glob matching, ejs, spinners, text wrapping: ~200 KiB) stay out of the
 * bundle, since with lazy requires a command seldom runs them but would still parse them on every
 * start. Each is required from node_modules, as @oclif/core itself would resolve it, on first use.
 * Two are replaced instead: `debug` (lite-debug.ts) and, for `getPlatform()`, `wsl-utils`.
 */
function oclifDepsFromNodeModules(): Plugin {
  const oclifPjson = JSON.parse(readFileSync(join(REPO, 'node_modules/@oclif/core/package.json'), 'utf8'));
  const deps = Object.keys(oclifPjson.dependencies).filter((d) => d !== 'debug' && d !== 'wsl-utils');
  const fromOclif = /[\\/]node_modules[\\/]@oclif[\\/]core[\\/]/;
  return {
    name: 'oclif-deps-from-node-modules',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (!fromOclif.test(args.importer)) return undefined;
        if (args.path === 'wsl-utils') return { path: join(REPO, 'scripts/lite-wsl-utils.ts') };
        if (!deps.includes(args.path)) return undefined;
        return { path: args.path, namespace: 'oclif-dep' };
      });
      b.onLoad({ filter: /.*/, namespace: 'oclif-dep' }, (args) => ({
        contents:
          "const { createRequire } = require('node:module');\n" +
          `module.exports = createRequire(require.resolve('@oclif/core/package.json'))(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

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
