import { Args, type Command, Flags } from '@oclif/core';
import { TenantCommand } from './base-command.js';
import { CommandFailure } from './errors.js';
import { formatProblem, type LoadedRules, loadRuleFiles } from './rules/index.js';

/** Shared by the rules commands that read files: variadic file/dir arguments and `--namespace`. */
export abstract class RuleFilesCommand<T extends typeof Command> extends TenantCommand<T> {
  static override strict = false;
  static override args = {
    files: Args.string({ description: 'rule files or directories (*.yml, *.yaml)', required: true }),
  };
  static fileFlags = {
    namespace: Flags.string({
      char: 'n',
      description: "namespace for every file (default: the file's namespace: key, else its name)",
    }),
  };

  /** Loads the files; any problem fails the command (exit 1) before anything is sent. */
  protected async loadValid(): Promise<LoadedRules> {
    const flags = this.flags as { namespace?: string };
    const loaded = await loadRuleFiles(this.restArgs, flags.namespace);
    if (loaded.problems.length > 0) {
      for (const p of loaded.problems) this.info(formatProblem(p));
      throw new CommandFailure(`${loaded.problems.length} problem(s) in rule files; nothing was changed`);
    }
    return loaded;
  }

  protected namespaceFilter(list: string | undefined): Set<string> | undefined {
    if (!list) return undefined;
    return new Set(
      list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
}
