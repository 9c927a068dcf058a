import { hostname } from 'node:os';
import { Command, Flags, type Interfaces } from '@oclif/core';
import type { StorageConfig } from '../server/storage.js';
import { TARGETS, type Target } from '../server/targets.js';

const TARGET_LIST = TARGETS.join(', ');

type ServerFlags = Interfaces.InferredFlags<(typeof Server)['flags']>;

export default class Server extends Command {
  static override description =
    'run the platform: every target in one process (--target=all, the default), or the listed targets as one process of a cluster (split mode)';

  static override examples = [
    '<%= config.bin %> server --dev',
    '<%= config.bin %> server --dev --port 9009 --data-dir ./.cortex-data --dev-root-token devroot',
    '<%= config.bin %> server --postgres-url postgres://cortex@db/cortex --root-token "$ROOT_TOKEN" --cluster-secret "$SECRET"',
    '<%= config.bin %> server --target=ingester --port 9101 --cluster-secret "$SECRET" --control-plane-url http://cp:9009 --bigtable-project p --bigtable-instance i',
    '<%= config.bin %> server --target=ingester --port 9101 --cluster-secret "$SECRET" --control-plane-url http://cp:9009 --dynamodb-table cortex --dynamodb-region eu-west-1 --s3-bucket my-cortex-chunks',
  ];

  static override flags = {
    dev: Flags.boolean({ description: 'zero-setup mode: embedded Postgres (PGlite) and embedded chunk store' }),
    target: Flags.string({
      description: `components to run (comma-separated): all, or any of ${TARGET_LIST}`,
      default: 'all',
      env: 'CORTEX_TARGET',
    }),
    'instance-id': Flags.string({
      description: 'split mode: this process in the rings (default <hostname>-<port>)',
      env: 'CORTEX_INSTANCE_ID',
    }),
    'advertise-url': Flags.string({
      description: 'split mode: base URL peers use to reach this process (default http://<host>:<port>)',
      env: 'CORTEX_ADVERTISE_URL',
    }),
    zone: Flags.string({
      description: 'availability zone (zone-aware replication when every ingester has one)',
      default: '',
      env: 'CORTEX_ZONE',
    }),
    'replication-factor': Flags.integer({
      description: 'ingesters each series is written to (default 3 in split mode, 1 with --target=all)',
      min: 1,
      max: 9,
      env: 'CORTEX_REPLICATION_FACTOR',
    }),
    'ring-tokens': Flags.integer({
      description: 'tokens per instance in the ring',
      default: 128,
      min: 1,
      max: 4096,
      env: 'CORTEX_RING_TOKENS',
    }),
    'ring-heartbeat-period': Flags.string({
      description: 'how often an instance heartbeats into the ring (e.g. 5s)',
      default: '5s',
      env: 'CORTEX_RING_HEARTBEAT_PERIOD',
    }),
    'ring-heartbeat-timeout': Flags.string({
      description: 'an instance without a heartbeat for this long is unhealthy (e.g. 1m)',
      default: '1m',
      env: 'CORTEX_RING_HEARTBEAT_TIMEOUT',
    }),
    'ingestion-rate-strategy': Flags.string({
      description:
        "how a distributor applies a tenant's ingestion_rate: local (each enforces all of it) or global (shared out over the healthy distributors of the ring); default global in split mode, local with --target=all (where global equals local)",
      options: ['local', 'global'],
      env: 'CORTEX_INGESTION_RATE_STRATEGY',
    }),
    'control-plane-url': Flags.string({
      description: "split mode: base URL of the control plane's internal API",
      env: 'CORTEX_CONTROL_PLANE_URL',
    }),
    host: Flags.string({ description: 'address to listen on', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'port to listen on (0 = any free port)', default: 9009, min: 0, max: 65535 }),
    'grpc-listen-port': Flags.integer({
      description:
        'port of the native gRPC admin API (AdminService over HTTP/2 cleartext, with reflection; 0 = any free port)',
      default: 9095,
      min: 0,
      max: 65535,
      env: 'CORTEX_GRPC_LISTEN_PORT',
    }),
    'cors-allowed-origins': Flags.string({
      description:
        'comma-separated browser origins allowed to call the admin RPC (Connect, gRPC-Web) cross-origin; * for any',
      env: 'CORTEX_CORS_ALLOWED_ORIGINS',
    }),
    'data-dir': Flags.string({
      description: 'where the WAL, chunks and (with --dev) the control-plane database live',
      default: './.cortex-data',
    }),
    'dev-root-token': Flags.string({ description: 'fix the root admin token in --dev mode instead of generating one' }),
    'root-token': Flags.string({ description: 'root admin token', env: 'CORTEX_ROOT_TOKEN' }),
    'cluster-secret': Flags.string({
      description: "secret shared by the platform's processes",
      env: 'CORTEX_CLUSTER_SECRET',
    }),
    'postgres-url': Flags.string({
      description: 'control-plane PostgreSQL URL (default with --dev: embedded PGlite)',
      env: 'CORTEX_POSTGRES_URL',
    }),
    migrate: Flags.boolean({ description: 'apply database migrations on start', default: true, allowNo: true }),
    'bigtable-project': Flags.string({
      description: 'store chunks in Bigtable: GCP project',
      env: 'CORTEX_BIGTABLE_PROJECT',
    }),
    'bigtable-instance': Flags.string({ description: 'Bigtable instance', env: 'CORTEX_BIGTABLE_INSTANCE' }),
    'bigtable-table': Flags.string({
      description: 'Bigtable table (rings live in <table>_ring)',
      default: 'cortex_chunks',
      env: 'CORTEX_BIGTABLE_TABLE',
    }),
    'bigtable-emulator-host': Flags.string({
      description: 'host:port of a Bigtable emulator',
      env: 'BIGTABLE_EMULATOR_HOST',
    }),
    'dynamodb-table': Flags.string({
      description:
        'store the index (and rings) in DynamoDB and chunk bodies in S3: DynamoDB table (rings live in <table>_ring); needs --s3-bucket',
      env: 'CORTEX_DYNAMODB_TABLE',
    }),
    'dynamodb-region': Flags.string({
      description: 'DynamoDB region (default: the AWS SDK chain, AWS_REGION or the shared config)',
      env: 'CORTEX_DYNAMODB_REGION',
    }),
    'dynamodb-endpoint': Flags.string({
      description: 'DynamoDB endpoint URL (DynamoDB Local, dynalite, a VPC endpoint)',
      env: 'CORTEX_DYNAMODB_ENDPOINT',
    }),
    'dynamodb-shards': Flags.integer({
      description: 'partition-key shards per tenant and day in a new chunk table (an existing table keeps its own)',
      min: 1,
      max: 256,
      env: 'CORTEX_DYNAMODB_SHARDS',
    }),
    'dynamodb-inline-max-bytes': Flags.integer({
      description: 'chunks up to this size stay in DynamoDB, larger ones go to S3 (default 1024)',
      min: 0,
      max: 390 * 1024,
      env: 'CORTEX_DYNAMODB_INLINE_MAX_BYTES',
    }),
    's3-bucket': Flags.string({
      description: 'S3 bucket for chunk bodies (with --dynamodb-table)',
      env: 'CORTEX_S3_BUCKET',
    }),
    's3-region': Flags.string({
      description: 'S3 region (default: the AWS SDK chain, AWS_REGION or the shared config)',
      env: 'CORTEX_S3_REGION',
    }),
    's3-endpoint': Flags.string({
      description: 'S3-compatible endpoint URL (MinIO, Ceph, R2, GCS interoperability); implies --s3-path-style',
      env: 'CORTEX_S3_ENDPOINT',
    }),
    's3-path-style': Flags.boolean({
      description: 'path-style S3 addressing (endpoint/bucket/key); default on with --s3-endpoint',
      allowNo: true,
      env: 'CORTEX_S3_PATH_STYLE',
    }),
    'storage-create': Flags.boolean({
      description: 'create missing DynamoDB tables (on-demand billing) and the S3 bucket on start',
      env: 'CORTEX_STORAGE_CREATE',
    }),
    'alertmanager-allowed-cidrs': Flags.string({
      description: 'comma-separated address ranges Alertmanager receivers may reach although private or loopback',
      env: 'CORTEX_ALERTMANAGER_ALLOWED_CIDRS',
    }),
    'query-workers': Flags.integer({
      description: 'worker threads that evaluate PromQL queries (default: one per core plus one; 0 = main thread)',
      min: 0,
      max: 256,
    }),
    'decode-workers': Flags.integer({
      description: 'worker threads that decode remote-write bodies (default: one per core but one; 0 = main thread)',
      min: 0,
      max: 64,
    }),
    'auth-failed-attempts-burst': Flags.integer({
      description:
        'failed authentication attempts one source address or Basic-auth user may make within a minute before it gets 429 (0 = no throttling)',
      default: 20,
      min: 0,
    }),
    'auth-failed-attempts-cooldown': Flags.string({
      description: 'how long a source address or Basic-auth user that failed too often is refused',
      default: '1m',
    }),
    'usage-flush-interval': Flags.string({
      description:
        'how often metered usage is delivered to the control plane (a journal under --data-dir keeps it until then)',
      default: '10s',
    }),
    'wal-fsync': Flags.string({
      description: 'WAL fsync policy',
      options: ['always', 'batch', 'never'],
      default: 'batch',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Server);
    // Loaded here, not at the top: oclif imports every command to list them, and the server pulls in
    // every component; other commands should not pay for that.
    const { banner, generateSecret, startServer } = await import('../server/compose.js');
    const targets = parseTargets(flags.target, (m) => this.error(m, { exit: 2 }));
    if (targets !== 'all') {
      await this.runSplit(flags, targets);
      return;
    }
    if (!flags.dev && !flags['postgres-url'])
      this.error('without --dev, --postgres-url (or CORTEX_POSTGRES_URL) is required', { exit: 2 });
    if (!flags.dev && !flags['root-token'])
      this.error('without --dev, --root-token (or CORTEX_ROOT_TOKEN) is required', { exit: 2 });
    if (flags['dev-root-token'] && !flags.dev) this.error('--dev-root-token only applies with --dev', { exit: 2 });
    for (const f of ['root-token', 'dev-root-token', 'cluster-secret'] as const) {
      const v = flags[f];
      if (v !== undefined && v.length < 16) this.error(`--${f} must be at least 16 characters`, { exit: 2 });
    }
    const rootToken = flags['root-token'] ?? flags['dev-root-token'] ?? generateSecret('cxroot_');
    const server = await startServer(
      {
        dev: flags.dev,
        host: flags.host,
        port: flags.port,
        dataDir: flags['data-dir'],
        rootToken,
        clusterSecret: flags['cluster-secret'] ?? generateSecret('cxcluster_'),
        postgresUrl: flags['postgres-url'],
        migrate: flags.migrate,
        walFsync: flags['wal-fsync'] as 'always' | 'batch' | 'never',
        ...(flags['query-workers'] !== undefined ? { queryWorkers: flags['query-workers'] } : {}),
        ...(flags['decode-workers'] !== undefined ? { decodeWorkers: flags['decode-workers'] } : {}),
        alertmanagerAllowedCidrs: commaList(flags['alertmanager-allowed-cidrs']),
        grpcPort: flags['grpc-listen-port'],
        corsAllowedOrigins: commaList(flags['cors-allowed-origins']),
        storage: storageFromFlags(flags, (m) => this.error(m, { exit: 2 })) ?? { kind: 'embedded' },
        authThrottle: authThrottleFromFlags(flags, (m) => this.error(m, { exit: 2 })),
        usageFlushIntervalMs: parseDuration(flags['usage-flush-interval'], '--usage-flush-interval', (m) =>
          this.error(m, { exit: 2 }),
        ),
      },
      (line) => process.stderr.write(`${line}\n`),
    ).catch((err: unknown) => this.startFailed(err));
    process.stdout.write(
      flags.dev
        ? banner(server.url, server.grpcAddress, rootToken, flags['data-dir'])
        : `listening on ${server.url} (gRPC ${server.grpcAddress})\n`,
    );
    await waitForSignal(server);
  }

  /**
   * A start that failed (a store that is missing or refuses the credentials, a port in use): one
   * clear line and exit 1, not a stack trace.
   */
  private startFailed(err: unknown): never {
    const msg = err instanceof Error ? err.message : String(err);
    return this.error(`cannot start: ${msg}`, { exit: 1 });
  }

  private async runSplit(flags: ServerFlags, targets: Set<Target>): Promise<void> {
    const fail = (m: string): never => this.error(m, { exit: 2 });
    if (flags.dev) fail('--dev runs every target in one process; it cannot be combined with --target');
    const secret = flags['cluster-secret'];
    if (!secret)
      fail(
        'split mode (--target other than all) requires --cluster-secret (or CORTEX_CLUSTER_SECRET), equal on every process',
      );
    if (secret!.length < 16) fail('--cluster-secret must be at least 16 characters');
    const rt = flags['root-token'];
    if (rt !== undefined && rt.length < 16) fail('--root-token must be at least 16 characters');
    const storage = storageFromFlags(flags, fail);
    if (storage === undefined)
      fail(
        'split mode requires a shared store for chunks and rings: Bigtable (--bigtable-project and --bigtable-instance) or AWS (--dynamodb-table and --s3-bucket)',
      );
    if (targets.has('control-plane')) {
      if (!flags['postgres-url']) fail('--target=control-plane requires --postgres-url (or CORTEX_POSTGRES_URL)');
      if (!flags['root-token']) fail('--target=control-plane requires --root-token (or CORTEX_ROOT_TOKEN)');
    }
    if ([...targets].some((t) => t !== 'control-plane') && !targets.has('control-plane') && !flags['control-plane-url'])
      fail(
        'split mode requires --control-plane-url (or CORTEX_CONTROL_PLANE_URL) for targets other than control-plane',
      );
    if (flags.port === 0) fail('split mode needs a fixed --port (peers find this process by its address)');
    const period = parseDuration(flags['ring-heartbeat-period'], '--ring-heartbeat-period', fail);
    const timeout = parseDuration(flags['ring-heartbeat-timeout'], '--ring-heartbeat-timeout', fail);
    const host = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
    const { generateSecret } = await import('../server/compose.js');
    const { startSplitServer } = await import('../server/split.js');
    const server = await startSplitServer(
      {
        dev: false,
        host: flags.host,
        port: flags.port,
        dataDir: flags['data-dir'],
        rootToken: flags['root-token'] ?? generateSecret('cxroot_'),
        clusterSecret: secret!,
        postgresUrl: flags['postgres-url'],
        migrate: flags.migrate,
        walFsync: flags['wal-fsync'] as 'always' | 'batch' | 'never',
        ...(flags['query-workers'] !== undefined ? { queryWorkers: flags['query-workers'] } : {}),
        ...(flags['decode-workers'] !== undefined ? { decodeWorkers: flags['decode-workers'] } : {}),
        alertmanagerAllowedCidrs: commaList(flags['alertmanager-allowed-cidrs']),
        ...(targets.has('control-plane') ? { grpcPort: flags['grpc-listen-port'] } : {}),
        corsAllowedOrigins: commaList(flags['cors-allowed-origins']),
        storage: storage!,
        authThrottle: authThrottleFromFlags(flags, fail),
        usageFlushIntervalMs: parseDuration(flags['usage-flush-interval'], '--usage-flush-interval', fail),
      },
      {
        targets,
        instanceId: flags['instance-id'] ?? `${hostname()}-${flags.port}`,
        advertiseUrl: (flags['advertise-url'] ?? `http://${host}:${flags.port}`).replace(/\/+$/, ''),
        zone: flags.zone,
        replicationFactor: flags['replication-factor'] ?? 3,
        ringTokens: flags['ring-tokens'],
        heartbeatPeriodMs: period,
        heartbeatTimeoutMs: timeout,
        controlPlaneUrl: flags['control-plane-url'],
        ingestionRateStrategy: (flags['ingestion-rate-strategy'] ?? 'global') as 'local' | 'global',
        rootTokenGiven: flags['root-token'] !== undefined,
      },
      (line) => process.stderr.write(`${line}\n`),
    ).catch((err: unknown) => this.startFailed(err));
    process.stdout.write(`listening on ${server.url} (targets ${[...targets].join(',')})\n`);
    await waitForSignal(server);
  }
}

function authThrottleFromFlags(flags: ServerFlags, fail: (m: string) => never) {
  return {
    burst: flags['auth-failed-attempts-burst'],
    cooldownMs: parseDuration(flags['auth-failed-attempts-cooldown'], '--auth-failed-attempts-cooldown', fail),
  };
}

function commaList(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The shared store the flags name: Bigtable, AWS (DynamoDB + S3), or undefined (embedded). AWS
 * credentials are not flags: the AWS SDK's standard chain finds them (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, AWS_PROFILE and the shared config, web identity, the instance or pod role).
 */
function storageFromFlags(flags: ServerFlags, fail: (m: string) => never): StorageConfig | undefined {
  const bigtable = flags['bigtable-project'] !== undefined;
  const aws = flags['dynamodb-table'] !== undefined || flags['s3-bucket'] !== undefined;
  if (bigtable && aws) fail('choose one store: --bigtable-project or --dynamodb-table/--s3-bucket, not both');
  if (bigtable) {
    if (!flags['bigtable-instance']) fail('--bigtable-instance is required with --bigtable-project');
    return {
      kind: 'bigtable',
      projectId: flags['bigtable-project']!,
      instanceId: flags['bigtable-instance']!,
      tableId: flags['bigtable-table'],
      ...(flags['bigtable-emulator-host'] ? { emulatorHost: flags['bigtable-emulator-host'] } : {}),
    };
  }
  if (!aws) return undefined;
  if (!flags['dynamodb-table']) fail('--dynamodb-table is required with --s3-bucket (the index lives in DynamoDB)');
  if (!flags['s3-bucket']) fail('--s3-bucket is required with --dynamodb-table (chunk bodies live in S3)');
  for (const f of ['dynamodb-endpoint', 's3-endpoint'] as const) {
    const v = flags[f];
    if (v !== undefined && !/^https?:\/\/[^/]+/.test(v)) fail(`--${f} must be an http(s):// URL, not "${v}"`);
  }
  return {
    kind: 'aws',
    dynamodbTable: flags['dynamodb-table']!,
    s3Bucket: flags['s3-bucket']!,
    create: flags['storage-create'] ?? false,
    ...(flags['dynamodb-region'] ? { dynamodbRegion: flags['dynamodb-region'] } : {}),
    ...(flags['dynamodb-endpoint'] ? { dynamodbEndpoint: flags['dynamodb-endpoint'] } : {}),
    ...(flags['dynamodb-shards'] !== undefined ? { shards: flags['dynamodb-shards'] } : {}),
    ...(flags['dynamodb-inline-max-bytes'] !== undefined ? { inlineMaxBytes: flags['dynamodb-inline-max-bytes'] } : {}),
    ...(flags['s3-region'] ? { s3Region: flags['s3-region'] } : {}),
    ...(flags['s3-endpoint'] ? { s3Endpoint: flags['s3-endpoint'] } : {}),
    ...(flags['s3-path-style'] !== undefined ? { s3PathStyle: flags['s3-path-style'] } : {}),
  };
}

function parseTargets(v: string, fail: (m: string) => never): 'all' | Set<Target> {
  const list = v
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (list.length === 0 || (list.length === 1 && list[0] === 'all')) return 'all';
  if (list.includes('all')) fail('--target=all cannot be combined with other targets');
  const bad = list.filter((t) => !(TARGETS as readonly string[]).includes(t));
  if (bad.length > 0) fail(`unknown target ${bad.join(', ')}; valid targets: all, ${TARGET_LIST}`);
  return new Set(list as Target[]);
}

function parseDuration(v: string, flag: string, fail: (m: string) => never): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v.trim());
  if (!m) return fail(`${flag}: "${v}" is not a duration such as 500ms, 5s, 1m`);
  const ms = Number(m[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  if (ms <= 0) fail(`${flag} must be positive`);
  return Math.round(ms);
}

/** Runs until SIGINT/SIGTERM, then closes the server (an ingester flushes and leaves its ring first). */
async function waitForSignal(server: { close(): Promise<void> }): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      process.stderr.write(`received ${sig}, shutting down\n`);
      server.close().then(resolve, (err) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
