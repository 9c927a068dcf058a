import { bench, describe } from 'vitest';
import { Labels, parseTenantId } from '../model/index.js';
import { MemoryRuleBackend } from './memory-backend.js';
import { Ruler } from './ruler.js';
import { StaticRuleGroupSource } from './source.js';
import { RuleTemplate } from './template/index.js';

// One tenant, 20 groups × 10 rules (half recording, half alerting with templated annotations) over
// 500 input series; each bench iteration evaluates every group once at the next minute.
const T = parseTenantId('bench');
const MIN = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MIN);
const backend = new MemoryRuleBackend();
const source = new StaticRuleGroupSource();
source.set(
  T,
  Array.from({ length: 20 }, (_, g) => ({
    namespace: 'bench',
    group: {
      name: `g${g}`,
      rules: Array.from({ length: 10 }, (_, r) =>
        r % 2 === 0
          ? { record: `job:req_g${g}_r${r}:rate`, expr: `sum by (job) (rate(req_total{shard="${g % 5}"}[5m]))` }
          : {
              alert: `High_g${g}_r${r}`,
              expr: `rate(req_total{shard="${g % 5}"}[5m]) > 0.5`,
              for: '5m',
              annotations: { summary: '{{ $labels.instance }} at {{ $value | humanize }}/s' },
            },
      ),
    },
  })),
);
for (let m = 0; m <= 10; m++) {
  const samples = [];
  for (let i = 0; i < 500; i++) {
    const labels = Labels.fromObject({
      __name__: 'req_total',
      job: `j${i % 10}`,
      instance: `i${i}`,
      shard: String(i % 5),
    });
    samples.push({ labels, t: T0 + m * MIN, v: m * 60 * (i % 3) });
  }
  await backend.write(T, samples);
}
const ruler = new Ruler({ source, query: backend.query, writer: backend, limits: { get: () => 0 } });
ruler.sync();
// The same rules with output discarded: what evaluation itself costs, without the memory store's
// linear series scan growing with every ALERTS series written.
const discarding = new Ruler({
  source,
  query: backend.query,
  writer: { write: async () => {} },
  limits: { get: () => 0 },
});
discarding.sync();
let ts = T0 + 10 * MIN;

describe('ruler', () => {
  bench('evaluate 200 rules over 500 series', async () => {
    ts += 1000;
    await ruler.evaluateAll(ts);
  });
  bench('evaluate 200 rules over 500 series, output discarded', async () => {
    ts += 1000;
    await discarding.evaluateAll(ts);
  });
  const tmpl = RuleTemplate.parse('{{ $labels.instance }} of {{ .Labels.job }} at {{ $value | humanize }}');
  const data = {
    labels: Labels.fromObject({ instance: 'a', job: 'b' }),
    externalLabels: Labels.EMPTY,
    externalURL: '',
    value: 1234.5,
  };
  const ctx = { query: async () => [], externalURL: '' };
  bench('expand one annotation template', async () => {
    await tmpl.expand(data, ctx);
  });
});
