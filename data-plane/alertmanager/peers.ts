import type { TenantId } from '../model/index.js';
import type { InstanceDesc } from '../ring/types.js';
import type { PostableAlert } from './alert.js';
import type { Silence } from './silences.js';

/** Query parameters as the HTTP edge hands them over (repeated keys become arrays). */
export type Query = Record<string, string | string[] | undefined>;

/** One v2 API request, decoded: what a non-replica forwards to a replica of the tenant. */
export type ApiCall =
  | { op: 'getAlerts'; query: Query }
  | { op: 'getAlertGroups'; query: Query }
  | { op: 'getSilences'; query: Query }
  | { op: 'postSilence'; body: unknown }
  | { op: 'getSilence'; id: string }
  | { op: 'deleteSilence'; id: string }
  | { op: 'getStatus' }
  | { op: 'getReceivers' };

/** What one Alertmanager instance asks another about a tenant the other runs. */
export type PeerCall =
  /** Alerts for the peer's own replica of the tenant (a peer never forwards them again). */
  | { op: 'receiveAlerts'; alerts: PostableAlert[] }
  /** Silences created, updated or expired on another replica. */
  | { op: 'mergeSilences'; silences: Silence[] }
  /** An API request served from the peer's replica. */
  | { op: 'api'; call: ApiCall };

/**
 * How Alertmanager instances reach each other (the HTTP implementation, carrying the cluster secret,
 * is `HttpAlertmanagerPeers` in data-plane/api). Resolves the peer's result; rejects with the
 * peer's CortexError (same kind and message), or `UnavailableError` when the peer cannot be reached.
 */
export interface AlertmanagerPeers {
  call(instance: InstanceDesc, tenant: TenantId, call: PeerCall): Promise<unknown>;
}
