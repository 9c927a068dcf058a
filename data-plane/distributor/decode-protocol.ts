import type { ColumnarWriteRequest } from '../remotewrite/index.js';

/** Main thread → decode worker: one compressed remote-write 1.0 body (its buffer is transferred). */
export interface DecodeTask {
  id: number;
  body: ArrayBuffer;
  maxDecompressedBytes: number;
}

/** Decode worker → main thread; `columns` undefined: decode it yourself (odd shape or bad bytes). */
export interface DecodeReply {
  id: number;
  columns: ColumnarWriteRequest | undefined;
}
