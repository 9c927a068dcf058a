/**
 * cortexctl's fast start: `bin/run.js` tries this first. It finds the command in argv itself, loads
 * oclif's Config without plugins (help and autocomplete are what plugins add; their loading is most
 * of a start-up) and runs the command class straight from one esbuild bundle (dist/fast, made by
 * `npm run build`), where oclif would resolve and load a few hundred modules one by one. Anything
 * it does not handle (help, version, `server`, unknown commands) returns false and goes through
 * oclif's full `execute()`, so behaviour stays oclif's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, flush, handle, type Command as OclifCommand } from '@oclif/core';

/** Command ID (`tenant:list`) → its module, loaded only when it runs. */
export type CommandLoaders = Readonly<Record<string, () => Promise<{ default: RunnableCommand }>>>;

/** A concrete command class, as oclif's `Command.run` wants it. */
type RunnableCommand = (new (argv: string[], config: Config) => OclifCommand) & typeof OclifCommand;

// Flags oclif answers itself (help and version), with its plugins; never taken here.
const OCLIF_FLAGS = new Set(['--help', '-h', '--version', '-v', 'help', 'version']);

/** The command ID and its arguments, or undefined when argv does not start with a known command. */
export function matchCommand(
  argv: readonly string[],
  commands: CommandLoaders,
): { id: string; args: string[] } | undefined {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-') || words.length === 3) break;
    words.push(a);
  }
  for (let n = words.length; n > 0; n--) {
    const id = words.slice(0, n).join(':');
    if (!Object.hasOwn(commands, id)) continue;
    const args = argv.slice(n);
    const end = args.indexOf('--');
    if ((end < 0 ? args : args.slice(0, end)).some((a) => OCLIF_FLAGS.has(a))) return undefined;
    return { id, args };
  }
  return undefined;
}

/**
 * Runs the command when argv names one of `commands`; false when oclif should handle argv instead.
 * `root` is the package root (package.json, oclif.manifest.json).
 */
export async function runFast(argv: readonly string[], root: string, commands: CommandLoaders): Promise<boolean> {
  const match = matchCommand(argv, commands);
  if (!match) return false;
  try {
    const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    pjson.oclif = { ...pjson.oclif, plugins: [] };
    const { default: command } = await commands[match.id]!();
    // Load options, not a loaded Config: given a Config, Command.run builds and loads a second one.
    await command.run(match.args, { root, pjson, userPlugins: false, devPlugins: false });
    flush();
  } catch (err) {
    await handle(err as Error);
  }
  return true;
}
