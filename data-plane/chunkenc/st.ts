import type { BitReader, BitWriter } from './bstream.js';
import { putVarbitInt, readVarbitInt } from './varbit.js';
import { readVarint, writeVarint } from './varint.js';

/**
 * Start timestamps in Prometheus's ST chunk encodings (tsdb/chunkenc/st.go; used by the histogram
 * ST chunks here, and in the same shape by XOR2). A one-byte ST header says whether the first sample
 * carries a start timestamp (bit 7, then a varint `t - st` after its sample data) and from which
 * sample on every sample carries one (bits 6-0, `firstSTChangeOn`, at most 127): there the first
 * carries `prevT - st` as a varbit integer and each later one the change of that difference. A chunk
 * whose start timestamps never change after the first sample carries nothing more; at sample 127 the
 * per-sample run starts anyway (so the header stays valid for changes after it).
 */
export const MAX_FIRST_ST_CHANGE_ON = 0x7f;

export class StEncoder {
  st = 0;
  stDiff = 0;
  firstSTChangeOn = 0;

  /**
   * Writes the start timestamp of the sample just appended, the chunk's `num`-th (1-based), whose
   * timestamp is `t` after one at `prevT`; `header` is the chunk's ST header byte index in `w.buf`.
   */
  encode(w: BitWriter, header: number, num: number, t: number, prevT: number, st: number): void {
    if (num === 1) {
      if (st !== 0) {
        writeVarint(w, t - st);
        w.buf[header]! |= 0x80;
      }
    } else if (num === 2) {
      if (st !== this.st) {
        const d = prevT - st;
        this.firstSTChangeOn = 1;
        w.buf[header]! |= 1;
        putVarbitInt(w, d);
        this.stDiff = d;
      }
    } else if (this.firstSTChangeOn === 0) {
      if (st !== this.st || num - 1 === MAX_FIRST_ST_CHANGE_ON) {
        const d = prevT - st;
        this.firstSTChangeOn = num - 1;
        w.buf[header]! |= num - 1;
        putVarbitInt(w, d);
        this.stDiff = d;
      }
    } else {
      const d = prevT - st;
      putVarbitInt(w, d - this.stDiff);
      this.stDiff = d;
    }
    this.st = st;
  }
}

export class StDecoder {
  st = 0;
  private stDiff = 0;
  private readonly firstKnown: boolean;
  private readonly changeOn: number;

  constructor(headerByte: number) {
    this.firstKnown = (headerByte & 0x80) !== 0;
    this.changeOn = headerByte & 0x7f;
  }

  /** Reads the start timestamp of the `numRead`-th sample (1-based), at `t` after one at `prevT`. */
  decode(r: BitReader, numRead: number, t: number, prevT: number): void {
    if (numRead === 1) {
      if (this.firstKnown) {
        this.stDiff = readVarint(r);
        this.st = t - this.stDiff;
      }
    } else if (numRead === 2) {
      if (this.changeOn === 1) {
        this.stDiff = readVarbitInt(r);
        this.st = prevT - this.stDiff;
      }
    } else if (this.changeOn > 0 && numRead - 1 >= this.changeOn) {
      const d = readVarbitInt(r);
      this.stDiff = numRead - 1 === this.changeOn ? d : this.stDiff + d;
      this.st = prevT - this.stDiff;
    }
  }
}
