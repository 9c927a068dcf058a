export { type Alert, alertFromPostable, fingerprint, formatLabelSet, type PostableAlert } from './alert.js';
export { AlertmanagerApi, type AlertmanagerApiOptions, type Query } from './api.js';
export * from './config/index.js';
export { Dispatcher, type GroupView } from './dispatcher.js';
export { AlertmanagerMetrics } from './metrics.js';
export {
  type AlertmanagerFeed,
  type AlertmanagerLimitKey,
  type AlertmanagerLimitsSource,
  type AlertmanagerSharding,
  FALLBACK_CONFIG,
  MultitenantAlertmanager,
  type MultitenantAlertmanagerOptions,
} from './multitenant.js';
export { type NflogEntry, needsUpdate } from './nflog.js';
export { Firewall, type FirewallOptions, goTime, httpPost, NotifyError } from './notify/index.js';
export type { AlertmanagerPeers, ApiCall, PeerCall } from './peers.js';
export { type Cancel, ManualScheduler, type Scheduler, timerScheduler } from './scheduler.js';
export { type Silence, type SilenceMatcher, silenceState } from './silences.js';
export { type AlertmanagerStateStore, KVStateStore, MemoryStateStore } from './state.js';
export { type AlertmanagerLimits, alertSize, type RuleAlert, TenantAlertmanager } from './tenant.js';
