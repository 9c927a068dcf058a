import { type CliConfig, ConfigError, type Context } from './file.js';

/** Pure edits of a CliConfig; the commands load, edit and save. */
export function upsertContext(config: CliConfig, ctx: Context): CliConfig {
  // loadConfig refuses a nameless context: saving one would lock the user out of every command
  if (ctx.name === '') throw new ConfigError('a context needs a name');
  const others = config.contexts.filter((c) => c.name !== ctx.name);
  const existing = config.contexts.find((c) => c.name === ctx.name);
  const merged: Context = { ...existing, ...ctx };
  return { ...config, contexts: [...others, merged].sort((a, b) => a.name.localeCompare(b.name)) };
}

export function useContext(config: CliConfig, name: string): CliConfig {
  if (!config.contexts.some((c) => c.name === name)) throw new Error(`context "${name}" not found in config file`);
  return { ...config, currentContext: name };
}

/** Removes a context; clears current-context when it pointed at it. */
export function removeContext(config: CliConfig, name: string): CliConfig {
  if (!config.contexts.some((c) => c.name === name)) throw new Error(`context "${name}" not found in config file`);
  const contexts = config.contexts.filter((c) => c.name !== name);
  return config.currentContext === name ? { contexts } : { ...config, contexts };
}

/** A context for display: the token is reduced to its first characters. */
export function redactToken(token: string | undefined): string {
  if (!token) return '';
  return token.length <= 8 ? '****' : `${token.slice(0, 8)}…`;
}
