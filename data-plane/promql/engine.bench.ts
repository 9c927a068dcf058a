/** Evaluator micro-benchmarks (`npx vitest bench data-plane/promql`): 1,000 series × 6 h at 15 s. */
import { bench, describe } from 'vitest';
import { Labels } from '../model/index.js';
import { MemoryStorage } from '../storage/memory/index.js';
import { Engine } from './engine.js';

const END = 6 * 3600_000;
const store = new MemoryStorage();
const app = store.appender();
for (let i = 0; i < 1000; i++) {
  const l = Labels.fromObject({ __name__: 'req_total', job: `job-${i % 10}`, instance: `i-${i}` });
  let v = 0;
  for (let t = 0; t <= END; t += 15_000) {
    v += (i * 7 + t / 15_000) % 11;
    app.append(l, t, v);
  }
}
await app.commit();
const engine = new Engine({ maxSamples: 1e9 });

describe('range query, 6 h at 60 s', () => {
  for (const q of [
    'req_total',
    'rate(req_total[5m])',
    'sum by (job) (rate(req_total[5m]))',
    'topk(5, rate(req_total[5m]))',
    'rate(req_total[5m]) / on(instance) group_left sum by (instance) (req_total)',
    'max_over_time(sum(rate(req_total[5m]))[30m:1m])',
  ]) {
    bench(q, async () => {
      await engine.rangeQuery(store, q, 0, END, 60_000);
    });
  }
});
