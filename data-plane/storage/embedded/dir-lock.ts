import { open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConflictError } from '../../model/index.js';

const LOCK = 'LOCK';
/** Directories held by this process: the pid in the file cannot tell two stores of one process apart. */
const held = new Set<string>();

/**
 * Claims a data directory for this process with an exclusive `LOCK` file holding our pid: two
 * processes appending to one log would interleave records. A lock left by a process that is gone
 * (crash, kill -9) is taken over. Throws `ConflictError` when a live process holds it.
 */
export async function lockDir(dir: string): Promise<() => Promise<void>> {
  const key = resolve(dir);
  if (held.has(key)) throw new ConflictError(`embedded store ${dir} is already open in this process`);
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      held.add(key);
      return async () => {
        held.delete(key);
        await unlink(path).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (holder > 0 && holder !== process.pid && alive(holder)) {
        throw new ConflictError(`embedded store ${dir} is in use by process ${holder}`);
      }
      // Stale: its process is gone (or it is ours from a store that was never closed).
      await unlink(path).catch(() => undefined);
    }
  }
  throw new ConflictError(`embedded store ${dir}: could not take the lock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
