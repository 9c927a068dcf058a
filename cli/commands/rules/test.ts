import { Args } from '@oclif/core';
import { runUnitTestFile, summarize } from '../../../data-plane/ruler/unittest/index.js';
import { BaseCommand } from '../../base-command.js';
import { CommandFailure } from '../../errors.js';

/** `cortexctl rules test`: promtool-compatible rule unit tests, run offline in-process. */
export default class RulesTest extends BaseCommand<typeof RulesTest> {
  static override description =
    'run rule unit tests offline (promtool test rules format: input_series, alert_rule_test, promql_expr_test)';
  static override examples = [
    '<%= config.bin %> rules test alerts.test.yaml',
    '<%= config.bin %> rules test tests/*.yaml --output json',
  ];
  static override strict = false;
  static override args = { files: Args.string({ description: 'unit test files', required: true }) };

  async run(): Promise<void> {
    const results = [];
    for (const file of this.restArgs) results.push(await runUnitTestFile(file));
    const { ok, text } = summarize(results);
    if (this.format !== 'table') this.render({ ok, results }, () => '');
    else this.info(text);
    if (!ok) {
      const failed = results.filter((r) => r.loadErrors.length > 0 || r.failures.length > 0).length;
      throw new CommandFailure(`${failed} of ${results.length} test file(s) failed`);
    }
  }
}
