import type { FastifyInstance } from 'fastify';
import type { TenantId } from '../model/index.js';
import { deadlineSignal, UnavailableError } from '../model/index.js';
import type { InstanceDesc } from '../ring/types.js';
import { localRuleGroups, type RuleGroupJson, type RuleGroupsView, type RulerPeers } from '../ruler/index.js';
import type { ClusterAuth } from './internal-auth.js';
import { PeerClient, type PeerClientOptions, peerUrl } from './internal-call.js';

/** Where a ruler lists the groups it evaluates for a tenant (cluster credential only). */
export const RULER_PEER_PATH = '/internal/ruler/v1/rules';

export type HttpRulerPeersOptions = PeerClientOptions;

/** `RulerPeers` over HTTP: `GET <peer addr>/internal/ruler/v1/rules` with the cluster secret and `X-Scope-OrgID`. */
export class HttpRulerPeers extends PeerClient implements RulerPeers {
  async groups(instance: InstanceDesc, tenantId: TenantId, signal?: AbortSignal): Promise<RuleGroupJson[]> {
    const url = peerUrl(instance, RULER_PEER_PATH);
    // deadlineSignal: a caller's signal combined with Node's own timeout signal loses it at a GC
    const timeout = signal ? deadlineSignal(this.timeoutMs, signal).signal : AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.fetch(url, {
        headers: this.auth.headers(tenantId),
        signal: timeout,
      });
      text = await res.text();
    } catch (e) {
      throw new UnavailableError(`ruler ${instance.id}: ${(e as Error).message}`, { cause: e });
    }
    if (!res.ok) throw new UnavailableError(`ruler ${instance.id} answered ${res.status}: ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { data?: { groups?: RuleGroupJson[] } };
    return body.data?.groups ?? [];
  }
}

export interface RulerPeerRoutesOptions {
  ruler: RuleGroupsView;
  auth: ClusterAuth;
}

/** The receiving side of `HttpRulerPeers`: this ruler's own groups, 401 without the cluster credential. */
export async function rulerPeerRoutes(app: FastifyInstance, opts: RulerPeerRoutesOptions): Promise<void> {
  app.get(RULER_PEER_PATH, { onRequest: opts.auth.requirePeer({ tenant: true }) }, async (req, reply) =>
    reply.code(200).send({ status: 'success', data: { groups: localRuleGroups(opts.ruler, req.peerTenant!) } }),
  );
}
