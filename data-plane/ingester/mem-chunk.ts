import { type AnyHistogramChunk, XORChunk } from '../chunkenc/index.js';

const SEALED = 1;
const FLUSHED = 2;
const QUEUED = 4;

const has = (flags: number, f: number): boolean => (flags & f) !== 0;
const set = (flags: number, f: number, on: boolean): number => (on ? flags | f : flags & ~f);

/**
 * A float chunk of the head: the XOR chunk itself, extended with the bookkeeping the flush loop
 * needs, its three flags in one small integer. One object rather than a record holding a chunk:
 * every series holds one or more, and the record cost 40 bytes on each.
 */
export class MemChunk extends XORChunk {
  mint: number;
  maxt: number;
  /** Wall-clock ms when the chunk store confirmed it. */
  flushedAt = 0;
  private flags: number;

  /** An empty chunk, open unless `sealed`. */
  constructor(mint: number, maxt: number, sealed: boolean) {
    super();
    this.mint = mint;
    this.maxt = maxt;
    this.flags = sealed ? SEALED : 0;
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

  /** True once no more samples go in (full, aged, idle, or an out-of-order chunk). */
  get sealed(): boolean {
    return has(this.flags, SEALED);
  }
  set sealed(x: boolean) {
    this.flags = set(this.flags, SEALED, x);
  }
  /** True once the chunk store confirmed the chunk. */
  get flushed(): boolean {
    return has(this.flags, FLUSHED);
  }
  set flushed(x: boolean) {
    this.flags = set(this.flags, FLUSHED, x);
  }
  /** True while a flush of this chunk is in flight or queued. */
  get queued(): boolean {
    return has(this.flags, QUEUED);
  }
  set queued(x: boolean) {
    this.flags = set(this.flags, QUEUED, x);
  }
}

/** A histogram chunk (integer, encoding 2, or float, encoding 3) with the same flush bookkeeping. */
export class MemHistChunk {
  chunk: AnyHistogramChunk;
  mint: number;
  maxt: number;
  /** Wall-clock ms when the chunk store confirmed it. */
  flushedAt = 0;
  private flags: number;

  constructor(chunk: AnyHistogramChunk, mint: number, maxt: number, sealed: boolean) {
    this.chunk = chunk;
    this.mint = mint;
    this.maxt = maxt;
    this.flags = sealed ? SEALED : 0;
  }

  get sealed(): boolean {
    return has(this.flags, SEALED);
  }
  set sealed(x: boolean) {
    this.flags = set(this.flags, SEALED, x);
  }
  get flushed(): boolean {
    return has(this.flags, FLUSHED);
  }
  set flushed(x: boolean) {
    this.flags = set(this.flags, FLUSHED, x);
  }
  get queued(): boolean {
    return has(this.flags, QUEUED);
  }
  set queued(x: boolean) {
    this.flags = set(this.flags, QUEUED, x);
  }
}
