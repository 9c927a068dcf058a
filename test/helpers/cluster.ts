/**
 * A split-mode cluster on loopback, each target its own `cortexctl server --target=…` child process
 * (the built `bin/run.js`, as an operator runs it): a control plane on a fresh PostgreSQL database,
 * ingesters with their own data dirs, a gateway+distributor and a querier+query-frontend, all sharing
 * one Bigtable emulator (chunks, rings) and one cluster secret. Ports are fixed at start, so a killed
 * process restarts with the same address, instance id and WAL.
 *
 *   const c = await startCluster({ pgUrl, bigtableEmulator, ingesters: 3 });
 *   const token = await c.tenantToken('team-a', ['metrics:write', 'metrics:read']);
 *   await c.kill('ingester-1');            // SIGKILL
 *   await c.restart('ingester-1');         // same port, data dir and instance id; waits for /ready
 *   await c.stop();                        // SIGTERM everything, drop the database, remove dirs
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { BIN, ensureBuilt, REPO } from './cortexctl.js';
import { EMULATOR_AWS_CREDENTIALS, freePort } from './services.js';

export interface ClusterProcessSpec {
  /** Unique name, also the `--instance-id` (e.g. `ingester-0`). */
  name: string;
  /** `--target` list. */
  targets: string[];
  /** Extra flags for this process. */
  args?: string[];
  /** `--zone`. */
  zone?: string;
}

export interface ClusterOptions {
  /** PostgreSQL server URL (from `requireService('pgUrl')`); a database is created for the cluster. */
  pgUrl: string;
  /** Bigtable emulator `host:port` (from `requireService('bigtableEmulator')`); or `aws`. */
  bigtableEmulator?: string;
  /**
   * DynamoDB + S3 instead of Bigtable: dynalite's and s3rver's URLs (`requireService('dynamodbEndpoint')`,
   * `requireService('s3Endpoint')`); the table and bucket are created by the processes (`--storage-create`).
   */
  aws?: { dynamodbEndpoint: string; s3Endpoint: string; inlineMaxBytes?: number };
  /** Ingester processes (default 3). */
  ingesters?: number;
  /** Zones assigned round-robin to ingesters (default none). */
  zones?: string[];
  /** Default 3 (capped at the ingester count). */
  replicationFactor?: number;
  /** Ring heartbeat period / timeout (Go durations, defaults `1s` / `10s` so faults show quickly). */
  heartbeatPeriod?: string;
  heartbeatTimeout?: string;
  /**
   * The non-ingester processes. Default: `gateway` (gateway,distributor) and `querier`
   * (querier,query-frontend). Ingesters are added as `ingester-<i>`; the control plane as `control-plane`.
   */
  processes?: ClusterProcessSpec[];
  /** Extra flags for every process (e.g. `--wal-fsync=always`). */
  args?: string[];
  /** Extra environment for every process. */
  env?: Record<string, string>;
  /** Per-process start timeout (default 60 s). */
  startTimeoutMs?: number;
}

export interface ClusterProcess {
  readonly name: string;
  readonly targets: string[];
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Pid of the current child (undefined while stopped). */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Everything the process printed (stdout + stderr), across restarts. */
  output(): string;
  /** Sends `signal` (default SIGKILL) and waits for the exit; resolves with the exit code or signal. */
  kill(signal?: NodeJS.Signals): Promise<number | string | null>;
  /**
   * Kills it (SIGKILL) if running, starts it again (same flags, port and data dir) and waits until
   * `/ready` answers 200 and its `/ring` shows every running process of each ring it reads.
   */
  restart(): Promise<void>;
}

export interface Cluster {
  readonly rootToken: string;
  readonly clusterSecret: string;
  readonly controlPlaneUrl: string;
  /** The store's table (Bigtable or DynamoDB; coordination tables are `<table>_<purpose>`) and S3 bucket. */
  readonly table: string;
  readonly bucket: string | undefined;
  /** Where tenants write and query (the gateway process). */
  readonly gatewayUrl: string;
  readonly processes: ReadonlyMap<string, ClusterProcess>;
  /** Ingester processes in order (`ingester-0`, …). */
  readonly ingesters: ClusterProcess[];
  process(name: string): ClusterProcess;
  kill(name: string, signal?: NodeJS.Signals): Promise<number | string | null>;
  restart(name: string): Promise<void>;
  /** Calls the control plane's admin API as root. */
  // biome-ignore lint/suspicious/noExplicitAny: admin API JSON, as in platform.ts
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** Creates the tenant (once) and a token with `scopes`; returns the token secret. */
  tenantToken(tenant: string, scopes: string[]): Promise<string>;
  /** Polls a running ingester's `/ring` (JSON) until exactly `count` ingesters are ACTIVE and healthy. */
  waitForIngesters(count: number, timeoutMs?: number): Promise<void>;
  /** Output of every process, for failure messages. */
  output(): string;
  /** SIGTERM to every running process (ingesters flush), waits, drops the database and temp dirs. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Children still running when the test process exits (a crash, a timeout) are killed with it. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

async function createDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cluster_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function waitReady(url: string, child: ChildProcess, out: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${url} exited (${child.exitCode ?? child.signalCode}) before becoming ready:\n${out()}`);
    }
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms:\n${out()}`);
    await sleep(150);
  }
}

/** Polls `url`'s `/ring` until each ring it shows has an ACTIVE instance for every process running that target. */
async function waitForRingViews(url: string, procs: readonly Proc[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const res = await fetch(`${url}/ring?format=json`, { signal: AbortSignal.timeout(2_000) });
      const body = (await res.json()) as {
        rings?: { name: string; instances: { state: string; healthy: boolean }[] }[];
      };
      last = JSON.stringify(body);
      const missing = (body.rings ?? []).filter((r) => {
        const want = procs.filter((p) => p.targets.includes(r.name) && p.running).length;
        return r.instances.filter((i) => i.state === 'ACTIVE' && i.healthy).length < want;
      });
      if (missing.length === 0) return;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) throw new Error(`rings seen from ${url} never complete: ${last}`);
    await sleep(200);
  }
}

class Proc implements ClusterProcess {
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<number | string | null> = Promise.resolve(null);
  private log = '';

  constructor(
    readonly name: string,
    readonly targets: string[],
    readonly port: number,
    readonly dataDir: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    private readonly startTimeoutMs: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.log;
  }

  /** Spawns without waiting for readiness. */
  spawn(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, [BIN, 'server', ...this.args], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.log += `--- start ${this.name} (pid ${child.pid})\n`;
    const append = (d: Buffer) => {
      this.log += d.toString();
      // Keep memory bounded on long runs.
      if (this.log.length > 1 << 20) this.log = this.log.slice(-(1 << 19));
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    live.add(child);
    this.exited = new Promise((res) =>
      child.once('exit', (code, sig) => {
        live.delete(child);
        res(code ?? sig);
      }),
    );
    this.child = child;
  }

  async ready(): Promise<void> {
    if (!this.child) throw new Error(`${this.name} was never started`);
    await waitReady(this.url, this.child, () => this.log, this.startTimeoutMs);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | string | null> {
    if (!this.running) return await this.exited;
    this.child!.kill(signal);
    return await this.exited;
  }

  /** Run after a restart's readiness (the cluster waits for the process's ring views). */
  afterRestart: (() => Promise<void>) | undefined;

  async restart(): Promise<void> {
    await this.kill('SIGKILL');
    this.spawn();
    await this.ready();
    await this.afterRestart?.();
  }
}

/** Starts the control plane first, then the ingesters, then the rest, each once the previous are ready. */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  ensureBuilt();
  const nIngesters = opts.ingesters ?? 3;
  const rf = Math.min(opts.replicationFactor ?? 3, Math.max(1, nIngesters));
  const rootToken = `cluster-root-${randomBytes(12).toString('hex')}`;
  const clusterSecret = `cluster-secret-${randomBytes(12).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'cortex-cluster-'));
  const table = `cl_${randomBytes(5).toString('hex')}`;
  const db = await createDatabase(opts.pgUrl);
  const timeout = opts.startTimeoutMs ?? 60_000;

  const cpPort = await freePort();
  const controlPlaneUrl = `http://127.0.0.1:${cpPort}`;
  const bucket = table.replace(/_/g, '-');
  const storageArgs = opts.aws
    ? [
        '--dynamodb-table',
        table,
        '--dynamodb-region',
        'us-east-1',
        '--dynamodb-endpoint',
        opts.aws.dynamodbEndpoint,
        '--s3-bucket',
        bucket,
        '--s3-region',
        'us-east-1',
        '--s3-endpoint',
        opts.aws.s3Endpoint,
        '--storage-create',
        ...(opts.aws.inlineMaxBytes !== undefined
          ? ['--dynamodb-inline-max-bytes', String(opts.aws.inlineMaxBytes)]
          : []),
      ]
    : opts.bigtableEmulator
      ? [
          '--bigtable-project',
          'cortex-test',
          '--bigtable-instance',
          'cortex-test',
          '--bigtable-table',
          table,
          '--bigtable-emulator-host',
          opts.bigtableEmulator,
        ]
      : [];
  if (storageArgs.length === 0) throw new Error('startCluster needs bigtableEmulator or aws');
  const common = [
    '--host',
    '127.0.0.1',
    '--cluster-secret',
    clusterSecret,
    ...storageArgs,
    '--replication-factor',
    String(rf),
    '--ring-heartbeat-period',
    opts.heartbeatPeriod ?? '1s',
    '--ring-heartbeat-timeout',
    opts.heartbeatTimeout ?? '10s',
    '--control-plane-url',
    controlPlaneUrl,
    '--wal-fsync',
    'batch',
    ...(opts.args ?? []),
  ];
  // The emulators' credentials, through the AWS SDK's standard chain (environment variables).
  const env = {
    ...(opts.aws
      ? {
          AWS_ACCESS_KEY_ID: EMULATOR_AWS_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: EMULATOR_AWS_CREDENTIALS.secretAccessKey,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        }
      : {}),
    ...(opts.env ?? {}),
  };
  const make = async (spec: ClusterProcessSpec, port?: number, extra: string[] = []): Promise<Proc> => {
    const p = port ?? (await freePort());
    const dataDir = join(dir, spec.name);
    mkdirSync(dataDir, { recursive: true });
    const args = [
      `--target=${spec.targets.join(',')}`,
      '--port',
      String(p),
      '--grpc-listen-port',
      '0',
      '--data-dir',
      dataDir,
      '--instance-id',
      spec.name,
      '--advertise-url',
      `http://127.0.0.1:${p}`,
      ...(spec.zone ? ['--zone', spec.zone] : []),
      // A gateway serves the tenant config APIs through the control plane's admin API.
      ...(spec.targets.includes('gateway') ? ['--root-token', rootToken] : []),
      ...common,
      ...extra,
      ...(spec.args ?? []),
    ];
    return new Proc(spec.name, spec.targets, p, dataDir, args, env, timeout);
  };

  const procs = new Map<string, Proc>();
  const stopAll = async () => {
    await Promise.all(
      [...procs.values()].map(async (p) => {
        const killer = setTimeout(() => void p.kill('SIGKILL'), 30_000);
        await p.kill('SIGTERM');
        clearTimeout(killer);
      }),
    );
  };
  try {
    const cp = await make({ name: 'control-plane', targets: ['control-plane'] }, cpPort, [
      '--postgres-url',
      db.url,
      '--root-token',
      rootToken,
    ]);
    procs.set(cp.name, cp);
    cp.spawn();
    await cp.ready();

    const ingesters: Proc[] = [];
    for (let i = 0; i < nIngesters; i++) {
      const zone = opts.zones?.length ? opts.zones[i % opts.zones.length] : undefined;
      const p = await make({ name: `ingester-${i}`, targets: ['ingester'], ...(zone ? { zone } : {}) });
      procs.set(p.name, p);
      ingesters.push(p);
      p.spawn();
    }
    await Promise.all(ingesters.map((p) => p.ready()));

    const rest = opts.processes ?? [
      { name: 'gateway', targets: ['gateway', 'distributor'] },
      { name: 'querier', targets: ['querier', 'query-frontend'] },
    ];
    const others: Proc[] = [];
    for (const spec of rest) {
      const p = await make(spec);
      procs.set(p.name, p);
      others.push(p);
      p.spawn();
    }
    await Promise.all(others.map((p) => p.ready()));
    const gw = others.find((p) => p.targets.includes('gateway')) ?? others[0];
    if (!gw) throw new Error('cluster has no gateway process');
    // Rings are polled (every second): wait until each process sees every process it may route to.
    await Promise.all(others.map((p) => waitForRingViews(p.url, [...procs.values()], timeout)));
    for (const p of procs.values()) {
      if (p.targets.some((t) => t !== 'control-plane')) {
        p.afterRestart = () => waitForRingViews(p.url, [...procs.values()], timeout);
      }
    }

    const admin = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${controlPlaneUrl}/admin/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${rootToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };
    const created = new Set<string>();
    const get = (name: string): Proc => {
      const p = procs.get(name);
      if (!p) throw new Error(`no process ${name} (have ${[...procs.keys()].join(', ')})`);
      return p;
    };
    const cluster: Cluster = {
      rootToken,
      clusterSecret,
      controlPlaneUrl,
      table,
      bucket: opts.aws ? bucket : undefined,
      gatewayUrl: gw.url,
      processes: procs,
      ingesters,
      process: get,
      kill: (name, signal) => get(name).kill(signal),
      restart: (name) => get(name).restart(),
      admin,
      async tenantToken(tenant, scopes) {
        if (!created.has(tenant)) {
          const r = await admin('POST', '/tenants', { id: tenant });
          if (r.status !== 201 && r.status !== 409) {
            throw new Error(`create tenant: ${r.status} ${JSON.stringify(r.json)}`);
          }
          created.add(tenant);
        }
        const t = await admin('POST', `/tenants/${tenant}/tokens`, { scopes });
        if (t.status !== 201) throw new Error(`create token: ${t.status} ${JSON.stringify(t.json)}`);
        return t.json.token as string;
      },
      async waitForIngesters(count, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs;
        let last = '';
        for (;;) {
          try {
            // Any running ingester knows the ingester ring (a gateway alone does not read it).
            const viewer = ingesters.find((p) => p.running) ?? gw;
            const res = await fetch(`${viewer.url}/ring?format=json`, { signal: AbortSignal.timeout(2_000) });
            const body = (await res.json()) as {
              rings?: { name: string; instances: { state: string; healthy: boolean }[] }[];
            };
            last = JSON.stringify(body);
            const inst = body.rings?.find((r) => r.name === 'ingester')?.instances ?? [];
            if (inst.filter((i) => i.state === 'ACTIVE' && i.healthy !== false).length === count) return;
          } catch (err) {
            last = String(err);
          }
          if (Date.now() > deadline) throw new Error(`ingester ring never had ${count} ACTIVE instances: ${last}`);
          await sleep(200);
        }
      },
      output() {
        return [...procs.values()].map((p) => `===== ${p.name}\n${p.output()}`).join('\n');
      },
      async stop() {
        await stopAll();
        await db.drop().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return cluster;
  } catch (err) {
    const out = [...procs.values()].map((p) => `===== ${p.name}\n${p.output()}`).join('\n');
    await stopAll();
    await db.drop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${String(err)}\n${out}`.slice(0, 100_000));
  }
}
