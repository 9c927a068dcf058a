import { Flags } from '@oclif/core';
import { applyChanges, diffRules, summarize } from '../../rules/index.js';
import { RuleFilesCommand } from '../../rules-command.js';

export default class RulesSync extends RuleFilesCommand<typeof RulesSync> {
  static override description = "make the tenant's rules equal the files: create, update and delete groups";
  static override examples = [
    '<%= config.bin %> rules sync --tenant acme ./rules/',
    '<%= config.bin %> rules sync --tenant acme --namespaces infra,app ./rules/ --yes',
  ];
  static override flags = {
    ...RuleFilesCommand.fileFlags,
    namespaces: Flags.string({ description: 'only sync these namespaces (comma-separated)' }),
    yes: Flags.boolean({ char: 'y', description: 'delete without asking' }),
  };

  async run(): Promise<void> {
    const { rules } = await this.loadValid();
    const tenant = await this.tenant();
    const client = await this.client();
    const remote = await client.listRules(tenant);
    const ns = this.namespaceFilter(this.flags.namespaces);
    const changes = diffRules(rules, remote, { deleteMissing: true, ...(ns ? { namespaces: ns } : {}) });
    const s = summarize(changes);
    if (s.delete > 0) {
      const list = changes.filter((c) => c.kind === 'delete').map((c) => `${c.namespace}/${c.group}`);
      await this.confirm(`delete ${s.delete} rule group(s) of tenant ${tenant} (${list.join(', ')})?`, this.flags.yes);
    }
    await applyChanges(client, tenant, changes, remote, (l) => this.info(l));
    this.render(s, () => '');
    this.info(`${s.create} created, ${s.update} updated, ${s.delete} deleted, ${s.unchanged} unchanged`);
  }
}
