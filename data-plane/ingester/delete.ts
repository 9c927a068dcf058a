import {
  type AnyHistogramChunk,
  encodeHistogramChunks,
  FloatHistogramChunk,
  HistogramChunk,
  XORChunk,
} from '../chunkenc/index.js';
import { type FloatHistogram, Matcher, type MatchType, type TenantId } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import type { TenantHead } from './head.js';
import { type MemChunk, MemHistChunk, type MemSeries } from './series.js';
import { ByteBuilder, type ByteReader, RecordType } from './wal/records.js';

/**
 * Operator delete-series in the head: the samples in `[mint, maxt]` of matching series are removed
 * from memory at once, by re-encoding the chunks that hold them. Nothing is hidden at query time,
 * so a later flush writes only what is left. The deletion is a WAL record of its own; replay applies
 * it at the same point of the log, so samples written before it stay deleted and samples written
 * after it stay.
 */
export interface HeadDeletion {
  matchers: readonly Matcher[];
  mint: number;
  maxt: number;
}

/** Removes the deletion's samples from every matching series of `head`; returns how many went. */
export function deleteFromHead(head: TenantHead, d: HeadDeletion): number {
  let removed = 0;
  for (const s of head.matching(d.matchers, d.mint, d.maxt)) removed += deleteFromSeries(s, d.mint, d.maxt);
  return removed;
}

export function deleteFromSeries(s: MemSeries, mint: number, maxt: number): number {
  const inside = (t: number) => t >= mint && t <= maxt;
  const overlaps = (c: { mint: number; maxt: number }) => c.maxt >= mint && c.mint <= maxt;
  let removed = 0;

  // Chunks emptied here leave their list; one already queued for flushing writes nothing.
  const rewriteXOR = (list: MemChunk[]): MemChunk[] => {
    const out: MemChunk[] = [];
    for (const c of list) {
      if (!overlaps(c)) {
        out.push(c);
        continue;
      }
      const ts: number[] = [];
      const vs = new Float64Array(c.chunk.numSamples());
      const it = c.chunk.iterator();
      while (it.next() !== ValueType.None) {
        const t = it.atT();
        if (inside(t)) continue;
        vs[ts.length] = it.atV();
        ts.push(t);
      }
      if (ts.length === c.chunk.numSamples()) {
        out.push(c);
        continue;
      }
      removed += c.chunk.numSamples() - ts.length;
      const nc = new XORChunk();
      const app = nc.appender();
      for (let i = 0; i < ts.length; i++) app.append(ts[i]!, vs[i]!);
      nc.compact();
      c.adopt(nc);
      if (ts.length > 0) {
        c.mint = ts[0]!;
        c.maxt = ts[ts.length - 1]!;
        out.push(c);
      }
    }
    return out;
  };
  const open = s.chunks[s.chunks.length - 1];
  // The open chunk is re-encoded sealed; the next sample opens a new one.
  if (open && !open.sealed && overlaps(open)) s.sealHead();
  s.chunks = rewriteXOR(s.chunks);
  if (s.oooChunks) s.oooChunks = rewriteXOR(s.oooChunks);

  if (s.oooT && s.oooT.length > 0) {
    const ts = s.oooT;
    const vs = s.oooV!;
    let k = 0;
    for (let i = 0; i < ts.length; i++) {
      if (inside(ts[i]!)) continue;
      ts[k] = ts[i]!;
      vs[k] = vs[i]!;
      k++;
    }
    removed += ts.length - k;
    ts.length = k;
  }

  if (s.histograms && s.histograms.length > 0) {
    const kept = s.histograms.filter((x) => !inside(x.t));
    removed += s.histograms.length - kept.length;
    s.histograms = kept;
  }

  const openHist = s.openHistogramChunk();
  // Like the open XOR chunk: re-encoded sealed; the next histogram opens a new one.
  if (openHist && overlaps(openHist)) s.sealOpenHistogram();
  if (s.histChunks) {
    const out: MemHistChunk[] = [];
    for (const c of s.histChunks) {
      if (!overlaps(c)) {
        out.push(c);
        continue;
      }
      const kept: { t: number; h: FloatHistogram; integer: boolean }[] = [];
      const integer = c.chunk instanceof HistogramChunk;
      const it = c.chunk.iterator();
      while (it.next() !== ValueType.None)
        if (!inside(it.atT())) kept.push({ t: it.atT(), h: it.atHistogram(), integer });
      const n = c.chunk.numSamples();
      if (kept.length === n) {
        out.push(c);
        continue;
      }
      removed += n - kept.length;
      const chunks = encodeHistogramChunks(kept);
      c.chunk = chunks[0] ?? new FloatHistogramChunk();
      for (const [i, nc] of chunks.entries()) {
        const mc: MemHistChunk = i === 0 ? c : copyBookkeeping(c, nc);
        const bounds = chunkBounds(nc);
        mc.mint = bounds[0];
        mc.maxt = bounds[1];
        out.push(mc);
      }
    }
    s.histChunks = out;
  }
  return removed;
}

/** A chunk cut from `c`'s samples, flushed (or not) as `c` was; never queued. */
function copyBookkeeping(c: MemHistChunk, chunk: AnyHistogramChunk): MemHistChunk {
  const mc = new MemHistChunk(chunk, c.mint, c.maxt, c.sealed);
  mc.flushed = c.flushed;
  mc.flushedAt = c.flushedAt;
  return mc;
}

function chunkBounds(c: AnyHistogramChunk): [number, number] {
  const it = c.iterator();
  let mint = Number.NaN;
  let maxt = Number.NaN;
  while (it.next() !== ValueType.None) {
    if (Number.isNaN(mint)) mint = it.atT();
    maxt = it.atT();
  }
  return [mint, maxt];
}

interface DeletionJSON {
  m: [MatchType, string, string][];
  mint: number;
  maxt: number;
}

/** The WAL record of a deletion: tenant, then the request as JSON. */
export function deletionRecord(tenant: TenantId, d: HeadDeletion): Buffer {
  const b = new ByteBuilder(256);
  const start = b.beginRecord(RecordType.Deletion);
  b.str(tenant);
  const j: DeletionJSON = { m: d.matchers.map((m) => [m.type, m.name, m.value]), mint: d.mint, maxt: d.maxt };
  b.str(JSON.stringify(j));
  b.endRecord(start);
  return b.take();
}

/** Reads the rest of a deletion record (after the tenant). */
export function readDeletion(r: ByteReader): HeadDeletion {
  const j = JSON.parse(r.str()) as DeletionJSON;
  return { matchers: j.m.map(([t, n, v]) => new Matcher(t, n, v)), mint: j.mint, maxt: j.maxt };
}
