import {
  type AnyHistogramChunk,
  appendXOR,
  encodeHistogramChunks,
  HistogramCutter,
  XOR_NO_WINDOW,
  type XORChunk,
  type XOREncoderState,
} from '../chunkenc/index.js';
import type { FloatHistogram, Labels } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { MemChunk, MemHistChunk } from './mem-chunk.js';

export { MemChunk, MemHistChunk };

/** Prometheus cuts head chunks at 120 samples; so do we, so flushed chunks look like theirs. */
export const SAMPLES_PER_CHUNK = 120;
/** Prometheus also cuts before a chunk can outgrow 1 KiB (19 bytes = worst-case sample). */
const MAX_CHUNK_BYTES = 1024 - 19;

/** A native histogram accepted out of order, waiting in the series' buffer. */
type OutOfOrderHistogram = { t: number; h: FloatHistogram; integer?: boolean };

/**
 * What only series with out-of-order samples or native histograms use. Most series have neither,
 * so these slots live apart, allocated on first use: eight fewer on every plain float series.
 */
class RareState {
  oooT: number[] | undefined = undefined;
  oooV: Float64Array | undefined = undefined;
  oooChunks: MemChunk[] | undefined = undefined;
  histograms: OutOfOrderHistogram[] | undefined = undefined;
  histChunks: MemHistChunk[] | undefined = undefined;
  /** Cuts in-order histograms into chunks; its chunk is the open one's. */
  histCut: HistogramCutter | undefined = undefined;
  histOpen: MemHistChunk | undefined = undefined;
  histSealedMaxT = Number.NEGATIVE_INFINITY;
}

/** Equal histograms apart from the counter-reset hint (a stored chunk may report another hint). */
function sameHistogram(a: FloatHistogram, b: FloatHistogram): boolean {
  return JSON.stringify({ ...a, counterResetHint: '' }) === JSON.stringify({ ...b, counterResetHint: '' });
}

/** The histogram stored at exactly `t` in any of `chunks`, if there is one. */
function storedHistogram(chunks: readonly MemHistChunk[], t: number): FloatHistogram | undefined {
  for (const c of chunks) {
    if (t < c.mint || t > c.maxt) continue;
    const it = c.chunk.iterator();
    if (it.seek(t) !== ValueType.None && it.atT() === t) return it.atHistogram();
  }
  return undefined;
}

export const AppendResult = {
  Appended: 0,
  /** Same timestamp and bit-identical value as a stored sample: accepted, nothing stored. */
  Duplicate: 1,
  DuplicateTimestamp: 2,
  OutOfOrder: 3,
  /** So far from the previous sample that the chunk's delta would not be an exact integer. */
  Invalid: 4,
} as const;
export type AppendResult = (typeof AppendResult)[keyof typeof AppendResult];

const f64 = new Float64Array(2);
const u32 = new Uint32Array(f64.buffer);
const i32 = new Int32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;
/** Bit equality, as Prometheus compares values (NaN payloads and ±0 matter). */
export function sameBits(a: number, b: number): boolean {
  if (a === b) return a !== 0 || 1 / a === 1 / b;
  if (!Number.isNaN(a) || !Number.isNaN(b)) return false;
  f64[0] = a;
  f64[1] = b;
  return u32[0] === u32[2] && u32[1] === u32[3];
}

/** The value stored at exactly `t` in any of `chunks`, if there is one. */
function storedValue(chunks: readonly MemChunk[], t: number): number | undefined {
  for (const c of chunks) {
    if (t < c.mint || t > c.maxt) continue;
    const it = c.chunk.iterator();
    if (it.seek(t) !== ValueType.None && it.atT() === t) return it.atV();
  }
  return undefined;
}

/**
 * `list` plus `c`, in an array of exactly that length: a series holds one to three chunks, and an
 * array grown by push() reserves 16 slots at once (~130 bytes of slack on every series).
 */
function withChunk(list: readonly MemChunk[], c: MemChunk): MemChunk[] {
  const out: MemChunk[] = new Array(list.length + 1);
  for (let i = 0; i < list.length; i++) out[i] = list[i]!;
  out[list.length] = c;
  return out;
}

/** Shared by every series before its first chunk (never mutated: chunks are added by copy). */
const NO_CHUNKS = Object.freeze([]) as readonly MemChunk[] as MemChunk[];

/**
 * One series of a tenant's head. In-order samples go to a list of XOR chunks whose last one is open;
 * samples accepted through the out-of-order window wait in a small sorted buffer and are cut into
 * their own (overlapping) chunks. Queries merge both, preferring in-order data on equal timestamps.
 *
 * The series is also the open chunk's XOR encoder state (`XOREncoderState`): its newest sample is
 * what the next one is encoded against, so keeping the state here instead of in an appender object
 * per open chunk saves that object and the boxed doubles it held (~110 bytes per series), and the
 * newest value is kept as its bits (`vhi`, `vlo`), small integers rather than a boxed double.
 */
export class MemSeries implements XOREncoderState {
  readonly ref: number;
  readonly labels: Labels;
  /** In-order chunks, oldest first; the last one is open unless `sealed`. */
  chunks: MemChunk[] = NO_CHUNKS;
  /** Timestamp of the newest in-order sample; -Infinity when the series has none in memory. */
  lastT = Number.NEGATIVE_INFINITY;
  /** Bits of the newest in-order value (see `lastV`), as signed 32-bit words. */
  vhi = 0;
  vlo = 0;
  /** The open chunk's encoder state besides `lastT`, `vhi` and `vlo` (see XOREncoderState). */
  prevDelta = 0;
  window = XOR_NO_WINDOW;
  /** Wall-clock ms of the last accepted append (drives idle flushes). */
  lastAppendWall = 0;
  /** Out-of-order and histogram state, allocated on first use (see RareState). */
  private rare: RareState | undefined;
  /**
   * The head holding the series; undefined once the head dropped it (all flushed and released, or
   * deleted), so pushes create a new one. One field for both: a push checks it on every series
   * (`TenantHead.holds`), where a lookup in the head's map of 100k+ series cost ~10% of the loop.
   */
  owner: object | undefined;

  /** The label hash is not kept (8 bytes on every series): `hashLabels` gives it again. */
  constructor(ref: number, labels: Labels, owner: object) {
    this.ref = ref;
    this.labels = labels;
    this.owner = owner;
  }

  /** Value of the newest in-order sample (0 when there is none), NaN payload included. */
  get lastV(): number {
    i32[HI] = this.vhi;
    i32[LO] = this.vlo;
    return f64[0]!;
  }

  /** Whether `v` has exactly the bits of the newest in-order value (a duplicate, as Prometheus sees it). */
  private isLastV(v: number): boolean {
    f64[0] = v;
    return i32[HI] === this.vhi && i32[LO] === this.vlo;
  }

  /**
   * Takes `t`/`v` as the newest sample when it is newer than what memory holds (replay of a sample
   * whose chunk is in the store only). An open chunk is sealed first: its encoder state is lost.
   */
  restoreLast(t: number, v: number): void {
    if (t <= this.lastT) return;
    this.sealHead();
    this.lastT = t;
    f64[0] = v;
    this.vhi = i32[HI]!;
    this.vlo = i32[LO]!;
  }

  private side(): RareState {
    if (this.rare === undefined) this.rare = new RareState();
    return this.rare;
  }

  /**
   * Sorted out-of-order buffer, not yet cut into a chunk. Values live in a Float64Array because
   * V8 canonicalises NaNs stored in plain double arrays, which would lose the staleness marker.
   */
  get oooT(): number[] | undefined {
    return this.rare?.oooT;
  }
  set oooT(x: number[] | undefined) {
    if (x !== undefined || this.rare !== undefined) this.side().oooT = x;
  }
  get oooV(): Float64Array | undefined {
    return this.rare?.oooV;
  }
  set oooV(x: Float64Array | undefined) {
    if (x !== undefined || this.rare !== undefined) this.side().oooV = x;
  }
  get oooChunks(): MemChunk[] | undefined {
    return this.rare?.oooChunks;
  }
  set oooChunks(x: MemChunk[] | undefined) {
    if (x !== undefined || this.rare !== undefined) this.side().oooChunks = x;
  }
  /**
   * Native histograms accepted out of order, not yet cut into a chunk, sorted by timestamp
   * (`integer`: sent as one). In-order histograms go straight into the open histogram chunk.
   */
  get histograms(): OutOfOrderHistogram[] | undefined {
    return this.rare?.histograms;
  }
  set histograms(x: OutOfOrderHistogram[] | undefined) {
    if (x !== undefined || this.rare !== undefined) this.side().histograms = x;
  }
  /**
   * Histogram chunks in cut order (an out-of-order cut may overlap older ones); the one in-order
   * samples go to is open (`sealed` false) until it is cut or the flush loop seals it.
   */
  get histChunks(): MemHistChunk[] | undefined {
    return this.rare?.histChunks;
  }
  set histChunks(x: MemHistChunk[] | undefined) {
    if (x !== undefined || this.rare !== undefined) this.side().histChunks = x;
  }
  /** Newest histogram timestamp in a chunk, the open one included (-Infinity if none). */
  get histSealedMaxT(): number {
    return this.rare === undefined ? Number.NEGATIVE_INFINITY : this.rare.histSealedMaxT;
  }
  set histSealedMaxT(t: number) {
    this.side().histSealedMaxT = t;
  }

  /** Appends an in-order sample or classifies why it cannot be. */
  append(t: number, v: number, allowOutOfOrder: boolean): AppendResult {
    if (t > this.lastT) {
      if (!Number.isSafeInteger(t - this.lastT) && this.lastT !== Number.NEGATIVE_INFINITY) return AppendResult.Invalid;
      this.appendInOrder(t, v);
      return AppendResult.Appended;
    }
    if (t === this.lastT) return this.isLastV(v) ? AppendResult.Duplicate : AppendResult.DuplicateTimestamp;
    if (!allowOutOfOrder) return AppendResult.OutOfOrder;
    return this.insertOutOfOrder(t, v);
  }

  private appendInOrder(t: number, v: number): void {
    let head = this.chunks[this.chunks.length - 1];
    if (
      head === undefined ||
      head.sealed ||
      head.chunk.numSamples() >= SAMPLES_PER_CHUNK ||
      head.chunk.byteLength() > MAX_CHUNK_BYTES
    ) {
      if (head && !head.sealed) this.sealHead();
      head = new MemChunk(t, t, false);
      this.chunks = withChunk(this.chunks, head);
      this.prevDelta = 0;
      this.window = XOR_NO_WINDOW;
    }
    // Sets lastT, vhi and vlo too.
    appendXOR(head.chunk, this, t, v);
    head.maxt = t;
  }

  /** Closes the open chunk so it can be flushed; the next sample opens a new one. */
  sealHead(): MemChunk | undefined {
    const head = this.chunks[this.chunks.length - 1];
    if (!head || head.sealed) return undefined;
    head.sealed = true;
    head.chunk.compact();
    return head;
  }

  /** Adopts a chunk restored from a checkpoint (oldest first); an open one stays appendable. */
  restoreChunk(chunk: XORChunk, open: boolean): void {
    const it = chunk.iterator();
    let mint = Number.NaN;
    let maxt = Number.NaN;
    let lastV = 0;
    while (it.next() !== ValueType.None) {
      if (Number.isNaN(mint)) mint = it.atT();
      maxt = it.atT();
      lastV = it.atV();
    }
    if (Number.isNaN(mint)) return;
    if (this.chunks.length > 0) this.sealHead();
    // Appending goes on from the chunk's newest sample, so it stays open only if that is the series'.
    const reopen = open && maxt >= this.lastT;
    const mc = MemChunk.of(chunk, mint, maxt, !reopen);
    this.chunks = withChunk(this.chunks, mc);
    if (reopen) mc.resume(this);
    else this.restoreLast(maxt, lastV);
  }

  private insertOutOfOrder(t: number, v: number): AppendResult {
    if (!this.oooT) {
      this.oooT = [];
      this.oooV = new Float64Array(SAMPLES_PER_CHUNK);
    }
    const ts = this.oooT;
    const vs = this.oooV!;
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    if (ts[lo] === t) return sameBits(vs[lo]!, v) ? AppendResult.Duplicate : AppendResult.DuplicateTimestamp;
    // A late sample may land on a timestamp that is already stored in a chunk: same rules apply.
    const stored = storedValue(this.chunks, t) ?? (this.oooChunks ? storedValue(this.oooChunks, t) : undefined);
    if (stored !== undefined) return sameBits(stored, v) ? AppendResult.Duplicate : AppendResult.DuplicateTimestamp;
    vs.copyWithin(lo + 1, lo, ts.length);
    vs[lo] = v;
    ts.splice(lo, 0, t);
    if (ts.length >= SAMPLES_PER_CHUNK) this.cutOutOfOrder();
    return AppendResult.Appended;
  }

  /** Encodes the out-of-order buffer as a sealed chunk (it is sorted, so XOR encoding works). */
  cutOutOfOrder(): MemChunk | undefined {
    const ts = this.oooT;
    if (!ts || ts.length === 0) return undefined;
    const vs = this.oooV!;
    const mc = new MemChunk(ts[0]!, ts[ts.length - 1]!, true);
    const app = mc.appender();
    for (let i = 0; i < ts.length; i++) app.append(ts[i]!, vs[i]!);
    mc.compact();
    this.oooChunks ??= [];
    this.oooChunks.push(mc);
    this.oooT = undefined;
    this.oooV = undefined;
    return mc;
  }

  appendHistogram(t: number, h: FloatHistogram, allowOutOfOrder: boolean, integer = false): AppendResult {
    if (t > this.histSealedMaxT) {
      // In order: straight into the open chunk, encoded (not held as an object per sample).
      const rare = this.side();
      rare.histCut ??= new HistogramCutter();
      const closed = rare.histCut.append(t, h, integer);
      if (closed && rare.histOpen) rare.histOpen.sealed = true;
      if (!rare.histOpen || closed) {
        rare.histOpen = new MemHistChunk(rare.histCut.chunk!, t, t, false);
        rare.histChunks ??= [];
        rare.histChunks.push(rare.histOpen);
      }
      rare.histOpen.maxt = t;
      rare.histSealedMaxT = t;
      return AppendResult.Appended;
    }
    const hs = this.histograms;
    if (hs && hs.length > 0) {
      let lo = 0;
      let hi = hs.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (hs[mid]!.t < t) lo = mid + 1;
        else hi = mid;
      }
      if (hs[lo]?.t === t) {
        return JSON.stringify(hs[lo]!.h) === JSON.stringify(h)
          ? AppendResult.Duplicate
          : AppendResult.DuplicateTimestamp;
      }
    }
    const stored = this.histChunks ? storedHistogram(this.histChunks, t) : undefined;
    if (stored) return sameHistogram(stored, h) ? AppendResult.Duplicate : AppendResult.DuplicateTimestamp;
    if (!allowOutOfOrder) return AppendResult.OutOfOrder;
    this.histograms ??= [];
    let at = this.histograms.length;
    while (at > 0 && this.histograms[at - 1]!.t > t) at--;
    this.histograms.splice(at, 0, integer ? { t, h, integer } : { t, h });
    return AppendResult.Appended;
  }

  /** The open histogram chunk, if any. */
  openHistogramChunk(): MemHistChunk | undefined {
    return this.rare?.histOpen;
  }

  /** Seals the open histogram chunk (aged, idle, flushing everything, or about to be rewritten). */
  sealOpenHistogram(): void {
    const rare = this.rare;
    const open = rare?.histOpen;
    if (!rare || !open) return;
    open.chunk.compact();
    open.sealed = true;
    rare.histOpen = undefined;
    rare.histCut = undefined;
  }

  /**
   * Cuts the out-of-order histogram buffer into sealed chunks (integer ones for histograms sent as
   * integers, at most 120 samples, a new chunk per layout, kind or counter-reset change) so the
   * flush loop can write them to the chunk store.
   */
  sealHistograms(): void {
    const hs = this.histograms;
    if (!hs || hs.length === 0) return;
    this.histChunks ??= [];
    for (const chunk of encodeHistogramChunks(hs)) this.addHistChunk(chunk);
    this.histograms = undefined;
  }

  /** Adopts a sealed histogram chunk (cut here or restored from a checkpoint). */
  addHistChunk(chunk: AnyHistogramChunk): MemHistChunk | undefined {
    const it = chunk.iterator();
    let mint = Number.NaN;
    let maxt = Number.NaN;
    while (it.next() !== ValueType.None) {
      if (Number.isNaN(mint)) mint = it.atT();
      maxt = it.atT();
    }
    if (Number.isNaN(mint)) return undefined;
    const mc = new MemHistChunk(chunk, mint, maxt, true);
    this.histChunks ??= [];
    this.histChunks.push(mc);
    if (maxt > this.histSealedMaxT) this.histSealedMaxT = maxt;
    return mc;
  }

  /** Newest float or histogram timestamp in memory (-Infinity if none). */
  maxTime(): number {
    let m = this.lastT;
    const ooo = this.oooT;
    if (ooo && ooo.length > 0 && ooo[ooo.length - 1]! > m) m = ooo[ooo.length - 1]!;
    const hs = this.histograms;
    if (hs && hs.length > 0 && hs[hs.length - 1]!.t > m) m = hs[hs.length - 1]!.t;
    if (this.oooChunks) for (const c of this.oooChunks) if (c.maxt > m) m = c.maxt;
    if (this.histChunks) for (const c of this.histChunks) if (c.maxt > m) m = c.maxt;
    return m;
  }

  /** Oldest timestamp in memory (Infinity if none). */
  minTime(): number {
    let m = Number.POSITIVE_INFINITY;
    const first = this.chunks[0];
    if (first) m = first.mint;
    if (this.oooT && this.oooT.length > 0 && this.oooT[0]! < m) m = this.oooT[0]!;
    if (this.oooChunks) for (const c of this.oooChunks) if (c.mint < m) m = c.mint;
    const hs = this.histograms;
    if (hs && hs.length > 0 && hs[0]!.t < m) m = hs[0]!.t;
    if (this.histChunks) for (const c of this.histChunks) if (c.mint < m) m = c.mint;
    return m;
  }

  /** True when nothing is left in memory (every chunk flushed and dropped). */
  isEmpty(): boolean {
    return (
      this.chunks.length === 0 &&
      (this.oooT?.length ?? 0) === 0 &&
      (this.oooChunks?.length ?? 0) === 0 &&
      (this.histograms?.length ?? 0) === 0 &&
      (this.histChunks?.length ?? 0) === 0
    );
  }

  /** Approximate bytes of chunk data held (for memory metrics). */
  chunkBytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c.chunk.allocatedBytes();
    if (this.oooChunks) for (const c of this.oooChunks) n += c.chunk.allocatedBytes();
    if (this.histChunks) for (const c of this.histChunks) n += c.chunk.allocatedBytes();
    return n;
  }
}
