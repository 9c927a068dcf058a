import { Flags } from '@oclif/core';
import { CommandFailure } from '../../errors.js';
import { colorEnabled } from '../../format/index.js';
import { diffRules, renderChanges, summarize } from '../../rules/index.js';
import { RuleFilesCommand } from '../../rules-command.js';

export default class RulesDiff extends RuleFilesCommand<typeof RulesDiff> {
  static override description = 'show what rules push (or, with --sync, rules sync) would change';
  static override examples = [
    '<%= config.bin %> rules diff --tenant acme rules.yaml',
    '<%= config.bin %> rules diff --tenant acme --sync ./rules/ --exit-code',
  ];
  static override flags = {
    ...RuleFilesCommand.fileFlags,
    sync: Flags.boolean({ description: 'also show remote groups that sync would delete' }),
    namespaces: Flags.string({ description: 'only compare these namespaces (comma-separated)' }),
    'exit-code': Flags.boolean({ description: 'exit with 3 when there are differences' }),
  };

  async run(): Promise<void> {
    const { rules } = await this.loadValid();
    const remote = await (await this.client()).listRules(await this.tenant());
    const ns = this.namespaceFilter(this.flags.namespaces);
    const changes = diffRules(rules, remote, { deleteMissing: this.flags.sync, ...(ns ? { namespaces: ns } : {}) });
    const shown = changes.filter((c) => c.kind !== 'unchanged');
    const data = shown.map(({ kind, namespace, group, local, remote: r }) => ({
      kind,
      namespace,
      group,
      local,
      remote: r,
    }));
    this.render(data, () => renderChanges(shown, colorEnabled(process.stdout, this.env)));
    const s = summarize(changes);
    this.info(`${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.unchanged} unchanged`);
    if (this.flags['exit-code'] && shown.length > 0) throw new CommandFailure('rules differ', 3);
  }
}
