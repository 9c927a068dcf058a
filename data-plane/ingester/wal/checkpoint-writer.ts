import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointPath, listDir, segmentPath } from './wal.js';

/** Checkpoint bytes written between two fdatasyncs of the checkpoint file. */
const SYNC_BYTES = 8 << 20;

/**
 * A checkpoint written while it is produced, so it never sits in memory whole: records go to a temp
 * file (`checkpoint.tmp`, removed on the WAL's next open like every `.tmp`), fdatasynced every 8 MiB
 * (one sync of the whole file at the end would queue the WAL's own fsyncs, and so every push, behind
 * hundreds of megabytes of writeback). `finish(upTo)` makes it `checkpoint.<upTo>` atomically and
 * removes what it supersedes. One writer per WAL directory at a time.
 */
export class CheckpointWriter {
  private unsynced = 0;

  private constructor(
    private readonly dir: string,
    private readonly tmp: string,
    private readonly fh: FileHandle,
  ) {}

  static async create(dir: string): Promise<CheckpointWriter> {
    const tmp = join(dir, 'checkpoint.tmp');
    return new CheckpointWriter(dir, tmp, await open(tmp, 'w'));
  }

  /** Appends whole records (framed as in segments). */
  async write(records: readonly Buffer[]): Promise<void> {
    for (let i = 0; i < records.length; i += 256) {
      const part = records.slice(i, i + 256);
      await this.fh.writev(part);
      for (const b of part) this.unsynced += b.length;
      if (this.unsynced >= SYNC_BYTES) {
        await this.fh.datasync();
        this.unsynced = 0;
      }
    }
  }

  /**
   * Syncs and renames the file to the checkpoint covering every segment ≤ `upTo`, syncs the
   * directory, then deletes those segments and older checkpoints.
   */
  async finish(upTo: number): Promise<void> {
    try {
      await this.fh.datasync();
    } finally {
      await this.fh.close();
    }
    await rename(this.tmp, checkpointPath(this.dir, upTo));
    const d = await open(this.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
    const { segments, checkpoints } = await listDir(this.dir);
    for (const s of segments) if (s <= upTo) await rm(segmentPath(this.dir, s), { force: true });
    for (const c of checkpoints) if (c < upTo) await rm(checkpointPath(this.dir, c), { force: true });
  }

  /** Gives up: the temp file goes, the previous checkpoint and segments stay as they were. */
  async abort(): Promise<void> {
    await this.fh.close().catch(() => {});
    await rm(this.tmp, { force: true });
  }
}
