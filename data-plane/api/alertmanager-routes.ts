import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AlertmanagerApi, type MultitenantAlertmanager, type Query } from '../alertmanager/index.js';
import { type CredentialSource, requireScope, tenantOf } from '../gateway/index.js';
import type { TenantId } from '../model/index.js';
import { alertmanagerPeerRoutes } from './alertmanager-peers.js';
import { publicMessage, statusOf } from './errors.js';
import { ClusterAuth } from './internal-auth.js';

export * from './alertmanager-peers.js';

export interface AlertmanagerRoutesOptions {
  alertmanager: MultitenantAlertmanager;
  credentials: CredentialSource;
  /** Reported in `GET /status` as versionInfo.version. */
  version?: string;
  /**
   * Sharded Alertmanager (split mode): also serves the peer endpoint other Alertmanager instances
   * call (`POST /internal/alertmanager/v1/call` with the cluster credential). Pass the listener's
   * `ClusterAuth` (or the secret).
   */
  clusterAuth?: ClusterAuth | string;
}

type Handler = (tenantId: TenantId, req: FastifyRequest) => Promise<unknown>;

/**
 * The tenant's Alertmanager v2 API under `/alertmanager/api/v2` (Grafana's Alertmanager data source
 * and amtool use it). GETs need `alerts:read`, POST/DELETE `alerts:write`. Errors are JSON strings,
 * as Alertmanager answers them.
 */
export async function alertmanagerRoutes(app: FastifyInstance, opts: AlertmanagerRoutesOptions): Promise<void> {
  const api = new AlertmanagerApi(opts.alertmanager, {
    version: opts.version ?? '0.25.0',
    now: () => opts.alertmanager.now(),
  });
  // Encapsulated, so the JSON parser below applies to these routes only.
  await app.register(async (scoped) => {
    keepProtoKeys(scoped);
    await routes(scoped, api, opts);
  });
}

/**
 * Alert labels are the tenant's: `__proto__` is a valid label name (a series may carry it, and an
 * alerting rule passes it on). fastify's default JSON parser refuses such a key as "not valid JSON";
 * here it stays an ordinary own property, as JSON.parse makes it, and the readers (`alertFromPostable`,
 * silences) use `Object.entries` and own fields only. `constructor: {prototype: …}` is still refused.
 */
function keepProtoKeys(scope: FastifyInstance): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, scope.getDefaultJsonParser('ignore', 'error'));
}

async function routes(app: FastifyInstance, api: AlertmanagerApi, opts: AlertmanagerRoutesOptions): Promise<void> {
  if (opts.clusterAuth !== undefined) {
    const auth = typeof opts.clusterAuth === 'string' ? new ClusterAuth(opts.clusterAuth) : opts.clusterAuth;
    await alertmanagerPeerRoutes(app, { api, auth });
  }
  const read = requireScope(opts.credentials, 'alerts:read');
  const write = requireScope(opts.credentials, 'alerts:write');
  const base = '/alertmanager/api/v2';
  const route = (method: 'GET' | 'POST' | 'DELETE', path: string, handler: Handler) =>
    app.route({
      method,
      url: `${base}${path}`,
      onRequest: method === 'GET' ? read : write,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        try {
          const body = await handler(tenantOf(req), req);
          return reply
            .code(200)
            .header('content-type', 'application/json')
            .send(body === undefined ? '' : JSON.stringify(body));
        } catch (err) {
          return reply
            .code(statusOf(err))
            .header('content-type', 'application/json')
            .send(JSON.stringify(publicMessage(err)));
        }
      },
    });
  const q = (req: FastifyRequest) => req.query as Query;
  const id = (req: FastifyRequest) => (req.params as { id: string }).id;
  route('GET', '/alerts', (t, r) => api.getAlerts(t, q(r)));
  route('POST', '/alerts', async (t, r) => {
    await api.postAlerts(t, r.body);
  });
  route('GET', '/alerts/groups', (t, r) => api.getAlertGroups(t, q(r)));
  route('GET', '/silences', (t, r) => api.getSilences(t, q(r)));
  route('POST', '/silences', (t, r) => api.postSilence(t, r.body));
  route('GET', '/silence/:id', (t, r) => api.getSilence(t, id(r)));
  route('DELETE', '/silence/:id', async (t, r) => {
    await api.deleteSilence(t, id(r));
  });
  route('GET', '/status', (t) => api.getStatus(t));
  route('GET', '/receivers', (t) => api.getReceivers(t));
}
