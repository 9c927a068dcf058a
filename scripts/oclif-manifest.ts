/**
 * Writes oclif.manifest.json (part of `npm run build`, after tsc): the command list with flags and
 * help, so `cortexctl <command>` loads only that command's module instead of importing every command
 * to find it. Generated, not committed (like dist/).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const plugin = new Plugin({
  root: REPO,
  type: 'core',
  isRoot: true,
  ignoreManifest: true,
  errorOnManifestCreate: true,
});
await plugin.load();
writeFileSync(join(REPO, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
console.log(`oclif.manifest.json: ${Object.keys(plugin.manifest.commands).length} commands`);
