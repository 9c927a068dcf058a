import { createInterface } from 'node:readline/promises';
import { Command, Flags, type Interfaces } from '@oclif/core';
import { AdminClient } from './client/index.js';
import { type Connection, configPath, loadConfig, resolveConnection } from './config/index.js';
import { describeError, EXIT, UsageError } from './errors.js';
import {
  type Column,
  colorEnabled,
  OUTPUT_FORMATS,
  type OutputFormat,
  renderData,
  renderTable,
} from './format/index.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * Every cortexctl command: global connection flags (`--address`, `--token`, `--context`), output
 * selection (`-o`, `--json`), an admin API client, stdout/stderr helpers, confirmation prompts and the
 * mapping of errors to exit codes (1 failure, 2 usage, 4 authentication).
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    address: Flags.string({
      description: 'server address [env: CORTEXCTL_ADDRESS] (default http://127.0.0.1:9009)',
      helpGroup: 'GLOBAL',
    }),
    token: Flags.string({ description: 'admin or root token [env: CORTEXCTL_TOKEN]', helpGroup: 'GLOBAL' }),
    context: Flags.string({ description: 'saved context to use [env: CORTEXCTL_CONTEXT]', helpGroup: 'GLOBAL' }),
    output: Flags.option({ char: 'o', description: 'output format', options: OUTPUT_FORMATS, helpGroup: 'GLOBAL' })(),
    json: Flags.boolean({ description: 'same as --output json', helpGroup: 'GLOBAL' }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  /** Every positional argument, for commands with `strict = false` (variadic). */
  protected restArgs: string[] = [];
  #connection: Connection | undefined;
  #client: AdminClient | undefined;

  public override async init(): Promise<void> {
    await super.init();
    const { args, argv, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as typeof BaseCommand).baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
    this.restArgs = argv as string[];
  }

  /** `-o` wins; `--json` is its alias; tables otherwise. */
  protected get format(): OutputFormat {
    const f = this.flags as { output?: OutputFormat; json?: boolean };
    return f.output ?? (f.json ? 'json' : 'table');
  }

  protected get env(): NodeJS.ProcessEnv {
    return process.env;
  }

  protected async connection(): Promise<Connection> {
    if (!this.#connection) {
      const f = this.flags as { address?: string; token?: string; context?: string; tenant?: string };
      const config = await loadConfig(configPath(this.env));
      this.#connection = resolveConnection({ flags: f, env: this.env, config });
    }
    return this.#connection;
  }

  protected async client(): Promise<AdminClient> {
    if (!this.#client) {
      const c = await this.connection();
      this.#client = new AdminClient({ address: c.address, token: c.token, userAgent: this.config.userAgent });
    }
    return this.#client;
  }

  /** Writes data to stdout (never colourised when piped). */
  protected out(text: string): void {
    process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }

  /** Writes a message for humans to stderr. */
  protected info(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /** Prints `data` as JSON/YAML, or `table()` output in table mode. */
  protected render(data: unknown, table: () => string): void {
    const format = this.format;
    this.out(format === 'table' ? table() : renderData(data, format));
  }

  protected table<R>(rows: readonly R[], columns: readonly Column<R>[]): string {
    return renderTable(rows, columns, { color: colorEnabled(process.stdout, this.env) });
  }

  /**
   * Asks before a destructive action. `--yes` skips the question; without a terminal on stdin and
   * without `--yes` the command fails with exit 2 rather than guessing.
   */
  protected async confirm(question: string, yes: boolean | undefined): Promise<void> {
    if (yes) return;
    if (!process.stdin.isTTY) throw new UsageError(`${question} — refusing without --yes (stdin is not a terminal)`);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') throw new UsageError('aborted');
    } finally {
      rl.close();
    }
  }

  public override async catch(err: Error & { oclif?: { exit?: number }; code?: string }): Promise<never> {
    if (err.code === 'EEXIT') throw err;
    // oclif's own parse errors (unknown flag, missing argument) carry their exit code (2).
    const oclifExit = err.oclif?.exit;
    const d =
      oclifExit !== undefined
        ? { exitCode: oclifExit, message: err.message, json: { error: { kind: 'usage', message: err.message } } }
        : describeError(err);
    const wantsJson = (this.flags as { output?: string; json?: boolean } | undefined)?.output === 'json';
    if (wantsJson || (this.flags as { json?: boolean } | undefined)?.json) {
      process.stderr.write(`${JSON.stringify(d.json)}\n`);
    } else {
      process.stderr.write(`Error: ${d.message}\n`);
    }
    this.exit(d.exitCode === EXIT.ok ? EXIT.failure : d.exitCode);
    throw err; // unreachable: exit() throws
  }
}

/**
 * Commands that act on one tenant: `--tenant`/`-t`, falling back to CORTEXCTL_TENANT and then the
 * context's tenant.
 */
export abstract class TenantCommand<T extends typeof Command> extends BaseCommand<T> {
  static override baseFlags = {
    ...BaseCommand.baseFlags,
    tenant: Flags.string({ char: 't', description: 'tenant ID [env: CORTEXCTL_TENANT]' }),
  };

  /** The tenant to act on; UsageError (exit 2) when none is given anywhere. */
  protected async tenant(): Promise<string> {
    const t = (await this.connection()).tenant;
    if (!t) throw new UsageError('no tenant: pass --tenant, set CORTEXCTL_TENANT or use a context with a tenant');
    return t;
  }
}
