/**
 * Import boundaries (docs/architecture.md). The data-plane core is plain TypeScript:
 * only the HTTP edges (api, gateway) and the composition root (modules) may use fastify,
 * only storage/bigtable may use the Bigtable SDK, only storage/dynamodb and storage/s3 the AWS SDK
 * clients, and nothing in data-plane touches Postgres.
 * `process.env` is banned in data-plane by biome's noProcessEnv rule (biome.json).
 */
const CORE = '^data-plane/(?!api/|gateway/|modules/)';
module.exports = {
  forbidden: [
    {
      name: 'core-no-frameworks',
      severity: 'error',
      comment: 'the data-plane core must not import fastify, drizzle, pg, oclif or PGlite',
      from: { path: CORE },
      to: { path: 'node_modules/(fastify|@fastify|drizzle-orm|pg|pg-[a-z-]+|@oclif|@electric-sql)/' },
    },
    {
      name: 'data-plane-no-postgres',
      severity: 'error',
      comment: 'the data plane never opens Postgres; it learns of changes through the change feed',
      from: { path: '^data-plane/' },
      to: { path: 'node_modules/(drizzle-orm|pg|@electric-sql|@oclif)/' },
    },
    {
      name: 'only-storage-bigtable-imports-bigtable',
      severity: 'error',
      from: { path: '^data-plane/', pathNot: '^data-plane/storage/bigtable/' },
      to: { path: 'node_modules/@google-cloud/' },
    },
    {
      name: 'only-storage-dynamodb-imports-dynamodb',
      severity: 'error',
      from: { path: '^data-plane/', pathNot: '^data-plane/storage/dynamodb/' },
      to: { path: 'node_modules/@aws-sdk/client-dynamodb/' },
    },
    {
      name: 'only-storage-s3-imports-s3',
      severity: 'error',
      from: { path: '^data-plane/', pathNot: '^data-plane/storage/s3/' },
      to: { path: 'node_modules/@aws-sdk/client-s3/' },
    },
    {
      name: 'data-plane-not-control-plane-or-cli',
      severity: 'error',
      from: { path: '^data-plane/' },
      to: { path: '^(control-plane|cli)/' },
    },
    {
      name: 'control-plane-uses-pure-data-plane-only',
      severity: 'error',
      comment: 'control plane may use the pure data-plane model, validation and the PromQL parser only',
      from: { path: '^control-plane/' },
      to: { path: '^data-plane/', pathNot: '^data-plane/(model|validation|promql|alertmanager/config)/' },
    },
    {
      name: 'cli-is-a-thin-client',
      severity: 'error',
      comment:
        'commands use the admin API client (plus offline checks: PromQL parser, rule unit tests, AM config); only cli/server wires components',
      from: { path: '^cli/', pathNot: '^cli/(server/|commands/server\\.ts)' },
      to: {
        path: '^(control-plane|data-plane)/',
        pathNot: '^(data-plane/(model|validation|promql|alertmanager/config|ruler)/|control-plane/api/)',
      },
    },
    {
      name: 'model-imports-nothing',
      severity: 'error',
      from: { path: '^data-plane/model/' },
      to: { path: '^(data-plane/(?!model/)|control-plane|cli)' },
    },
    {
      name: 'promql-engine-storage-interfaces-only',
      severity: 'error',
      comment: 'the engine receives a Queryable per query and knows nothing of ingesters, stores or tenants',
      from: { path: '^data-plane/promql/' },
      to: { path: '^data-plane/(?!model/|storage/index\\.ts|storage/interface|chunkenc/|promql/)' },
    },
    {
      name: 'console-uses-the-generated-client-only',
      severity: 'error',
      comment: 'the web console reaches the server only through the generated AdminService client',
      from: { path: '^console/' },
      to: { path: '^(cli|control-plane|data-plane|bench|test)/' },
    },
    {
      name: 'console-runs-in-browsers',
      severity: 'error',
      from: { path: '^console/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.test\\.ts$|\\.bench\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
