import type { Labels, TenantId } from '../../model/index.js';
import type { Alert } from '../alert.js';

/** Everything one notification is about: a group's alerts for one receiver. */
export interface NotifyData {
  tenantId: TenantId;
  receiver: string;
  groupKey: string;
  groupLabels: Labels;
  alerts: Alert[];
  externalUrl: string;
  now: number;
}

/** One configured integration of a receiver (`webhook_configs[0]` …). */
export interface Integration {
  /** `webhook`, `slack`, `pagerduty`, `email`. */
  name: string;
  index: number;
  sendResolved: boolean;
  notify(data: NotifyData, signal?: AbortSignal): Promise<void>;
}
