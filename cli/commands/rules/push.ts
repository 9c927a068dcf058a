import { applyChanges, diffRules, summarize } from '../../rules/index.js';
import { RuleFilesCommand } from '../../rules-command.js';

export default class RulesPush extends RuleFilesCommand<typeof RulesPush> {
  static override description = 'upload rule groups from files; groups not in the files are left alone';
  static override examples = [
    '<%= config.bin %> rules push --tenant acme rules.yaml',
    '<%= config.bin %> rules push --tenant acme --namespace infra ./rules/',
  ];
  static override flags = { ...RuleFilesCommand.fileFlags };

  async run(): Promise<void> {
    const { rules } = await this.loadValid();
    const tenant = await this.tenant();
    const client = await this.client();
    const remote = await client.listRules(tenant);
    const changes = diffRules(rules, remote, { deleteMissing: false });
    await applyChanges(client, tenant, changes, remote, (l) => this.info(l));
    const s = summarize(changes);
    this.render(s, () => '');
    this.info(`${s.create} created, ${s.update} updated, ${s.unchanged} unchanged`);
  }
}
