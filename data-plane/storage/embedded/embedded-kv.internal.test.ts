import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedKV } from './embedded-kv.js';

const b = (s: string) => new TextEncoder().encode(s);
const keys = async (kv: EmbeddedKV) => (await kv.scan({})).map((e) => new TextDecoder().decode(e.key));

/** Reaches the private file handle to inject I/O failures. */
function handle(kv: EmbeddedKV): FileHandle {
  return (kv as unknown as { fh: FileHandle }).fh;
}

describe('EmbeddedKV after a failed append', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('cuts a half-written record so later writes survive a reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'embedded-kv-fail-'));
    dirs.push(dir);
    const kv = await EmbeddedKV.open({ dir });
    await kv.put([{ key: b('a'), value: b('1') }]);
    const fh = handle(kv);
    const real = fh.appendFile.bind(fh);
    // The disk fills up halfway through the record.
    fh.appendFile = (async (data: Uint8Array) => {
      await real(data.subarray(0, data.length >> 1));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    }) as typeof fh.appendFile;
    await expect(kv.put([{ key: b('lost'), value: b('x'.repeat(100)) }])).rejects.toMatchObject({
      kind: 'unavailable',
    });
    fh.appendFile = real as typeof fh.appendFile;
    // Space is back: the next write lands after the cut, not behind a torn record.
    await kv.put([{ key: b('c'), value: b('3') }]);
    expect(await keys(kv)).toEqual(['a', 'c']);
    await kv.close();
    const again = await EmbeddedKV.open({ dir });
    expect(await keys(again)).toEqual(['a', 'c']);
    await again.close();
  });

  it('refuses writes after a failed fsync until reopened', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'embedded-kv-fail-'));
    dirs.push(dir);
    const kv = await EmbeddedKV.open({ dir });
    const fh = handle(kv);
    const real = fh.datasync.bind(fh);
    fh.datasync = async () => {
      throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    };
    await expect(kv.put([{ key: b('a'), value: b('1') }])).rejects.toMatchObject({ kind: 'unavailable' });
    fh.datasync = real;
    await expect(kv.put([{ key: b('b'), value: b('2') }])).rejects.toThrow(/reopen the store/);
    // Reads still answer from what was applied (nothing: the failed batch never reached memory).
    expect(await keys(kv)).toEqual([]);
    await kv.close();
    const again = await EmbeddedKV.open({ dir });
    await again.put([{ key: b('b'), value: b('2') }]);
    expect(await keys(again)).toEqual(['b']);
    await again.close();
  });
});
