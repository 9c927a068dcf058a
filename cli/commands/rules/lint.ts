import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { CommandFailure } from '../../errors.js';
import { formatProblem, loadRuleFiles } from '../../rules/index.js';

export default class RulesLint extends BaseCommand<typeof RulesLint> {
  static override description = 'check rule files offline: YAML, rule structure and PromQL, reported as file:line:col';
  static override examples = [
    '<%= config.bin %> rules lint rules.yaml',
    '<%= config.bin %> rules lint ./rules/ --output json',
  ];
  static override strict = false;
  static override args = { files: Args.string({ description: 'rule files or directories', required: true }) };

  async run(): Promise<void> {
    const { files, problems } = await loadRuleFiles(this.restArgs);
    const groups = files.reduce((n, f) => n + f.groups.length, 0);
    if (this.format !== 'table') this.render({ files: files.length, groups, problems }, () => '');
    else for (const p of problems) this.info(formatProblem(p));
    if (problems.length > 0) throw new CommandFailure(`${problems.length} problem(s) in ${files.length} file(s)`);
    this.info(`${files.length} file(s), ${groups} group(s): no problems`);
  }
}
