/**
 * A remote-write decode thread (DecodePool): snappy and the protobuf walk of one request, handed
 * back as transferred buffers. It holds no state and sees no tenant, limit or series: whatever it
 * cannot decode, or any error, is answered with "not decoded" and the main thread decodes itself.
 */
import { parentPort } from 'node:worker_threads';
import { decodeColumns, snappyDecode } from '../remotewrite/index.js';
import type { DecodeReply, DecodeTask } from './decode-protocol.js';

const port = parentPort;
if (port === null) throw new Error('decode-worker.ts runs only as a worker thread');

port.on('message', (task: DecodeTask) => {
  let reply: DecodeReply = { id: task.id, columns: undefined };
  try {
    const cols = decodeColumns(snappyDecode(new Uint8Array(task.body), task.maxDecompressedBytes));
    if (cols !== undefined) reply = { id: task.id, columns: cols };
  } catch {
    // Corrupt or oversized: the main thread's decode raises the precise error.
  }
  const c = reply.columns;
  // Every column is a fresh ArrayBuffer of this thread (never shared), so all can be transferred.
  const transfer = c ? ([c.raw.buffer, c.series.buffer, c.t.buffer, c.v.buffer] as ArrayBuffer[]) : [];
  port.postMessage(reply, transfer);
});
