#!/usr/bin/env node
// The fast start (cli/fast-path.ts, bundled into dist/fast by `npm run build`) runs the command
// when it can; help, version, `server` and anything unknown go through oclif as usual.
// CORTEXCTL_FAST=0 turns it off (oclif alone: what `npm run bench:cli` compares against).
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fast =
  process.env.CORTEXCTL_FAST === '0'
    ? undefined
    : await import('../dist/fast/run.js').catch((err) => {
        // Not built (running from a fresh clone before `npm run build`): oclif alone.
        if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/fast/run.js')) return undefined;
        throw err;
      });
if (!(await fast?.run(process.argv.slice(2), root))) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
