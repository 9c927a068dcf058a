import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointWriter } from './checkpoint-writer.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A WAL dir with segments 1–3 and the checkpoint of segment 1. */
async function walDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cp-writer-'));
  dirs.push(dir);
  for (const n of ['00000001', '00000002', '00000003', 'checkpoint.00000001']) await writeFile(join(dir, n), n);
  return dir;
}

describe('CheckpointWriter', () => {
  it('streams records into the checkpoint of the cut and removes what it supersedes', async () => {
    const dir = await walDir();
    const w = await CheckpointWriter.create(dir);
    // More than one sync interval, in several writes.
    const big = Buffer.alloc(5 << 20, 7);
    await w.write([Buffer.from('a'), big]);
    await w.write([big, Buffer.from('z')]);
    await w.finish(2);
    expect((await readdir(dir)).sort()).toEqual(['00000003', 'checkpoint.00000002']);
    const data = await readFile(join(dir, 'checkpoint.00000002'));
    expect(data.length).toBe(2 + 2 * big.length);
    expect([data[0], data[1], data[data.length - 1]]).toEqual([0x61, 7, 0x7a]);
  });

  it('abort leaves the previous checkpoint and segments as they were', async () => {
    const dir = await walDir();
    const w = await CheckpointWriter.create(dir);
    await w.write([Buffer.from('partial')]);
    await w.abort();
    expect((await readdir(dir)).sort()).toEqual(['00000001', '00000002', '00000003', 'checkpoint.00000001']);
  });
});
