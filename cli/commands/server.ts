import { Command, Flags } from '@oclif/core';

export default class Server extends Command {
  static override description = 'run the platform (every target in one process)';

  static override examples = [
    '<%= config.bin %> server --dev',
    '<%= config.bin %> server --dev --port 9009 --data-dir ./.cortex-data --dev-root-token devroot',
    '<%= config.bin %> server --postgres-url postgres://cortex@db/cortex --root-token "$ROOT_TOKEN" --cluster-secret "$SECRET"',
  ];

  static override flags = {
    dev: Flags.boolean({ description: 'zero-setup mode: embedded Postgres (PGlite) and embedded chunk store' }),
    target: Flags.string({ description: 'components to run (comma-separated); only "all" today', default: 'all' }),
    host: Flags.string({ description: 'address to listen on', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'port to listen on (0 = any free port)', default: 9009, min: 0, max: 65535 }),
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
    'bigtable-table': Flags.string({ description: 'Bigtable table', default: 'cortex_chunks' }),
    'bigtable-emulator-host': Flags.string({
      description: 'host:port of a Bigtable emulator',
      env: 'BIGTABLE_EMULATOR_HOST',
    }),
    'alertmanager-allowed-cidrs': Flags.string({
      description: 'comma-separated address ranges Alertmanager receivers may reach although private or loopback',
      env: 'CORTEX_ALERTMANAGER_ALLOWED_CIDRS',
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
    if (flags.target !== 'all') {
      this.error(
        `--target=${flags.target}: running components as separate processes is not available yet; use --target=all`,
        { exit: 2 },
      );
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
        alertmanagerAllowedCidrs: (flags['alertmanager-allowed-cidrs'] ?? '')
          .split(',')
          .map((c) => c.trim())
          .filter((c) => c !== ''),
        storage: flags['bigtable-project']
          ? {
              kind: 'bigtable',
              projectId: flags['bigtable-project'],
              instanceId:
                flags['bigtable-instance'] ??
                this.error('--bigtable-instance is required with --bigtable-project', { exit: 2 }),
              tableId: flags['bigtable-table'],
              ...(flags['bigtable-emulator-host'] ? { emulatorHost: flags['bigtable-emulator-host'] } : {}),
            }
          : { kind: 'embedded' },
      },
      (line) => process.stderr.write(`${line}\n`),
    );
    process.stdout.write(flags.dev ? banner(server.url, rootToken, flags['data-dir']) : `listening on ${server.url}\n`);
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
}
