/**
 * Offline linter for the Kubernetes manifests in `deploy/k8s/` and the commands in `docs/deploy.md`
 * (`npm run lint:k8s`, part of `npm test`). Four layers, each reporting every problem it finds:
 *
 * 1. Schema: every document is validated against the Kubernetes OpenAPI schema shipped by the
 *    `kubernetes-models` package (types, required fields, enums), like kubeconform does.
 * 2. Strict fields: every key must be a field of its Kubernetes type (kubeconform `-strict`); the field
 *    lists come from the package's type declarations, walked with the TypeScript checker.
 * 3. Consistency: selectors match pod labels, Services point at named container ports, Secret/ConfigMap
 *    references exist, the ingester StatefulSet has a headless Service, a PVC and a long grace period,
 *    probes hit /ready and /health, `$(VAR)` references are defined, kustomization lists every file.
 * 4. Flags: every `--flag` given to `cortexctl server` (container args, and commands in the docs) is a
 *    flag of the oclif command class, every `CORTEX_*` variable is a flag's env, every target is real.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface Problem {
  file: string;
  /** Document index in the file (0-based), or the line number for Markdown. */
  where: string;
  message: string;
}

export interface FlagInfo {
  /** Flag name without dashes. */
  name: string;
  env?: string;
  char?: string;
  /** true for boolean flags (which also accept `--no-x` when `allowNo`). */
  boolean: boolean;
  allowNo: boolean;
}

export const TARGETS = [
  'all',
  'control-plane',
  'gateway',
  'distributor',
  'ingester',
  'querier',
  'query-frontend',
  'ruler',
  'alertmanager',
] as const;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

interface Doc {
  file: string;
  index: number;
  obj: Obj;
}

/** `apiVersion` + `kind` → module of kubernetes-models (the interface is `I<kind>`). */
function modelModule(apiVersion: string, kind: string): string | undefined {
  if (!/^[A-Za-z]+$/.test(kind)) return undefined;
  if (apiVersion === 'v1') return `kubernetes-models/v1/${kind}`;
  if (/^[a-z0-9.]+\/v[0-9a-z]+$/.test(apiVersion)) return `kubernetes-models/${apiVersion}/${kind}`;
  return undefined;
}

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function get(v: Json | undefined, ...path: string[]): Json | undefined {
  let cur = v;
  for (const p of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}
function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function arr(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}
function strMap(v: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

export function loadManifests(dir: string): { docs: Doc[]; problems: Problem[]; files: string[] } {
  const docs: Doc[] = [];
  const problems: Problem[] = [];
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    parseAllDocuments(text).forEach((d, index) => {
      if (d.errors.length > 0) {
        for (const e of d.errors) problems.push({ file: f, where: `doc ${index}`, message: `YAML: ${e.message}` });
        return;
      }
      const obj = d.toJSON() as Json;
      if (obj === null || obj === undefined) return;
      if (!isObj(obj)) {
        problems.push({ file: f, where: `doc ${index}`, message: 'document is not a mapping' });
        return;
      }
      docs.push({ file: f, index, obj });
    });
  }
  return { docs, problems, files };
}

// ---- 1. schema -------------------------------------------------------------------------------------------

async function schemaProblems(docs: Doc[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const d of docs) {
    const where = `doc ${d.index} (${str(d.obj.kind) ?? '?'} ${str(get(d.obj, 'metadata', 'name')) ?? '?'})`;
    const apiVersion = str(d.obj.apiVersion);
    const kind = str(d.obj.kind);
    if (!apiVersion || !kind) {
      problems.push({ file: d.file, where, message: 'apiVersion and kind are required' });
      continue;
    }
    if (kind === 'Kustomization') continue;
    const mod = modelModule(apiVersion, kind);
    let Model: (new (data: unknown) => { validate(): void }) | undefined;
    try {
      if (mod) Model = ((await import(mod)) as Record<string, typeof Model>)[kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push({ file: d.file, where, message: `unknown apiVersion/kind ${apiVersion} ${kind}` });
      continue;
    }
    try {
      new Model(d.obj).validate();
    } catch (err) {
      const errors = (err as { errors?: { instancePath: string; message?: string; params?: unknown }[] }).errors;
      if (errors && errors.length > 0) {
        for (const e of errors)
          problems.push({
            file: d.file,
            where,
            message: `schema: ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params ?? {})}`,
          });
      } else problems.push({ file: d.file, where, message: `schema: ${String(err)}` });
    }
  }
  return problems;
}

// ---- 2. strict fields --------------------------------------------------------------------------------------

function strictProblems(docs: Doc[]): Problem[] {
  const kinds = new Map<string, { mod: string; kind: string; alias: string }>();
  for (const d of docs) {
    const apiVersion = str(d.obj.apiVersion);
    const kind = str(d.obj.kind);
    const mod = apiVersion && kind ? modelModule(apiVersion, kind) : undefined;
    if (mod && kind && !kinds.has(mod)) kinds.set(mod, { mod, kind, alias: `T${kinds.size}` });
  }
  if (kinds.size === 0) return [];
  const virtual = join(REPO, 'scripts', '__k8s_types__.ts');
  const src = [...kinds.values()]
    .map(
      (k) => `import type { I${k.kind} as ${k.alias} } from '${k.mod}';\nexport declare const v${k.alias}: ${k.alias};`,
    )
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (f, lang, ...rest) =>
    resolve(f) === virtual ? ts.createSourceFile(f, src, lang) : getSourceFile(f, lang, ...rest);
  host.fileExists = (f) => resolve(f) === virtual || fileExists(f);
  host.readFile = (f) => (resolve(f) === virtual ? src : readFile(f));
  const program = ts.createProgram([virtual], options, host);
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(virtual);
  const moduleSymbol = sf ? checker.getSymbolAtLocation(sf) : undefined;
  const exports = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
  const typeOf = new Map<string, ts.Type>();
  for (const k of kinds.values()) {
    const sym = exports.find((s) => s.name === `v${k.alias}`);
    if (sym) typeOf.set(k.mod, checker.getTypeOfSymbol(sym));
  }

  const problems: Problem[] = [];
  const walk = (value: Json, type: ts.Type, path: string, report: (msg: string) => void): void => {
    type = checker.getNonNullableType(type);
    const members = type.isUnion() ? type.types : [type];
    if (Array.isArray(value)) {
      const arrayType = members.find((t) => checker.isArrayType(t));
      const elem = arrayType ? checker.getTypeArguments(arrayType as ts.TypeReference)[0] : undefined;
      if (elem) for (const [i, v] of value.entries()) walk(v, elem, `${path}/${i}`, report);
      return;
    }
    if (!isObj(value)) return;
    const objType = members.find((t) => (t.flags & ts.TypeFlags.Object) !== 0 && !checker.isArrayType(t));
    if (!objType) return;
    const index = checker.getIndexInfoOfType(objType, ts.IndexKind.String);
    for (const [key, v] of Object.entries(value)) {
      const prop = checker.getPropertyOfType(objType, key);
      if (prop) walk(v, checker.getTypeOfSymbol(prop), `${path}/${key}`, report);
      else if (index) walk(v, index.type, `${path}/${key}`, report);
      else report(`unknown field ${path}/${key} (not in ${checker.typeToString(objType)})`);
    }
  };
  for (const d of docs) {
    const apiVersion = str(d.obj.apiVersion);
    const kind = str(d.obj.kind);
    const mod = apiVersion && kind ? modelModule(apiVersion, kind) : undefined;
    const type = mod ? typeOf.get(mod) : undefined;
    if (!type) continue;
    const where = `doc ${d.index} (${kind} ${str(get(d.obj, 'metadata', 'name')) ?? '?'})`;
    walk(d.obj, type, '', (message) => problems.push({ file: d.file, where, message }));
  }
  return problems;
}

// ---- 3. consistency ----------------------------------------------------------------------------------------

interface Workload {
  doc: Doc;
  kind: string;
  name: string;
  podLabels: Record<string, string>;
  podSpec: Obj;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

function consistencyProblems(docs: Doc[], files: string[], flags: FlagInfo[] | undefined): Problem[] {
  const problems: Problem[] = [];
  const byKind = (k: string) => docs.filter((d) => d.obj.kind === k);
  const name = (d: Doc) => str(get(d.obj, 'metadata', 'name')) ?? '?';
  const at = (d: Doc) => `doc ${d.index} (${str(d.obj.kind)} ${name(d)})`;
  const secrets = new Map<string, Set<string>>();
  for (const d of byKind('Secret'))
    secrets.set(name(d), new Set([...Object.keys(strMap(d.obj.data)), ...Object.keys(strMap(d.obj.stringData))]));
  const configMaps = new Map<string, Record<string, string>>();
  for (const d of byKind('ConfigMap')) configMaps.set(name(d), strMap(d.obj.data));

  const workloads: Workload[] = [];
  for (const d of [...byKind('Deployment'), ...byKind('StatefulSet')]) {
    const spec = get(d.obj, 'spec');
    const podLabels = strMap(get(spec, 'template', 'metadata', 'labels'));
    const selector = strMap(get(spec, 'selector', 'matchLabels'));
    const podSpec = get(spec, 'template', 'spec');
    if (!matches(selector, podLabels))
      problems.push({ file: d.file, where: at(d), message: 'spec.selector.matchLabels does not match the pod labels' });
    if (!isObj(podSpec)) continue;
    workloads.push({ doc: d, kind: String(d.obj.kind), name: name(d), podLabels, podSpec });
  }

  const envByFlag = new Map((flags ?? []).filter((f) => f.env).map((f) => [f.env!, f]));
  const targetsSeen = new Set<string>();
  for (const w of workloads) {
    const report = (message: string) => problems.push({ file: w.doc.file, where: at(w.doc), message });
    const volumes = new Set(arr(w.podSpec.volumes).map((v) => str(get(v, 'name')) ?? ''));
    for (const t of arr(get(w.doc.obj, 'spec', 'volumeClaimTemplates')))
      volumes.add(str(get(t, 'metadata', 'name')) ?? '');
    const sa = str(w.podSpec.serviceAccountName);
    if (sa && !byKind('ServiceAccount').some((d) => name(d) === sa)) report(`serviceAccountName ${sa} is not defined`);
    for (const c of arr(w.podSpec.containers)) {
      const cname = str(get(c, 'name')) ?? '?';
      const creport = (m: string) => report(`container ${cname}: ${m}`);
      if (!str(get(c, 'image'))) creport('no image');
      if (str(get(c, 'readinessProbe', 'httpGet', 'path')) !== '/ready') creport('readinessProbe must GET /ready');
      if (str(get(c, 'livenessProbe', 'httpGet', 'path')) !== '/health') creport('livenessProbe must GET /health');
      if (!isObj(get(c, 'resources', 'requests'))) creport('resources.requests missing');
      const portNames = new Set(arr(get(c, 'ports')).map((p) => str(get(p, 'name')) ?? ''));
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const port = get(c, probe, 'httpGet', 'port');
        if (typeof port === 'string' && !portNames.has(port)) creport(`${probe} uses undefined port name ${port}`);
      }
      for (const m of arr(get(c, 'volumeMounts'))) {
        const v = str(get(m, 'name')) ?? '';
        if (!volumes.has(v)) creport(`volumeMount ${v} has no volume`);
      }
      // Environment: references must exist; CORTEX_* variables must be flags' env.
      const envNames = new Set<string>();
      const checkEnvName = (n: string) => {
        if (flags && /^CORTEX_/.test(n) && !envByFlag.has(n))
          creport(`${n} is not the env of any cortexctl server flag`);
      };
      for (const e of arr(get(c, 'env'))) {
        const n = str(get(e, 'name')) ?? '';
        envNames.add(n);
        checkEnvName(n);
        const sref = get(e, 'valueFrom', 'secretKeyRef');
        if (isObj(sref)) {
          const keys = secrets.get(str(sref.name) ?? '');
          if (!keys) creport(`env ${n}: Secret ${str(sref.name)} is not defined`);
          else if (!keys.has(str(sref.key) ?? ''))
            creport(`env ${n}: Secret ${str(sref.name)} has no key ${str(sref.key)}`);
        }
        const cref = get(e, 'valueFrom', 'configMapKeyRef');
        if (isObj(cref)) {
          const data = configMaps.get(str(cref.name) ?? '');
          if (!data) creport(`env ${n}: ConfigMap ${str(cref.name)} is not defined`);
          else if (!((str(cref.key) ?? '') in data))
            creport(`env ${n}: ConfigMap ${str(cref.name)} has no key ${str(cref.key)}`);
        }
      }
      for (const ef of arr(get(c, 'envFrom'))) {
        const cm = str(get(ef, 'configMapRef', 'name'));
        if (cm !== undefined) {
          const data = configMaps.get(cm);
          if (!data) creport(`envFrom: ConfigMap ${cm} is not defined`);
          else
            for (const k of Object.keys(data)) {
              envNames.add(k);
              checkEnvName(k);
            }
        }
        const sec = str(get(ef, 'secretRef', 'name'));
        if (sec !== undefined && !secrets.has(sec)) creport(`envFrom: Secret ${sec} is not defined`);
      }
      const args = arr(get(c, 'args')).map((a) => String(a));
      for (const a of [...args, ...arr(get(c, 'command')).map(String)])
        for (const m of a.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g))
          if (!envNames.has(m[1]!)) creport(`$(${m[1]}) is not defined in the container's env`);
      if (args[0] !== 'server') creport('args must start with the "server" command');
      else if (flags) {
        for (const p of checkServerArgs(args.slice(1), flags)) creport(p);
        const target = args.find((a) => a.startsWith('--target='))?.slice('--target='.length);
        if (!target) creport('no --target');
        else for (const t of target.split(',')) targetsSeen.add(t.trim());
      }
    }
  }
  if (flags)
    for (const t of TARGETS)
      if (t !== 'all' && !targetsSeen.has(t))
        problems.push({ file: '(all)', where: '-', message: `no workload runs --target=${t}` });

  // Services select workloads and target named ports.
  for (const s of byKind('Service')) {
    const selector = strMap(get(s.obj, 'spec', 'selector'));
    const selected = workloads.filter((w) => matches(selector, w.podLabels));
    if (selected.length === 0) problems.push({ file: s.file, where: at(s), message: 'selector matches no workload' });
    for (const p of arr(get(s.obj, 'spec', 'ports'))) {
      const tp = get(p, 'targetPort');
      if (typeof tp !== 'string') continue;
      for (const w of selected)
        if (!arr(w.podSpec.containers).some((c) => arr(get(c, 'ports')).some((cp) => get(cp, 'name') === tp)))
          problems.push({
            file: s.file,
            where: at(s),
            message: `targetPort ${tp} is not a container port of ${w.name}`,
          });
    }
  }
  for (const p of byKind('PodDisruptionBudget')) {
    const selector = strMap(get(p.obj, 'spec', 'selector', 'matchLabels'));
    if (!workloads.some((w) => matches(selector, w.podLabels)))
      problems.push({ file: p.file, where: at(p), message: 'selector matches no workload' });
  }
  // Ingesters: a StatefulSet with a headless Service, a PVC for the WAL, a grace period for the flush, a PDB.
  const ingesters = workloads.filter((w) => w.podLabels['app.kubernetes.io/component'] === 'ingester');
  if (flags && ingesters.length === 0)
    problems.push({
      file: '(all)',
      where: '-',
      message: 'no ingester workload (label app.kubernetes.io/component=ingester)',
    });
  for (const w of ingesters) {
    const report = (message: string) => problems.push({ file: w.doc.file, where: at(w.doc), message });
    if (w.kind !== 'StatefulSet') report('ingesters must be a StatefulSet');
    const svcName = str(get(w.doc.obj, 'spec', 'serviceName'));
    const svc = byKind('Service').find((s) => name(s) === svcName);
    if (!svc) report(`serviceName ${svcName} is not a Service`);
    else if (get(svc.obj, 'spec', 'clusterIP') !== 'None') report(`Service ${svcName} must be headless`);
    if (arr(get(w.doc.obj, 'spec', 'volumeClaimTemplates')).length === 0) report('no volumeClaimTemplates for the WAL');
    const grace = get(w.podSpec, 'terminationGracePeriodSeconds');
    if (typeof grace !== 'number' || grace < 600)
      report('terminationGracePeriodSeconds must leave >= 600 s for the flush on shutdown');
    if (
      !byKind('PodDisruptionBudget').some((p) =>
        matches(strMap(get(p.obj, 'spec', 'selector', 'matchLabels')), w.podLabels),
      )
    )
      report('no PodDisruptionBudget covers the ingesters');
  }
  // Kustomization lists every manifest and only existing ones.
  for (const k of byKind('Kustomization')) {
    const listed = arr(get(k.obj, 'resources')).map(String);
    for (const r of listed)
      if (!files.includes(r)) problems.push({ file: k.file, where: at(k), message: `resource ${r} does not exist` });
    for (const f of files)
      if (f !== k.file && !listed.includes(f))
        problems.push({ file: k.file, where: at(k), message: `${f} is not listed in resources` });
  }
  return problems;
}

// ---- 4. flags ----------------------------------------------------------------------------------------------

/** Problems with the flags of one `cortexctl server …` invocation (arguments after `server`). */
export function checkServerArgs(args: string[], flags: FlagInfo[]): string[] {
  const problems: string[] = [];
  const byName = new Map(flags.map((f) => [f.name, f]));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-' || a === '--') continue;
    if (!a.startsWith('--')) {
      const c = a.slice(1, 2);
      if (!flags.some((f) => f.char === c)) problems.push(`unknown flag ${a}`);
      continue;
    }
    const [rawName, value] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    let flag = byName.get(rawName);
    if (!flag && rawName.startsWith('no-')) {
      const f = byName.get(rawName.slice(3));
      if (f?.allowNo) flag = f;
    }
    if (!flag) {
      problems.push(`unknown flag --${rawName}`);
      continue;
    }
    const v = flag.boolean ? undefined : (value ?? args[++i]);
    if (flag.name === 'target' && v !== undefined && !/^[$<]/.test(v))
      for (const t of v.split(','))
        if (!(TARGETS as readonly string[]).includes(t.trim())) problems.push(`--target: unknown target ${t}`);
  }
  return problems;
}

/** The flags of an oclif command class (its own and inherited base flags). */
export function flagsOf(cmd: { flags?: Record<string, unknown>; baseFlags?: Record<string, unknown> }): FlagInfo[] {
  const all = { ...(cmd.baseFlags ?? {}), ...(cmd.flags ?? {}) } as Record<
    string,
    { type?: string; env?: string; char?: string; allowNo?: boolean }
  >;
  return Object.entries(all).map(([name, f]) => ({
    name,
    boolean: f.type === 'boolean',
    allowNo: f.allowNo === true,
    ...(f.env ? { env: f.env } : {}),
    ...(f.char ? { char: f.char } : {}),
  }));
}

export async function serverFlags(): Promise<FlagInfo[]> {
  const mod = (await import(join(REPO, 'cli', 'commands', 'server.ts'))) as { default: Parameters<typeof flagsOf>[0] };
  return flagsOf(mod.default);
}

/** Loads the flags of `cortexctl <words…>` (longest command path that exists), or undefined. */
async function commandFlags(words: string[]): Promise<{ path: string[]; flags: FlagInfo[] } | undefined> {
  for (let n = Math.min(words.length, 3); n >= 1; n--) {
    const path = words.slice(0, n);
    const file = join(REPO, 'cli', 'commands', ...path) + '.ts';
    try {
      readFileSync(file);
    } catch {
      continue;
    }
    const mod = (await import(file)) as { default: Parameters<typeof flagsOf>[0] };
    return { path, flags: flagsOf(mod.default) };
  }
  return undefined;
}

/** Splits a shell command line into words (quotes respected, no expansion). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

/**
 * Checks the `cortexctl …` commands in the fenced code blocks of a Markdown document: the command must
 * exist and every `--flag` must be one of its flags (`cortexctl server` also: targets, CORTEX_* env).
 */
export async function lintMarkdownCommands(file: string, text: string, flags: FlagInfo[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  const lines = text.split('\n');
  let inFence = false;
  const serverEnv = new Set(flags.map((f) => f.env).filter((e): e is string => e !== undefined));
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\s*```/.test(l)) {
      inFence = !inFence;
      continue;
    }
    if (!inFence) continue;
    // Join continuation lines.
    let cmd = l;
    const start = i;
    while (cmd.endsWith('\\') && i + 1 < lines.length) cmd = `${cmd.slice(0, -1)} ${lines[++i]!}`;
    const where = `line ${start + 1}`;
    for (const m of cmd.matchAll(/\b(CORTEX_[A-Z0-9_]+)=/g))
      if (!serverEnv.has(m[1]!) && !/^CORTEXCTL_/.test(m[1]!))
        problems.push({ file, where, message: `${m[1]} is not the env of any cortexctl server flag` });
    const words = shellWords(cmd.replace(/#.*$/, ''));
    // Every invocation in the line (after pipes, &&, ;), recognised by its program name.
    for (let w = 0; w < words.length; w++) {
      const prog = words[w]!;
      const isCli = prog === 'cortexctl' || /(^|\/)bin\/run\.js$/.test(prog);
      if (!isCli) continue;
      let end = words.findIndex((x, j) => j > w && ['|', '&&', '||', ';', '&'].includes(x));
      if (end < 0) end = words.length;
      const rest = words.slice(w + 1, end);
      const cmdWords: string[] = [];
      for (const x of rest) {
        if (x.startsWith('-') || x.includes('$') || x.includes('/') || x.includes('=')) break;
        cmdWords.push(x);
      }
      if (cmdWords.length === 0) continue;
      const found = cmdWords[0] === 'server' ? { path: ['server'], flags } : await commandFlags(cmdWords);
      if (!found) {
        problems.push({ file, where, message: `unknown command: cortexctl ${cmdWords.join(' ')}` });
        continue;
      }
      const args = rest.slice(found.path.length);
      const found2 = found.path[0] === 'server' ? checkServerArgs(args, found.flags) : checkArgs(args, found.flags);
      for (const p of found2) problems.push({ file, where, message: `cortexctl ${found.path.join(' ')}: ${p}` });
      w = end;
    }
  }
  return problems;
}

function checkArgs(args: string[], flags: FlagInfo[]): string[] {
  // Same rules, without the server-specific target check; oclif's --help is always there.
  return checkServerArgs(
    args.filter((a) => a !== '--help'),
    flags,
  ).filter((p) => !p.startsWith('--target'));
}

// ---- entry points ------------------------------------------------------------------------------------------

export interface LintOptions {
  /** Check `cortexctl server` flags against these (default: the real command class). */
  flags?: FlagInfo[];
  /** Skip the TypeScript-based strict field check (faster). */
  noStrict?: boolean;
}

export async function lintManifestDir(dir: string, opts: LintOptions = {}): Promise<Problem[]> {
  const flags = opts.flags ?? (await serverFlags());
  const { docs, problems, files } = loadManifests(dir);
  problems.push(...(await schemaProblems(docs)));
  if (!opts.noStrict) problems.push(...strictProblems(docs));
  problems.push(...consistencyProblems(docs, files, flags));
  return problems;
}

async function main(): Promise<void> {
  const dir = join(REPO, 'deploy', 'k8s');
  const flags = await serverFlags();
  const problems = await lintManifestDir(dir, { flags });
  for (const doc of ['docs/deploy.md']) {
    problems.push(...(await lintMarkdownCommands(doc, readFileSync(join(REPO, doc), 'utf8'), flags)));
  }
  for (const p of problems) process.stderr.write(`${p.file} ${p.where}: ${p.message}\n`);
  const n = loadManifests(dir).docs.length;
  if (problems.length > 0) {
    process.stderr.write(`lint:k8s: ${problems.length} problem(s)\n`);
    process.exitCode = 1;
  } else
    process.stdout.write(
      `lint:k8s: ${n} manifests in deploy/${basename(dir)}/ and the commands in docs/deploy.md OK\n`,
    );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
