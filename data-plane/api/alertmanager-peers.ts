import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AlertmanagerApi, AlertmanagerPeers, PeerCall } from '../alertmanager/index.js';
import { CortexError, type ErrorKind, parseTenantId, type TenantId, UnavailableError } from '../model/index.js';
import type { InstanceDesc } from '../ring/types.js';
import { kindOf, publicMessage, statusOf } from './errors.js';

/** Where one Alertmanager instance calls another (cluster-secret authenticated, never tenant-facing). */
export const ALERTMANAGER_PEER_PATH = '/internal/alertmanager/v1/call';

export interface HttpAlertmanagerPeersOptions {
  /** The cluster secret every process shares (`--cluster-secret`). */
  clusterSecret: string;
  /** Per call (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const KINDS: ReadonlySet<string> = new Set<ErrorKind>([
  'bad_data',
  'execution',
  'timeout',
  'canceled',
  'not_found',
  'unavailable',
  'internal',
  'limit_exceeded',
  'unauthorized',
  'forbidden',
  'conflict',
]);

/**
 * `AlertmanagerPeers` over HTTP: `POST <peer addr>/internal/alertmanager/v1/call` with the cluster
 * secret as bearer token and the tenant in `X-Scope-OrgID`. A peer's error comes back as the same
 * CortexError kind and message; an unreachable peer (or a 401, a misconfigured secret) as
 * `UnavailableError`, so callers try the next replica.
 */
export class HttpAlertmanagerPeers implements AlertmanagerPeers {
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: HttpAlertmanagerPeersOptions) {
    this.fetch = opts.fetch ?? fetch;
  }

  async call(instance: InstanceDesc, tenant: TenantId, call: PeerCall): Promise<unknown> {
    const url = `${instance.addr.replace(/\/+$/, '')}${ALERTMANAGER_PEER_PATH}`;
    let res: Response;
    let text: string;
    try {
      res = await this.fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.opts.clusterSecret}`,
          'x-scope-orgid': tenant,
          'content-type': 'application/json',
        },
        body: JSON.stringify(call),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
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
    if (res.status === 401 || res.status === 403 || !body.kind || !KINDS.has(body.kind)) {
      throw new UnavailableError(`alertmanager peer ${instance.id} answered ${res.status}: ${body.message ?? text}`);
    }
    throw new CortexError(body.kind as ErrorKind, body.message ?? `peer answered ${res.status}`);
  }
}

export interface AlertmanagerPeerRoutesOptions {
  api: AlertmanagerApi;
  clusterSecret: string;
}

/** The receiving side of `HttpAlertmanagerPeers`: 401 unless the cluster secret matches. */
export async function alertmanagerPeerRoutes(app: FastifyInstance, opts: AlertmanagerPeerRoutesOptions): Promise<void> {
  const secret = Buffer.from(`Bearer ${opts.clusterSecret}`);
  const authorized = (req: FastifyRequest) => {
    const got = Buffer.from(req.headers.authorization ?? '');
    return got.length === secret.length && timingSafeEqual(got, secret);
  };
  app.post(ALERTMANAGER_PEER_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
    if (!authorized(req)) return reply.code(401).send({ kind: 'unauthorized', message: 'cluster secret required' });
    try {
      const org = req.headers['x-scope-orgid'];
      const tenant = parseTenantId(typeof org === 'string' ? org : '');
      const result = await opts.api.handlePeer(tenant, req.body as PeerCall);
      return reply.code(200).send({ result: result ?? null });
    } catch (err) {
      return reply.code(statusOf(err)).send({ kind: kindOf(err), message: publicMessage(err) });
    }
  });
}
