import { Encoding, histogramChunkFromBytes, XORChunk } from '../chunkenc/index.js';
import {
  type BucketSpan,
  type CounterResetHint,
  type Exemplar,
  type FloatHistogram,
  type HistogramSample,
  Labels,
  type TenantId,
} from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { deleteFromHead, readDeletion } from './delete.js';
import type { TenantHead } from './head.js';
import { MemChunk, type MemSeries } from './series.js';
import { ByteBuilder, ByteReader, RecordType } from './wal/records.js';

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/**
 * Histograms of older WALs (record type 3) travel as JSON, which has no NaN or ±Inf: those numbers (a
 * staleness marker is a NaN with a payload) were written as `"f64:<16 hex digits>"`, their exact
 * bits, and are read back by the reviver.
 */
function histReviver(_k: string, v: unknown): unknown {
  if (typeof v !== 'string' || v.length !== 20 || !v.startsWith('f64:')) return v;
  f64Bytes.set(Buffer.from(v.slice(4), 'hex'));
  return f64[0];
}

/**
 * Encodes one push (or one checkpoint) as WAL records. Series records always precede the samples
 * that refer to them, because they are concatenated in that order into one write.
 */
export class PushRecords {
  private readonly series = new ByteBuilder(1024);
  private readonly samples = new ByteBuilder(16 * 1024);
  private readonly histograms = new ByteBuilder(1024);
  private readonly exemplars = new ByteBuilder(1024);
  private exStart = -1;
  private seriesStart = -1;
  private samplesStart = -1;
  private histStart = -1;
  private entryStart = 0;
  private entryCountAt = 0;
  private hasSamples = false;
  /** Samples written since `beginSamples`, or -1 when no entry is open. */
  private entryN = -1;

  constructor(private readonly tenant: TenantId) {}

  addSeries(s: MemSeries): void {
    if (this.seriesStart < 0) {
      this.seriesStart = this.series.beginRecord(RecordType.Series);
      this.series.str(this.tenant);
    }
    this.series.uvarint(s.ref);
    const flat = s.labels.flat;
    this.series.uvarint(flat.length >> 1);
    for (const str of flat) this.series.str(str);
  }

  /** Starts the samples of one series; `endSamples` closes the entry (dropped if empty). */
  beginSamples(ref: number): void {
    if (this.samplesStart < 0) {
      this.samplesStart = this.samples.beginRecord(RecordType.Samples);
      this.samples.str(this.tenant);
    }
    this.entryStart = this.samples.len;
    this.samples.uvarint(ref);
    this.entryCountAt = this.samples.len;
    this.samples.f64(0); // placeholder for the count, patched in endSamples (fixed width)
    this.entryN = 0;
  }

  sample(t: number, v: number): void {
    this.samples.f64(t);
    this.samples.f64(v);
    this.entryN++;
  }

  /** Closes the series' entry with the number of samples actually written. */
  endSamples(): void {
    const n = this.entryN;
    if (n < 0) return;
    this.entryN = -1;
    if (n === 0) this.samples.len = this.entryStart;
    else {
      this.samples.buf.writeDoubleLE(n, this.entryCountAt);
      this.hasSamples = true;
    }
  }

  histogramsOf(ref: number, hs: readonly HistogramSample[]): void {
    if (hs.length === 0) return;
    if (this.histStart < 0) {
      this.histStart = this.histograms.beginRecord(RecordType.Histograms2);
      this.histograms.str(this.tenant);
    }
    this.histograms.uvarint(ref);
    this.histograms.uvarint(hs.length);
    for (const { t, h, integer } of hs) {
      this.histograms.f64(t);
      writeHistogram(this.histograms, h, integer === true);
    }
  }

  exemplar(ref: number, e: Exemplar): void {
    if (this.exStart < 0) {
      this.exStart = this.exemplars.beginRecord(RecordType.Exemplars);
      this.exemplars.str(this.tenant);
    }
    const b = this.exemplars;
    b.uvarint(ref);
    b.f64(e.t);
    b.f64(e.v);
    const flat = e.labels.flat;
    b.uvarint(flat.length >> 1);
    for (const str of flat) b.str(str);
  }

  /** The framed records, or undefined when the push stored nothing. */
  finish(): Buffer | undefined {
    this.endSamples(); // an entry left open by an exception still gets its true count
    const parts: Buffer[] = [];
    if (this.seriesStart >= 0) {
      this.series.endRecord(this.seriesStart);
      parts.push(this.series.take());
    }
    if (this.hasSamples) {
      this.samples.endRecord(this.samplesStart);
      parts.push(this.samples.take());
    }
    if (this.histStart >= 0) {
      this.histograms.endRecord(this.histStart);
      parts.push(this.histograms.take());
    }
    if (this.exStart >= 0) {
      this.exemplars.endRecord(this.exStart);
      parts.push(this.exemplars.take());
    }
    this.seriesStart = this.samplesStart = this.histStart = this.exStart = -1;
    this.hasSamples = false;
    this.series.len = this.samples.len = this.histograms.len = this.exemplars.len = 0;
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

/**
 * Encodes part of a tenant's checkpoint: the given series, their chunks not yet in the chunk store,
 * out-of-order buffers, histograms and newest-sample state. Checkpoints are written in batches of
 * series so pushes keep running meanwhile; replay is idempotent, so a sample that reaches both the
 * checkpoint and a later segment is stored once.
 */
export function checkpointSeries(tenant: TenantId, series: readonly MemSeries[]): Buffer[] {
  const out: Buffer[] = [];
  const rec = new PushRecords(tenant);
  for (const s of series) rec.addSeries(s);
  const head = rec.finish();
  if (head) out.push(head);
  const b = new ByteBuilder(64 * 1024);
  const chunk = (ref: number, flags: number, bytes: Uint8Array) => {
    const start = b.beginRecord(RecordType.Chunk);
    b.str(tenant);
    b.uvarint(ref);
    b.uvarint(flags);
    b.bytes(bytes);
    b.endRecord(start);
  };
  for (const s of series) {
    const open = s.chunks[s.chunks.length - 1];
    for (const c of s.chunks) if (!c.flushed) chunk(s.ref, c === open && !c.sealed ? 1 : 0, c.chunk.bytes());
    for (const c of s.oooChunks ?? []) if (!c.flushed) chunk(s.ref, 2, c.chunk.bytes());
    if (s.oooT && s.oooT.length > 0) {
      rec.beginSamples(s.ref);
      for (let i = 0; i < s.oooT.length; i++) rec.sample(s.oooT[i]!, s.oooV![i]!);
      rec.endSamples();
    }
    for (const c of s.histChunks ?? [])
      if (!c.flushed) chunk(s.ref, c.chunk.encoding() === Encoding.Histogram ? 4 : 3, c.chunk.bytes());
    if (s.histograms) rec.histogramsOf(s.ref, s.histograms);
  }
  // Series whose chunks are all in the store still remember their newest sample, so a restart keeps
  // rejecting duplicates and out-of-order samples for them instead of re-accepting old timestamps.
  let stateStart = -1;
  for (const s of series) {
    if (s.lastT === Number.NEGATIVE_INFINITY) continue;
    if (stateStart < 0) {
      stateStart = b.beginRecord(RecordType.SeriesState);
      b.str(tenant);
    }
    b.uvarint(s.ref);
    b.f64(s.lastT);
    b.f64(s.lastV);
  }
  if (stateStart >= 0) b.endRecord(stateStart);
  // Likewise the newest histogram cut into a chunk, which may be in the store only.
  let histStateStart = -1;
  for (const s of series) {
    if (s.histSealedMaxT === Number.NEGATIVE_INFINITY) continue;
    if (histStateStart < 0) {
      histStateStart = b.beginRecord(RecordType.HistogramState);
      b.str(tenant);
    }
    b.uvarint(s.ref);
    b.f64(s.histSealedMaxT);
  }
  if (histStateStart >= 0) b.endRecord(histStateStart);
  if (b.len > 0) out.push(b.take());
  const rest = rec.finish();
  if (rest) out.push(rest);
  return out;
}

/** Encodes a tenant's exemplars (oldest first) for a checkpoint. */
export function checkpointExemplars(
  tenant: TenantId,
  entries: Iterable<{ ref: number; e: Exemplar }>,
): Buffer | undefined {
  const rec = new PushRecords(tenant);
  for (const { ref, e } of entries) rec.exemplar(ref, e);
  return rec.finish();
}

const HINTS: readonly CounterResetHint[] = ['unknown', 'reset', 'not_reset', 'gauge'];
const zigzag = (n: number) => (n < 0 ? -2 * n - 1 : 2 * n);
const unzigzag = (n: number) => (n % 2 === 1 ? -(n + 1) / 2 : n / 2);

/** One histogram in record type Histograms2's binary form (see RecordType). */
function writeHistogram(b: ByteBuilder, h: FloatHistogram, integer: boolean): void {
  b.uvarint((integer ? 1 : 0) | (HINTS.indexOf(h.counterResetHint) << 1));
  b.uvarint(zigzag(h.schema));
  b.f64(h.zeroThreshold);
  b.f64(h.zeroCount);
  b.f64(h.count);
  b.f64(h.sum);
  for (const [spans, buckets] of [
    [h.positiveSpans, h.positiveBuckets],
    [h.negativeSpans, h.negativeBuckets],
  ] as const) {
    b.uvarint(spans.length);
    for (const sp of spans) {
      b.uvarint(zigzag(sp.offset));
      b.uvarint(sp.length);
    }
    b.uvarint(buckets.length);
    for (const v of buckets) b.f64(v);
  }
  const cv = h.customValues ?? [];
  b.uvarint(cv.length);
  for (const v of cv) b.f64(v);
}

function readHistogram(r: ByteReader): { h: FloatHistogram; integer: boolean } {
  const flags = r.uvarint();
  const schema = unzigzag(r.uvarint());
  const zeroThreshold = r.f64();
  const zeroCount = r.f64();
  const count = r.f64();
  const sum = r.f64();
  const side = (): [BucketSpan[], number[]] => {
    const spans: BucketSpan[] = [];
    for (let n = r.uvarint(); n > 0; n--) {
      const offset = unzigzag(r.uvarint());
      spans.push({ offset, length: r.uvarint() });
    }
    const buckets: number[] = [];
    for (let n = r.uvarint(); n > 0; n--) buckets.push(r.f64());
    return [spans, buckets];
  };
  const [positiveSpans, positiveBuckets] = side();
  const [negativeSpans, negativeBuckets] = side();
  const customValues: number[] = [];
  for (let n = r.uvarint(); n > 0; n--) customValues.push(r.f64());
  const h: FloatHistogram = {
    counterResetHint: HINTS[(flags >> 1) & 3]!,
    schema,
    zeroThreshold,
    zeroCount,
    count,
    sum,
    positiveSpans,
    positiveBuckets,
    negativeSpans,
    negativeBuckets,
  };
  if (customValues.length > 0 || schema === -53) h.customValues = customValues;
  return { h, integer: (flags & 1) === 1 };
}

/** Applies WAL and checkpoint records to tenant heads. Refs are resolved per tenant. */
export class Replayer {
  private readonly refs = new Map<TenantId, Map<number, MemSeries>>();
  unknownRefs = 0;
  samples = 0;

  constructor(
    private readonly headFor: (t: TenantId) => TenantHead,
    private readonly onExemplar: (t: TenantId, s: MemSeries, e: Exemplar) => void,
  ) {}

  private resolve(tenant: TenantId, ref: number): MemSeries | undefined {
    const s = this.refs.get(tenant)?.get(ref);
    if (!s) this.unknownRefs++;
    return s;
  }

  apply(body: Buffer): void {
    const r = new ByteReader(body);
    const type = r.u8();
    const tenant = r.str() as TenantId;
    const head = this.headFor(tenant);
    switch (type) {
      case RecordType.Series: {
        let m = this.refs.get(tenant);
        if (!m) this.refs.set(tenant, (m = new Map()));
        while (r.pos < body.length) {
          const ref = r.uvarint();
          const n = r.uvarint();
          const flat: string[] = [];
          for (let i = 0; i < 2 * n; i++) flat.push(r.str());
          m.set(ref, head.restore(ref, Labels.fromSortedFlat(flat)));
        }
        return;
      }
      case RecordType.Samples: {
        while (r.pos < body.length) {
          const s = this.resolve(tenant, r.uvarint());
          const n = r.f64();
          for (let i = 0; i < n; i++) {
            const t = r.f64();
            const v = r.f64();
            if (!s) continue;
            // Everything in the log was accepted once, so replay takes late samples too.
            s.append(t, v, true);
            if (t > head.maxT) head.maxT = t;
            this.samples++;
          }
        }
        return;
      }
      case RecordType.Histograms: {
        while (r.pos < body.length) {
          const s = this.resolve(tenant, r.uvarint());
          const n = r.uvarint();
          for (let i = 0; i < n; i++) {
            const t = r.f64();
            const h = JSON.parse(r.str(), histReviver) as FloatHistogram;
            if (!s) continue;
            s.appendHistogram(t, h, true);
            if (t > head.maxT) head.maxT = t;
          }
        }
        return;
      }
      case RecordType.Histograms2: {
        while (r.pos < body.length) {
          const s = this.resolve(tenant, r.uvarint());
          const n = r.uvarint();
          for (let i = 0; i < n; i++) {
            const t = r.f64();
            const { h, integer } = readHistogram(r);
            if (!s) continue;
            s.appendHistogram(t, h, true, integer);
            if (t > head.maxT) head.maxT = t;
          }
        }
        return;
      }
      case RecordType.Chunk: {
        const s = this.resolve(tenant, r.uvarint());
        const flags = r.uvarint();
        if (flags === 3 || flags === 4) {
          // A sealed histogram chunk (3 float, 4 integer) not yet in the chunk store.
          const encoding = flags === 3 ? Encoding.FloatHistogram : Encoding.Histogram;
          const hc = histogramChunkFromBytes(encoding, r.bytes().slice());
          const mc = s ? s.addHistChunk(hc) : undefined;
          if (mc && mc.maxt > head.maxT) head.maxT = mc.maxt;
          return;
        }
        const chunk = XORChunk.fromBytes(r.bytes());
        if (!s || chunk.numSamples() === 0) return;
        if (flags === 2) {
          const it = chunk.iterator();
          let mint = Number.NaN;
          let maxt = 0;
          while (it.next() !== ValueType.None) {
            if (Number.isNaN(mint)) mint = it.atT();
            maxt = it.atT();
          }
          s.oooChunks ??= [];
          s.oooChunks.push(MemChunk.of(chunk, mint, maxt, true));
          if (maxt > head.maxT) head.maxT = maxt;
        } else {
          s.restoreChunk(chunk, flags === 1);
          if (s.lastT > head.maxT) head.maxT = s.lastT;
        }
        return;
      }
      case RecordType.SeriesState: {
        while (r.pos < body.length) {
          const s = this.resolve(tenant, r.uvarint());
          const t = r.f64();
          const v = r.f64();
          if (s && t > s.lastT) {
            s.restoreLast(t, v);
            if (t > head.maxT) head.maxT = t;
          }
        }
        return;
      }
      case RecordType.HistogramState: {
        while (r.pos < body.length) {
          const s = this.resolve(tenant, r.uvarint());
          const t = r.f64();
          if (s && t > s.histSealedMaxT) {
            s.histSealedMaxT = t;
            if (t > head.maxT) head.maxT = t;
          }
        }
        return;
      }
      case RecordType.Exemplars: {
        while (r.pos < body.length) {
          const s = this.resolve(tenant, r.uvarint());
          const t = r.f64();
          const v = r.f64();
          const n = r.uvarint();
          const flat: string[] = [];
          for (let i = 0; i < 2 * n; i++) flat.push(r.str());
          if (s) this.onExemplar(tenant, s, { labels: Labels.fromSortedFlat(flat), t, v });
        }
        return;
      }
      case RecordType.Deletion: {
        deleteFromHead(head, readDeletion(r));
        return;
      }
      default:
        throw new RangeError(`unknown WAL record type ${type}`);
    }
  }
}
