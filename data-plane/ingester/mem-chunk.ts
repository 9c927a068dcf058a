import { type AnyHistogramChunk, XORChunk } from '../chunkenc/index.js';

const SEALED = 1;
const FLUSHED = 2;
const QUEUED = 4;

// biome-ignore lint/suspicious/noExplicitAny: a TypeScript mixin's base must take `...args: any[]`.
type Constructor = abstract new (...args: any[]) => object;

/**
 * The flush loop's bookkeeping, shared by float and histogram head chunks: the time range, when the
 * store confirmed the chunk, and three flags in one small integer (a field each would cost 12
 * bytes more on every chunk). A mixin, because a float chunk is itself an `XORChunk`.
 */
function withFlushState<B extends Constructor>(Base: B) {
  abstract class FlushState extends Base {
    mint = 0;
    maxt = 0;
    /** Wall-clock ms when the chunk store confirmed it. */
    flushedAt = 0;
    private flags = 0;

    /** True once no more samples go in (full, aged, idle, or an out-of-order chunk). */
    get sealed(): boolean {
      return (this.flags & SEALED) !== 0;
    }
    set sealed(x: boolean) {
      this.flags = x ? this.flags | SEALED : this.flags & ~SEALED;
    }
    /** True once the chunk store confirmed the chunk. */
    get flushed(): boolean {
      return (this.flags & FLUSHED) !== 0;
    }
    set flushed(x: boolean) {
      this.flags = x ? this.flags | FLUSHED : this.flags & ~FLUSHED;
    }
    /** True while a flush of this chunk is in flight or queued. */
    get queued(): boolean {
      return (this.flags & QUEUED) !== 0;
    }
    set queued(x: boolean) {
      this.flags = x ? this.flags | QUEUED : this.flags & ~QUEUED;
    }
  }
  return FlushState;
}

/**
 * A float chunk of the head: the XOR chunk itself, extended with the flush bookkeeping. One object
 * rather than a record holding a chunk: every series holds one or more, and the record cost 40
 * bytes on each.
 */
export class MemChunk extends withFlushState(XORChunk) {
  /** An empty chunk, open unless `sealed`. */
  constructor(mint: number, maxt: number, sealed: boolean) {
    super();
    this.mint = mint;
    this.maxt = maxt;
    this.sealed = sealed;
  }

  /** A chunk holding `src`'s bytes (shared, not copied: a chunk read from a checkpoint). */
  static of(src: XORChunk, mint: number, maxt: number, sealed: boolean): MemChunk {
    const c = new MemChunk(mint, maxt, sealed);
    c.adopt(src);
    return c;
  }

  /**
   * The XOR chunk: this object. Readers go through it so they read float and histogram chunks
   * (`MemHistChunk.chunk`) alike.
   */
  get chunk(): XORChunk {
    return this;
  }
}

/** A histogram chunk (integer, encoding 2, or float, encoding 3) with the same flush bookkeeping. */
export class MemHistChunk extends withFlushState(Object) {
  constructor(
    public chunk: AnyHistogramChunk,
    mint: number,
    maxt: number,
    sealed: boolean,
  ) {
    super();
    this.mint = mint;
    this.maxt = maxt;
    this.sealed = sealed;
  }
}
