import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type Command, Config } from '@oclif/core';

/** What a command run produced: exactly what a user sees on each stream, and the exit code. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A concrete command class (what `export default class X extends BaseCommand` produces). */
export type CommandClass = (new (argv: string[], config: Config) => Command) & { run: typeof Command.run };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let config: Promise<Config> | undefined;

/**
 * Loads the oclif configuration (plugins, package.json) once. Seconds on a busy machine, so call it in
 * `beforeAll` with a generous timeout rather than paying for it inside the first test.
 */
export async function prepareCommands(): Promise<void> {
  config ??= Config.load({ root: ROOT });
  await config;
}

export interface RunOptions {
  /** Typed answers: stdin becomes a terminal (isTTY) that yields this text, for confirmation prompts. */
  terminalInput?: string;
  /** Piped input: stdin is not a terminal and yields this text. */
  stdin?: string;
}

/**
 * Runs one command class in-process, as `cortexctl <argv>` would, capturing stdout and stderr and
 * turning oclif's exit errors into an exit code. `env` entries replace process.env for the run
 * (undefined deletes) and are restored afterwards. Not re-entrant: one run at a time.
 */
export async function runCommand(
  cmd: CommandClass,
  argv: string[],
  env: Record<string, string | undefined> = {},
  opts: RunOptions = {},
): Promise<CommandResult> {
  config ??= Config.load({ root: ROOT });
  const cfg = await config;
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(env)) {
    saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let stdout = '';
  let stderr = '';
  const origOut = process.stdout.write;
  const origErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stderr.write;
  const origStdin = Object.getOwnPropertyDescriptor(process, 'stdin');
  const text = opts.terminalInput ?? opts.stdin;
  if (text !== undefined) {
    const input = Object.assign(new PassThrough(), { isTTY: opts.terminalInput !== undefined });
    input.end(text);
    Object.defineProperty(process, 'stdin', { value: input, configurable: true });
  }
  let exitCode = 0;
  try {
    await cmd.run(argv, cfg);
  } catch (err) {
    const e = err as { oclif?: { exit?: number }; message?: string };
    exitCode = e.oclif?.exit ?? 1;
    if (e.oclif?.exit === undefined) stderr += `${e.message ?? String(err)}\n`;
  } finally {
    if (origStdin) Object.defineProperty(process, 'stdin', origStdin);
    process.stdout.write = origOut;
    process.stderr.write = origErr;
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { stdout, stderr, exitCode };
}
