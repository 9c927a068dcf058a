#!/usr/bin/env node
// Links this project's own `cortexctl` into node_modules/.bin so that `npx cortexctl` in a fresh
// clone runs the code just built here (npm does not link a project's own bins into itself).
import { chmodSync, existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
const target = join(root, 'bin', 'run.js');
const link = join(binDir, 'cortexctl');
if (existsSync(join(root, 'node_modules'))) {
  mkdirSync(binDir, { recursive: true });
  try {
    if (lstatSync(link)) unlinkSync(link);
  } catch {}
  symlinkSync(relative(binDir, target), link);
  chmodSync(target, 0o755);
}
