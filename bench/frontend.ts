/**
 * `npm run bench:frontend`: a 7-day dashboard range query through the query-frontend, first run
 * (cold: every day evaluated) against repeats (warm: past days from the results cache, only the
 * still-changing tail evaluated). Prints median latencies and the speed-up.
 *
 *   --series N   series to generate (default 500)     --step S   query step in seconds (default 300)
 */
import { parseArgs } from 'node:util';
import { Labels, parseTenantId } from '../data-plane/model/index.js';
import { DataPlane } from '../data-plane/modules/index.js';
import { StaticTenantLimitsSource } from '../data-plane/validation/index.js';

const { values } = parseArgs({
  options: { series: { type: 'string', default: '500' }, step: { type: 'string', default: '300' } },
});
const SERIES = Number(values.series);
const STEP = Number(values.step) * 1000;
const DAY = 86_400_000;
const SCRAPE = 60_000;
const now = Date.now();
const tenant = parseTenantId('bench');

const dp = new DataPlane({
  walDir: undefined,
  limitsSource: new StaticTenantLimitsSource(),
  limitDefaults: {
    max_global_series_per_user: 0,
    max_global_series_per_metric: 0,
    ingestion_rate: 1e12,
    ingestion_burst_size: 1e12,
  },
  logger: { info() {}, warn() {}, error() {} },
});
await dp.start();

const t0 = now - 7 * DAY;
const labels = Array.from({ length: SERIES }, (_, i) =>
  Labels.fromObject({
    __name__: 'http_requests_total',
    job: `job${i % 10}`,
    instance: `host${i}:9100`,
    code: i % 7 ? '200' : '500',
  }),
);
const BATCH = 6 * 3_600_000;
for (let from = t0; from < now; from += BATCH) {
  const timeseries = labels.map((l, i) => {
    const samples = [];
    for (let t = from; t < Math.min(from + BATCH, now); t += SCRAPE)
      samples.push({ t, v: ((t - t0) / 1000) * (1 + (i % 5)) });
    return { labels: l, samples, histograms: [], exemplars: [] };
  });
  await dp.ingester.push(tenant, { timeseries, metadata: [] });
}
process.stderr.write(`loaded ${SERIES} series × 7 days at ${SCRAPE / 1000}s\n`);

const query = 'sum by (job) (rate(http_requests_total[5m]))';
const run = async () => {
  const start = performance.now();
  await dp.frontend.rangeQuery(tenant, query, now - 7 * DAY, now, STEP);
  return performance.now() - start;
};
const cold = await run();
const warm: number[] = [];
for (let i = 0; i < 9; i++) warm.push(await run());
warm.sort((a, b) => a - b);
const median = warm[Math.floor(warm.length / 2)]!;
console.log(`query: ${query}, 7 days, step ${STEP / 1000}s, ${SERIES} series`);
console.log(`first run (cold cache): ${cold.toFixed(1)} ms`);
console.log(`repeat (warm cache), median of 9: ${median.toFixed(1)} ms`);
console.log(`speed-up: ${(cold / median).toFixed(1)}x`);
await dp.stop();
