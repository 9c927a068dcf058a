import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AlertmanagerConfig } from '../client/index.js';
import { toAlertmanagerConfig } from './files.js';
import { verifyAlertmanagerConfig } from './verify.js';

export interface ReadAlertmanager {
  config: AlertmanagerConfig;
  /** `file:line:col: message` lines; empty when valid. */
  problems: string[];
}

/** Reads a config file (plain or Cortex wrapper) and template files (named by base name) and verifies them. */
export async function readAlertmanagerFiles(
  configFile: string,
  templateFiles: readonly string[],
): Promise<ReadAlertmanager> {
  const read = (p: string) =>
    readFile(p, 'utf8').catch((err: Error) => {
      throw new Error(`cannot read ${p}: ${err.message}`);
    });
  // File names are the user's (`__proto__.tmpl` is as good as any): no prototype to collide with.
  const templates: Record<string, string> = Object.create(null);
  for (const t of templateFiles) templates[basename(t)] = await read(t);
  let config: AlertmanagerConfig;
  try {
    config = toAlertmanagerConfig(await read(configFile), templates);
  } catch (err) {
    return { config: { config: '', templates }, problems: [`${configFile}:1:1: ${(err as Error).message}`] };
  }
  const problems = verifyAlertmanagerConfig(config.config).map(
    (p) => `${configFile}:${p.line}:${p.col}: ${p.path ? `${p.path}: ` : ''}${p.message}`,
  );
  return { config, problems };
}
