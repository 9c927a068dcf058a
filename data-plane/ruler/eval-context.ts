import type { Labels } from '../model/index.js';
import type { PromValue } from '../promql/index.js';

/** What a rule needs to evaluate: its tenant's query function and the group's settings. */
export interface RuleEvalContext {
  query(expr: string, t: number): Promise<PromValue>;
  /** Group `limit`: most series (recording) or alerts (alerting) a rule may produce; 0 = none. */
  limit: number;
  queryOffsetMs: number;
  externalLabels: Labels;
  externalURL: string;
}
