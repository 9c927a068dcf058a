/**
 * The differential fuzzer's data: one hour of series written to both engines by remote write, built
 * from a seed. Sample timestamps are whole multiples of 10 ms with jitter; every evaluation time the
 * queries use ends in 5 ms, so no sample ever sits exactly on a range window's or the lookback's left
 * edge: there Prometheus 3.x (left-open, what our engine follows) and 2.42 (closed) differ by design.
 * Counters never drop near zero (resets restart at a few hundred), so rate's extrapolation towards
 * zero, whose order Prometheus PR #13725 changed, never comes into play (bench/RESULTS.md).
 */
import { STALE_NAN } from '../../../data-plane/model/index.js';
import type { EncodableSeries } from '../../../data-plane/remotewrite/index.js';
import { seededRandom } from '../../../data-plane/remotewrite/test-rng.js';

export const T0 = 1_700_000_000_000;
export const SPAN_MS = 3_600_000;
const STEP = 15_000;

/** The data must be the same for a seed on every machine: a seeded PRNG, not Math.random. */
export const prng = seededRandom;

const round2 = (v: number) => Math.round(v * 100) / 100;

/** A series as the test builds it; `toWire` turns it into what the remote-write encoder takes. */
export interface FixtureSeries {
  labels: Record<string, string>;
  samples: { timestamp: number; value: number }[];
}

export function toWire(series: FixtureSeries[]): EncodableSeries[] {
  return series.map((s) => ({
    labels: Object.entries(s.labels)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .flat(),
    samples: s.samples.map((x) => ({ t: x.timestamp, v: x.value })),
  }));
}

export function dataSet(seed: number): FixtureSeries[] {
  const rnd = prng(seed);
  const times = (from = 0, to = SPAN_MS) => {
    const out: number[] = [];
    for (let t = from; t < to; t += STEP) out.push(T0 + t + Math.floor(rnd() * 500) * 10);
    return out;
  };
  const out: FixtureSeries[] = [];
  for (const job of ['api', 'web']) {
    for (const instance of ['a', 'b', 'c']) {
      let c = 1000 + round2(rnd() * 100);
      out.push({
        labels: { __name__: 'fz_requests_total', job, instance },
        samples: times().map((timestamp) => {
          c = rnd() < 0.01 ? 300 + round2(rnd() * 100) : round2(c + rnd() * 20);
          return { timestamp, value: c };
        }),
      });
      let g = round2(rnd() * 10 - 5);
      // a gauge with a gap of 10 minutes in the middle (longer than the lookback delta)
      out.push({
        labels: { __name__: 'fz_temperature', job, instance },
        samples: times()
          .filter((t) => instance !== 'b' || t < T0 + 1_500_000 || t > T0 + 2_100_000)
          .map((timestamp) => {
            g = round2(g + rnd() * 4 - 2);
            return { timestamp, value: g };
          }),
      });
      let up = 1;
      out.push({
        labels: { __name__: 'fz_up', job, instance },
        samples: times().map((timestamp) => {
          if (rnd() < 0.05) up = 1 - up;
          return { timestamp, value: up };
        }),
      });
    }
    // a classic histogram: cumulative buckets, each a counter
    const ts = times();
    const counts = [0, 0, 0, 0, 0];
    const bounds = ['0.1', '0.5', '1', '5', '+Inf'];
    const series = bounds.map((le) => ({
      labels: { __name__: 'fz_latency_seconds_bucket', job, le },
      samples: [] as FixtureSeries['samples'],
    }));
    for (const timestamp of ts) {
      let cum = 0;
      for (let b = 0; b < bounds.length; b++) {
        counts[b]! += Math.floor(rnd() * 10);
        cum += counts[b]!;
        series[b]!.samples.push({ timestamp, value: 1000 + cum });
      }
    }
    out.push(...series);
  }
  // a series that ends at 40 minutes with a staleness marker, and one that just stops at 45 minutes
  out.push({
    labels: { __name__: 'fz_temperature', job: 'batch', instance: 'stale' },
    samples: [
      ...times(0, 2_400_000).map((timestamp) => ({ timestamp, value: round2(rnd() * 3) })),
      { timestamp: T0 + 2_400_000, value: STALE_NAN },
    ],
  });
  out.push({
    labels: { __name__: 'fz_temperature', job: 'batch', instance: 'gone' },
    samples: times(0, 2_700_000).map((timestamp) => ({ timestamp, value: round2(rnd() * 3) })),
  });
  return out;
}
