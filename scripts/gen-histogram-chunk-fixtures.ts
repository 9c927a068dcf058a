/**
 * Writes data-plane/chunkenc/histogram.fixtures.json: native histogram chunks as a real Prometheus
 * 2.42 (`/usr/bin/prometheus --enable-feature=native-histograms`) encodes them. Each case's
 * histograms are remote-written to a fresh Prometheus, which is then asked for a TSDB snapshot
 * (admin API, head included); the chunks are read raw from the snapshot's chunk segment file, so
 * the bytes come from Prometheus's own chunk appenders. The round-trip tests
 * (chunkenc/histogram.test.ts) check that our encoder writes the same bytes and our decoder reads
 * them back. Prometheus 2.42 cannot snapshot gauge histograms ("detected unexpected counter reset
 * in histogram" while re-encoding them), so gauge chunks are covered by unit tests only.
 * Run once: `node --import tsx scripts/gen-histogram-chunk-fixtures.ts`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import snappy from 'snappyjs';
import { type FloatHistogram, STALE_NAN } from '../data-plane/model/index.js';
import { encodeWriteRequest } from '../data-plane/remotewrite/index.js';
import { startPrometheus } from '../test/helpers/prometheus.js';

interface Case {
  name: string;
  integer: boolean;
  samples: { t: number; h: FloatHistogram }[];
}

const BASE = Date.UTC(2026, 0, 1);

function hist(p: Partial<FloatHistogram>): FloatHistogram {
  return {
    counterResetHint: 'unknown',
    schema: 0,
    zeroThreshold: 2 ** -128,
    zeroCount: 0,
    count: 0,
    sum: 0,
    positiveSpans: [],
    positiveBuckets: [],
    negativeSpans: [],
    negativeBuckets: [],
    ...p,
  };
}

/** A counter histogram: buckets grow by `inc` per sample; count and sum follow. */
function counter(
  n: number,
  start: number,
  step: (i: number) => number,
  base: Partial<FloatHistogram>,
  inc: number[],
  negInc: number[] = [],
) {
  const out: { t: number; h: FloatHistogram }[] = [];
  let t = start;
  for (let i = 0; i < n; i++) {
    const pos = inc.map((d, k) => d * (i + 1) + k);
    const neg = negInc.map((d, k) => d * (i + 1) + 2 * k);
    const zero = Math.floor(i / 3);
    const count = pos.reduce((a, b) => a + b, 0) + neg.reduce((a, b) => a + b, 0) + zero;
    out.push({
      t,
      h: hist({
        ...base,
        zeroCount: zero,
        count,
        sum: count * 1.37 + i / 7,
        positiveBuckets: pos,
        negativeBuckets: neg,
      }),
    });
    t += step(i);
  }
  return out;
}

const cases: Case[] = [
  {
    name: 'int_basic',
    integer: true,
    samples: counter(
      12,
      BASE,
      () => 15_000,
      {
        schema: 0,
        zeroThreshold: 0.001,
        positiveSpans: [
          { offset: 0, length: 2 },
          { offset: 1, length: 1 },
        ],
      },
      [1, 2, 3],
    ),
  },
  {
    name: 'int_negative_wide',
    integer: true,
    samples: counter(
      30,
      BASE + 7,
      (i) => 10_000 + ((i * 7919) % 5000),
      {
        schema: -2,
        zeroThreshold: 2 ** -128,
        positiveSpans: [
          { offset: -3, length: 3 },
          { offset: 5, length: 2 },
        ],
        negativeSpans: [{ offset: 2, length: 2 }],
      },
      [1, 1000, 70_000, 3, 9_000_000],
      [5, 123_456],
    ),
  },
  {
    name: 'int_schema8_many_buckets',
    integer: true,
    samples: counter(
      5,
      BASE + 1,
      () => 60_000,
      { schema: 8, zeroThreshold: 0.5, positiveSpans: [{ offset: 100, length: 40 }] },
      Array.from({ length: 40 }, (_, k) => (k * 37) % 11),
    ),
  },
  {
    name: 'int_reset',
    integer: true,
    samples: [
      ...counter(4, BASE, () => 15_000, { schema: 0, positiveSpans: [{ offset: 0, length: 2 }] }, [5, 5]),
      ...counter(4, BASE + 60_000, () => 15_000, { schema: 0, positiveSpans: [{ offset: 0, length: 2 }] }, [1, 1]),
    ],
  },
  {
    name: 'int_stale',
    integer: true,
    samples: [
      ...counter(3, BASE, () => 15_000, { schema: 3, positiveSpans: [{ offset: 1, length: 1 }] }, [2]),
      { t: BASE + 45_000, h: hist({ sum: STALE_NAN }) },
    ],
  },
  {
    name: 'float_basic',
    integer: false,
    samples: counter(
      10,
      BASE,
      () => 15_000,
      {
        schema: 2,
        zeroThreshold: 0.001,
        positiveSpans: [{ offset: 0, length: 3 }],
        negativeSpans: [{ offset: 1, length: 1 }],
      },
      [0.5, 1.25, 3],
      [0.75],
    ).map((s, i) => ({ ...s, h: { ...s.h, sum: s.h.sum + 0.1 * i } })),
  },
];

/** The chunks of a TSDB chunk segment file: magic, version, padding, then (uvarint len, encoding, data, crc32c)… */
function segmentChunks(b: Buffer): { encoding: number; data: Buffer }[] {
  if (b.readUInt32BE(0) !== 0x85bd40dd) throw new Error('not a chunk segment file');
  const out: { encoding: number; data: Buffer }[] = [];
  let p = 8;
  while (p < b.length) {
    let len = 0;
    let shift = 0;
    for (;;) {
      const x = b[p++]!;
      len += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (x < 0x80) break;
    }
    const encoding = b[p++]!;
    out.push({ encoding, data: b.subarray(p, p + len) });
    p += len + 4;
  }
  return out;
}

const out: unknown[] = [];
for (const c of cases) {
  const prom = await startPrometheus('global: {}\n', {
    args: ['--enable-feature=native-histograms', '--web.enable-remote-write-receiver', '--web.enable-admin-api'],
  });
  try {
    const body = encodeWriteRequest({
      timeseries: [
        {
          labels: ['__name__', c.name],
          samples: [],
          histograms: c.samples.map((s) => ({ ...s, integer: c.integer })),
          exemplars: [],
        },
      ],
      metadata: [],
    });
    const res = await fetch(`${prom.url}/api/v1/write`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-protobuf',
        'content-encoding': 'snappy',
        'x-prometheus-remote-write-version': '0.1.0',
      },
      body: snappy.compress(body),
    });
    if (res.status >= 300) throw new Error(`write ${c.name}: ${res.status} ${await res.text()}`);
    const snap = (await (
      await fetch(`${prom.url}/api/v1/admin/tsdb/snapshot?skip_head=false`, { method: 'POST' })
    ).json()) as { data?: { name: string }; error?: string };
    if (!snap.data) throw new Error(`snapshot ${c.name}: ${snap.error}`);
    const dir = `${prom.dir}/data/snapshots/${snap.data.name}`;
    const chunks: { encoding: number; hex: string }[] = [];
    for (const block of readdirSync(dir)) {
      for (const seg of readdirSync(`${dir}/${block}/chunks`).sort()) {
        for (const ch of segmentChunks(readFileSync(`${dir}/${block}/chunks/${seg}`))) {
          chunks.push({ encoding: ch.encoding, hex: ch.data.toString('hex') });
        }
      }
    }
    console.log(`${c.name}: ${chunks.length} chunk(s), encodings ${chunks.map((x) => x.encoding).join(',')}`);
    out.push({ name: c.name, integer: c.integer, samples: c.samples, chunks });
  } finally {
    await prom.stop();
  }
}
const file = {
  origin:
    'Chunks written by Prometheus 2.42.0 (Debian 2.42.0+ds-5+deb12u1, --enable-feature=native-histograms) from these samples sent by remote write 1.0, read raw from a TSDB snapshot (head included) of a fresh instance per case; generated by scripts/gen-histogram-chunk-fixtures.ts.',
  cases: out,
};
const text = JSON.stringify(
  file,
  (_k, v) => {
    if (typeof v !== 'number' || Number.isFinite(v)) return v;
    // element assignment keeps a NaN's payload (the staleness marker); an array literal would quieten it
    const bits = new Float64Array(1);
    bits[0] = v;
    return `f64:${Buffer.from(bits.buffer).toString('hex')}`;
  },
  1,
);
writeFileSync(
  resolve(dirname(fileURLToPath(import.meta.url)), '../data-plane/chunkenc/histogram.fixtures.json'),
  `${text}\n`,
);
