export {
  distributorRuleWriter,
  querierQueryFunc,
  type RulePushTarget,
  type RuleQuerySource,
} from './adapters.js';
export { type Alert, AlertingRule, type AlertState, RESOLVED_RETENTION_MS } from './alerting-rule.js';
export {
  type AlertJson,
  alertsOf,
  alertsResponse,
  filterRuleGroups,
  localRuleGroups,
  type RuleGroupJson,
  type RuleGroupsView,
  type RuleJson,
  type RulesFilter,
  rulesResponse,
} from './api.js';
export { compileGroup, type GroupConfig, type Rule } from './compile.js';
export { type GroupDeps, RuleGroupRunner, type RulerLogger } from './group.js';
export { MemoryRuleBackend } from './memory-backend.js';
export { RulerMetrics } from './metrics.js';
export { type RulerPeers, ShardedRuleGroups, type ShardedRulesOptions } from './peers.js';
export { QueuedNotifier, type QueuedNotifierOptions } from './queued-notifier.js';
export { RecordingRule } from './recording-rule.js';
export type { RuleHealth } from './rule-health.js';
export { Ruler, type RulerOptions } from './ruler.js';
export { groupToken, type RulerRing, ringSharding } from './sharding.js';
export {
  PollingRuleGroupSource,
  type PollingSourceOptions,
  type RuleGroupSource,
  type RulesFeed,
  StaticRuleGroupSource,
} from './source.js';
export { RuleTemplate, TemplateError } from './template/index.js';
export * from './types.js';
export { type ValidationProblem, validateRuleFile, validateRuleGroup } from './validate.js';
