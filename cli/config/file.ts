import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** One saved connection: where the server is, how to authenticate and which tenant to act on. */
export interface Context {
  name: string;
  address?: string;
  token?: string;
  tenant?: string;
}

/** The config file, kubeconfig-style: a list of contexts and the current one. */
export interface CliConfig {
  currentContext?: string;
  contexts: Context[];
}

/** `$CORTEXCTL_CONFIG`, else `$XDG_CONFIG_HOME/cortexctl/config.yaml`, else `~/.config/cortexctl/config.yaml`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.CORTEXCTL_CONFIG) return env.CORTEXCTL_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'cortexctl', 'config.yaml');
}

/** Reads the config file; a missing file is an empty config. Throws ConfigError on malformed content. */
export async function loadConfig(path: string): Promise<CliConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: [] };
    throw err;
  }
  let raw: unknown;
  try {
    // Loaded here: most commands never read a config file, and yaml costs start-up time.
    const { parse } = await import('yaml');
    raw = parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
  return fromYaml(raw, path);
}

/** Writes atomically with mode 0600: the file holds tokens. */
export async function saveConfig(path: string, config: CliConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  const { stringify } = await import('yaml');
  await writeFile(tmp, stringify(toYaml(config)), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function fromYaml(raw: unknown, path: string): CliConfig {
  if (raw === null || raw === undefined) return { contexts: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${path}: expected a mapping`);
  const obj = raw as Record<string, unknown>;
  const list = obj.contexts ?? [];
  if (!Array.isArray(list)) throw new ConfigError(`${path}: contexts must be a list`);
  const contexts = list.map((c: unknown, i): Context => {
    if (typeof c !== 'object' || c === null) throw new ConfigError(`${path}: contexts[${i}] must be a mapping`);
    const e = c as Record<string, unknown>;
    if (typeof e.name !== 'string' || e.name === '') throw new ConfigError(`${path}: contexts[${i}] has no name`);
    const ctx: Context = { name: e.name };
    for (const k of ['address', 'token', 'tenant'] as const) {
      if (e[k] !== undefined && e[k] !== null) {
        if (typeof e[k] !== 'string') throw new ConfigError(`${path}: contexts[${i}].${k} must be a string`);
        ctx[k] = e[k];
      }
    }
    return ctx;
  });
  const current = obj['current-context'];
  return typeof current === 'string' && current !== '' ? { currentContext: current, contexts } : { contexts };
}

function toYaml(config: CliConfig): Record<string, unknown> {
  return {
    ...(config.currentContext ? { 'current-context': config.currentContext } : {}),
    contexts: config.contexts.map((c) => ({ ...c })),
  };
}
