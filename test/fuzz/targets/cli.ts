/**
 * The CLI's inputs, two targets.
 *
 * `cli-input`, in process: what `cortexctl` parses before it sends anything — flag values (`--label`,
 * `--federate`, `--scopes`, `--expires-in`, the limit flags and names), the config/contexts file
 * (loaded, resolved against flags and environment, edited and saved back), rule files and Alertmanager
 * files (parsed, linted, diffed, rendered), PromQL expressions (`rules lint`) and the `-o json|yaml`
 * and table renderings of any value an answer may hold. Property: each either returns or fails with
 * an Error carrying a message for the user (UsageError, ConfigError, UnknownContextError or a plain
 * Error), never a TypeError, RangeError or another engine error, which the CLI would show as an
 * "internal" failure; a loaded config file saves and loads back unchanged.
 *
 * `cli-spawn`: a few real `node bin/run.js` runs per input batch with generated argv (commands, flags
 * with odd values, positional arguments, generated rule, Alertmanager and config files) against the
 * in-process platform over HTTP, as root. Property: exit 0, 1, 2 or 4; a failure says why on stderr
 * (as JSON with `--json`), never with a stack trace or an engine error's message.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readAlertmanagerFiles } from '../../../cli/alertmanager/index.js';
import {
  type CliConfig,
  loadConfig,
  removeContext,
  resolveConnection,
  saveConfig,
  upsertContext,
  useContext,
} from '../../../cli/config/index.js';
import { describeError } from '../../../cli/errors.js';
import { renderData, renderTable, tenantColumns, tokenColumns } from '../../../cli/format/index.js';
import { limitKeys, parseLimitKeys, parseLimitValue } from '../../../cli/limits/index.js';
import { expiresAt, parseLabels, parseScopes, parseTenantList } from '../../../cli/parse-input.js';
import { canonical, checkExpr, diffRules, loadRuleFiles, renderChanges } from '../../../cli/rules/index.js';
import type { LimitKey } from '../../../data-plane/validation/index.js';
import { BIN, ensureBuilt, REPO } from '../../helpers/cortexctl.js';
import { ROOT_TOKEN } from '../../helpers/platform.js';
import { type FuzzContext, oddNumber, oddScalarText, oddString, pick, registerTarget, short } from '../harness.js';
import { alertmanagerBody } from './alertmanager-yaml.js';
import { ruleGroupBody } from './rules-yaml.js';

/** Engine errors: a bug in the CLI, shown to the user as an internal failure. */
const ENGINE_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];
const ENGINE_MESSAGE =
  /^\s+at\s|node:internal|\b(TypeError|RangeError|ReferenceError)\b|Cannot read propert|is not a function|is not iterable|Invalid time value|Maximum call stack/m;

/** Runs `f`; a thrown error must be one the CLI explains, with a message. */
async function clean<T>(what: string, f: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (err) {
    const engine = ENGINE_ERRORS.some((E) => err instanceof E);
    const d = describeError(err);
    if (engine || !(err instanceof Error) || d.message.trim() === '' || ENGINE_MESSAGE.test(d.message))
      throw new Error(`${what}: ${String(err)}${err instanceof Error ? `\n${err.stack}` : ''}`);
    return undefined;
  }
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

const tenantish = fc.oneof(
  { weight: 3, arbitrary: pick('fz-1', 'fz-2', 'fz_3', 'team-a') },
  { weight: 2, arbitrary: oddString },
);
const durationish = fc.oneof(
  { weight: 2, arbitrary: pick('90d', '12h', '1y', '30m', '0s', '-1h') },
  { weight: 2, arbitrary: oddScalarText },
  { weight: 1, arbitrary: pick('9999999y', '292y', '293y', '100000000d', '1e3h', '5m5m', '1h-5m') },
  { weight: 1, arbitrary: oddString },
);
const contextName = fc.oneof({ weight: 3, arbitrary: pick('dev', 'prod', 'ci') }, { weight: 1, arbitrary: oddString });
const addressish = fc.oneof(
  { weight: 2, arbitrary: pick('http://127.0.0.1:1', 'http://[::1]:1') },
  { weight: 1, arbitrary: pick('', 'not a url', 'ftp://x', 'http://[::1', 'http://127.0.0.1:99999', '127.0.0.1:1') },
  { weight: 1, arbitrary: oddString },
);

/** A contexts file: what `context add` writes, then odd values and mutations of the text. */
const configText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({
        current: fc.option(contextName),
        contexts: fc.array(
          fc.record(
            { name: contextName, address: addressish, token: oddString, tenant: tenantish },
            { requiredKeys: ['name'] },
          ),
          { maxLength: 3 },
        ),
      })
      .map(({ current, contexts }) =>
        JSON.stringify({ ...(current !== null ? { 'current-context': current } : {}), contexts }),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        contextName,
        fc.oneof(
          oddString,
          oddScalarText,
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
      )
      .map(([n, v]) => `current-context: ${n}\ncontexts:\n  - name: ${v}\n    address: ${v}\n    tenant: ${v}\n`),
  },
  { weight: 1, arbitrary: fc.oneof(oddScalarText, oddString, pick('contexts: 1', 'contexts: [1, null]', '- a', '[]')) },
);

type CliInput =
  | { kind: 'labels'; pairs: string[] }
  | { kind: 'tenants'; list: string }
  | { kind: 'scopes'; list: string }
  | { kind: 'expires'; s: string }
  | { kind: 'limit'; key: string; raw: string }
  | { kind: 'limit-keys'; names: string[] }
  | {
      kind: 'config';
      text: string;
      ops: { op: 'upsert' | 'use' | 'remove'; name: string }[];
      flag: string | null;
      env: string | null;
    }
  | { kind: 'rules'; body: Uint8Array; wrap: boolean; ns: string | null }
  | { kind: 'alertmanager'; body: Uint8Array; templates: [string, string][] }
  | { kind: 'render'; data: unknown; format: 'json' | 'yaml' | 'table' }
  | { kind: 'expr'; expr: string };

const odd = fc.oneof(oddString, oddScalarText, oddNumber.map(String));

const cliInput: fc.Arbitrary<CliInput> = fc.oneof(
  fc.record({
    kind: fc.constant('labels' as const),
    pairs: fc.array(
      fc.oneof(
        fc.tuple(odd, odd).map(([k, v]) => `${k}=${v}`),
        odd,
      ),
      { maxLength: 4 },
    ),
  }),
  fc.record({
    kind: fc.constant('tenants' as const),
    list: fc.array(tenantish, { maxLength: 4 }).map((xs) => xs.join(',')),
  }),
  fc.record({
    kind: fc.constant('scopes' as const),
    list: fc
      .array(fc.oneof(pick('metrics:read', 'metrics:write', 'rules:read', 'alerts:write', ''), oddString), {
        maxLength: 4,
      })
      .map((xs) => xs.join(',')),
  }),
  fc.record({ kind: fc.constant('expires' as const), s: durationish }),
  fc.record({
    kind: fc.constant('limit' as const),
    key: fc.constantFrom(...limitKeys()),
    raw: fc.oneof(odd, durationish, pick('10', '0', '-1', '1.5', '1e308', 'Infinity', '0x10', ' 7 ', 'a,b,,c')),
  }),
  fc.record({
    kind: fc.constant('limit-keys' as const),
    names: fc.array(fc.oneof(fc.constantFrom(...limitKeys()), odd), { maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('config' as const),
    text: configText,
    ops: fc.array(fc.record({ op: pick('upsert' as const, 'use' as const, 'remove' as const), name: contextName }), {
      maxLength: 3,
    }),
    flag: fc.option(contextName),
    env: fc.option(contextName),
  }),
  fc.record({
    kind: fc.constant('rules' as const),
    // up to 64 KiB: the yaml library takes ~10 s over 1–2 MiB of broken YAML (a local file; the
    // server refuses such a body unparsed), which would leave no time for other inputs
    body: ruleGroupBody.filter((b) => b.length <= 65_536),
    wrap: fc.boolean(),
    ns: fc.option(fc.oneof(pick('team-a', 'ns'), oddString)),
  }),
  fc.record({
    kind: fc.constant('alertmanager' as const),
    body: alertmanagerBody,
    templates: fc.array(fc.tuple(fc.oneof(pick('a.tmpl', '__proto__', 'constructor'), oddString), odd), {
      maxLength: 2,
    }),
  }),
  fc.record({
    kind: fc.constant('render' as const),
    data: fc.oneof(
      fc.jsonValue(),
      fc.array(
        fc.dictionary(
          fc.oneof(pick('id', 'name', 'state', 'scopes', 'created_at', '__proto__'), oddString),
          fc.jsonValue(),
        ),
        {
          maxLength: 3,
        },
      ),
    ),
    format: pick('json' as const, 'yaml' as const, 'table' as const),
  }),
  fc.record({
    kind: fc.constant('expr' as const),
    expr: fc.oneof(odd, pick('sum(rate(x[5m]))', 'x{', 'x @ 1e400', '"\\xff"', 'a\nb', 'x[5m:]')),
  }),
);

/** A config as what it means: the current context and each context's fields, in order. */
function configKey(c: CliConfig): string {
  return JSON.stringify([
    c.currentContext ?? null,
    c.contexts.map((x) => [x.name, x.address ?? null, x.token ?? null, x.tenant ?? null]),
  ]);
}

/** `text` (a rule group body) as a rule file: under `groups:`, or as it is. */
function ruleFile(body: Uint8Array, wrap: boolean): string {
  const t = text(body);
  return wrap ? `groups:\n  - ${t.replaceAll('\n', '\n    ')}\n` : t;
}

async function runInput(dir: string, inp: CliInput): Promise<number> {
  const what = `${inp.kind} ${short(
    JSON.stringify(inp, (_, v) => (v instanceof Uint8Array ? text(v) : v)),
    600,
  )}`;
  switch (inp.kind) {
    case 'labels':
      await clean(what, () => parseLabels(inp.pairs));
      break;
    case 'tenants':
      await clean(what, () => parseTenantList(inp.list));
      break;
    case 'scopes':
      await clean(what, () => parseScopes(inp.list));
      break;
    case 'expires':
      await clean(what, () => expiresAt(inp.s, Date.now()));
      break;
    case 'limit':
      await clean(what, () => parseLimitValue(inp.key as LimitKey, inp.raw));
      break;
    case 'limit-keys':
      await clean(what, () => parseLimitKeys(inp.names));
      break;
    case 'config': {
      const path = join(dir, 'config.yaml');
      await writeFile(path, inp.text);
      const cfg = await clean(what, () => loadConfig(path));
      if (!cfg) return 1;
      await clean(what, () =>
        resolveConnection({
          flags: inp.flag !== null ? { context: inp.flag } : {},
          env: inp.env !== null ? { CORTEXCTL_CONTEXT: inp.env } : {},
          config: cfg,
        }),
      );
      let edited = cfg;
      for (const o of inp.ops) {
        const next = await clean(what, () =>
          o.op === 'upsert'
            ? upsertContext(edited, { name: o.name, address: 'http://127.0.0.1:1', tenant: o.name })
            : o.op === 'use'
              ? useContext(edited, o.name)
              : removeContext(edited, o.name),
        );
        if (next) edited = next;
      }
      // what `context add`/`use` saves loads back as it was
      const out = join(dir, 'saved.yaml');
      await saveConfig(out, edited);
      const back = await loadConfig(out);
      if (configKey(back) !== configKey(edited))
        throw new Error(`${what}: saved ${configKey(edited)}, loaded back ${configKey(back)}`);
      return 0;
    }
    case 'rules': {
      const path = join(dir, 'rules.yaml');
      await writeFile(path, ruleFile(inp.body, inp.wrap));
      const loaded = await clean(what, () => loadRuleFiles([path], inp.ns ?? undefined));
      if (!loaded) return 1;
      for (const groups of loaded.rules.values()) for (const g of groups) await clean(what, () => canonical(g));
      const changes = await clean(what, () => diffRules(loaded.rules, {}, { deleteMissing: true }));
      if (changes) await clean(what, () => renderChanges(changes, false));
      return loaded.problems.length === 0 ? 0 : 1;
    }
    case 'alertmanager': {
      const path = join(dir, 'alertmanager.yaml');
      await writeFile(path, inp.body);
      const files: string[] = [];
      for (const [i, [name, body]] of inp.templates.entries()) {
        // template file names come from the user's disk: keep them to one path segment
        const safe = `${i}-${name.replaceAll(/[/\\\u0000]/g, '_').slice(0, 100) || 'x'}`;
        await writeFile(join(dir, safe), body);
        files.push(join(dir, safe));
      }
      // reads the config (plain or wrapped) and the templates, and verifies the config
      const r = await clean(what, () => readAlertmanagerFiles(path, files));
      return r && r.problems.length === 0 ? 0 : 1;
    }
    case 'render':
      await clean(what, () =>
        inp.format === 'table'
          ? [renderTable(rowsOf(inp.data), tenantColumns), renderTable(rowsOf(inp.data), tokenColumns)]
          : renderData(inp.data, inp.format),
      );
      break;
    case 'expr':
      await clean(what, () => checkExpr(inp.expr));
      break;
  }
  return 0;
}

/**
 * Table rows as the client hands them over: decoded messages, so objects (with any field values);
 * `-o json|yaml` render any value.
 */
function rowsOf(data: unknown): never[] {
  if (!Array.isArray(data)) return [];
  return data.filter((r) => typeof r === 'object' && r !== null && !Array.isArray(r)) as never[];
}

let workDir: string | undefined;

export const cliInputTarget = registerTarget({
  name: 'cli-input',
  // one working directory (the contexts file) for every input
  concurrent: false,
  surface:
    "the CLI's inputs in process: flag values, the contexts file, rule and Alertmanager files, PromQL to lint, -o renderings",
  arbitrary: cliInput,
  async run(_ctx, inp: CliInput) {
    workDir ??= await mkdtemp(join(tmpdir(), 'fuzz-cli-'));
    // 0 = accepted, 1 = refused with a clear error or problems listed
    return runInput(workDir, inp);
  },
  async after() {
    if (workDir) await rm(workDir, { recursive: true, force: true });
    workDir = undefined;
  },
});

// ---------------------------------------------------------------------------------------------------
// Real `cortexctl` processes.

const COMMANDS = [
  'tenant list',
  'tenant get',
  'tenant create',
  'tenant update',
  'tenant suspend',
  'tenant resume',
  'tenant delete',
  'tenant delete-series',
  'token create',
  'token list',
  'token revoke',
  'limits get',
  'limits set',
  'limits unset',
  'rules lint',
  'rules list',
  'rules get',
  'rules push',
  'rules diff',
  'rules sync',
  'rules delete',
  'alertmanager verify',
  'alertmanager push',
  'alertmanager get',
  'context add',
  'context use',
  'context list',
  'context current',
  'context delete',
  'status',
  'usage',
  'admin-token list',
  'admin-token create',
  'admin-token revoke',
  'nosuch',
  '',
];

/** Tenant IDs the spawned commands may name: never the fuzzed or the canary tenant. */
const spawnTenant = fc
  .oneof(pick('fz-cli-1', 'fz-cli-2', 'nosuch-tenant'), oddString)
  .filter((t) => t !== 'fuzz' && t !== 'canary');

type Arg = string | { file: 'rules' | 'alertmanager' | 'config' | 'missing' | 'dir' };

const flag: fc.Arbitrary<Arg[]> = fc.oneof(
  spawnTenant.map((t) => ['--tenant', t]),
  spawnTenant.map((t) => [`-t=${t}`]),
  pick<Arg[]>(['--json'], ['-o', 'json'], ['-o', 'yaml'], ['-o', 'table'], ['--yes'], ['--dry-run'], ['--help']),
  odd.map((v) => ['-o', v]),
  addressish.map((a) => ['--address', a]),
  fc.oneof(pick(ROOT_TOKEN, 'wrong-token'), oddString).map((t) => ['--token', t]),
  contextName.map((c) => ['--context', c]),
  odd.map((v) => ['--scopes', v]),
  durationish.map((v) => ['--expires-in', v]),
  fc.tuple(odd, odd).map(([k, v]) => ['--label', `${k}=${v}`]),
  fc
    .tuple(pick('--ingestion-rate', '--max-global-series-per-user', '--retention-period', '--nosuch-limit'), odd)
    .map(([f, v]) => [f, v]),
  odd.map((v) => ['--federate', v]),
  odd.map((v) => ['--namespace', v]),
  fc.tuple(pick('--start', '--end', '--resolution', '--match', '--name', '--description'), odd).map(([f, v]) => [f, v]),
  pick<Arg>({ file: 'rules' }, { file: 'alertmanager' }, { file: 'missing' }, { file: 'dir' }).map((f) => [f]),
  pick<Arg>({ file: 'rules' }, { file: 'alertmanager' }).map((f) => ['--template', f]),
  odd.map((v) => [v]),
);

interface SpawnInput {
  command: string;
  args: Arg[][];
  json: boolean;
  config: string | null;
  rules: Uint8Array;
  alertmanager: Uint8Array;
}

const spawnInput: fc.Arbitrary<SpawnInput> = fc.record({
  command: fc.constantFrom(...COMMANDS),
  args: fc.array(flag, { maxLength: 5 }),
  json: fc.boolean(),
  config: fc.option(configText),
  rules: ruleGroupBody,
  alertmanager: alertmanagerBody,
});

async function runCortexctl(argv: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...argv], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), NO_COLOR: '1', ...env },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 100_000) stderr += d;
  });
  child.stdin.end('');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number>((res) => child.on('close', (c, sig) => res(sig ? -1 : (c ?? -1))));
  clearTimeout(timer);
  return { code, stderr };
}

export const cliSpawnTarget = registerTarget({
  name: 'cli-spawn',
  surface: 'real `node bin/run.js` processes with generated argv, flags and files against the platform over HTTP',
  arbitrary: spawnInput,
  // a process start each (~0.5 s): few in `npm test`
  boundedRuns: 12,
  async run(ctx: FuzzContext, inp: SpawnInput) {
    ensureBuilt();
    const dir = await mkdtemp(join(tmpdir(), 'fuzz-cli-spawn-'));
    try {
      const files = {
        rules: join(dir, 'rules.yaml'),
        alertmanager: join(dir, 'alertmanager.yaml'),
        config: join(dir, 'config.yaml'),
        missing: join(dir, 'missing.yaml'),
        dir,
      };
      await writeFile(files.rules, ruleFile(inp.rules, true));
      await writeFile(files.alertmanager, inp.alertmanager);
      if (inp.config !== null) await writeFile(files.config, inp.config);
      const argv = [
        ...inp.command.split(' ').filter((s) => s !== ''),
        // an argv cannot hold a NUL byte (exec refuses it, as a shell would)
        ...inp.args.flat().map((a) => (typeof a === 'string' ? a.replaceAll('\u0000', '') : files[a.file])),
        ...(inp.json ? ['--json'] : []),
      ];
      const { code, stderr } = await runCortexctl(argv, {
        CORTEXCTL_CONFIG: files.config,
        CORTEXCTL_ADDRESS: ctx.platform.url,
        CORTEXCTL_TOKEN: ROOT_TOKEN,
      });
      const what = `cortexctl ${short(JSON.stringify(argv), 800)} → exit ${code}: ${short(stderr, 1500)}`;
      if (![0, 1, 2, 4].includes(code)) throw new Error(`${what}: unexpected exit code`);
      if (ENGINE_MESSAGE.test(stderr)) throw new Error(`${what}: a stack trace or an engine error`);
      if (code !== 0 && stderr.trim() === '') throw new Error(`${what}: failed without a word`);
      return code;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
});
