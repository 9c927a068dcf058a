import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AlertmanagerApi, AlertmanagerPeers, PeerCall } from '../alertmanager/index.js';
import {
  BadDataError,
  CortexError,
  isTenantId,
  type TenantId,
  UnauthorizedError,
  UnavailableError,
} from '../model/index.js';
import type { InstanceDesc } from '../ring/types.js';
import { kindOf, publicMessage, statusOf } from './errors.js';
import type { ClusterAuth } from './internal-auth.js';
import { knownErrorKind, PeerClient, type PeerClientOptions, peerUrl } from './internal-call.js';

/** Where one Alertmanager instance calls another (cluster-secret authenticated, never tenant-facing). */
export const ALERTMANAGER_PEER_PATH = '/internal/alertmanager/v1/call';

export type HttpAlertmanagerPeersOptions = PeerClientOptions;

/**
 * `AlertmanagerPeers` over HTTP: `POST <peer addr>/internal/alertmanager/v1/call` with the cluster
 * secret as bearer token and the tenant in `X-Scope-OrgID`. A peer's error comes back as the same
 * CortexError kind and message; an unreachable peer (or a 401, a misconfigured secret) as
 * `UnavailableError`, so callers try the next replica.
 */
export class HttpAlertmanagerPeers extends PeerClient implements AlertmanagerPeers {
  async call(instance: InstanceDesc, tenant: TenantId, call: PeerCall): Promise<unknown> {
    const url = peerUrl(instance, ALERTMANAGER_PEER_PATH);
    let res: Response;
    let text: string;
    try {
      res = await this.fetch(url, {
        method: 'POST',
        headers: { ...this.auth.headers(tenant), 'content-type': 'application/json' },
        body: JSON.stringify(call),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw new UnavailableError(`alertmanager peer ${instance.id}: ${(e as Error).message}`, { cause: e });
    }
    let body: { result?: unknown; kind?: string; message?: string } = {};
    try {
      body = text === '' ? {} : (JSON.parse(text) as typeof body);
    } catch {
      // not JSON: treated below by status
    }
    if (res.ok) return body.result;
    const kind = knownErrorKind(body.kind);
    if (res.status === 401 || res.status === 403 || !kind) {
      throw new UnavailableError(`alertmanager peer ${instance.id} answered ${res.status}: ${body.message ?? text}`);
    }
    throw new CortexError(kind, body.message ?? `peer answered ${res.status}`);
  }
}

export interface AlertmanagerPeerRoutesOptions {
  api: AlertmanagerApi;
  /**
   * The listener's `ClusterAuth` (the same instance its `acceptPeers` hook uses, if any: that hook
   * rewrites a peer's cluster credential before route hooks run, and this endpoint accepts both).
   */
  auth: ClusterAuth;
}

/** The receiving side of `HttpAlertmanagerPeers`: 401 unless the call carries the cluster credential. */
export async function alertmanagerPeerRoutes(app: FastifyInstance, opts: AlertmanagerPeerRoutesOptions): Promise<void> {
  const peers = opts.auth.credentials();
  const peerTenant = async (req: FastifyRequest): Promise<TenantId> => {
    const header = req.headers.authorization;
    if (!opts.auth.verify(header)) {
      // Rewritten by `acceptPeers` into this process's peer token (which names the tenant)?
      const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : '';
      const p = token === '' ? undefined : await peers.authenticate(token);
      if (p?.tokenId !== 'cluster-peer') {
        throw new UnauthorizedError('internal endpoint: a valid cluster credential is required');
      }
      return p.tenantId;
    }
    const org = req.headers['x-scope-orgid'];
    if (typeof org !== 'string' || !isTenantId(org)) {
      throw new BadDataError('X-Scope-OrgID must name exactly one valid tenant ID');
    }
    return org;
  };
  app.post(ALERTMANAGER_PEER_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      const tenant = await peerTenant(req);
      const result = await opts.api.handlePeer(tenant, req.body as PeerCall);
      return reply.code(200).send({ result: result ?? null });
    } catch (err) {
      return reply.code(statusOf(err)).send({ kind: kindOf(err), message: publicMessage(err) });
    }
  });
}
