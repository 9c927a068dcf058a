/**
 * The admin API as RPC: AdminService (proto/cortex/admin/v1/admin.proto) served with connect-es
 * over Connect, gRPC-Web and gRPC from one fastify plugin. The host registers it on its HTTP/1.1
 * port (Connect, gRPC-Web: browsers, curl) and on an HTTP/2 cleartext port (native gRPC, with
 * server reflection).
 */
import { fastifyConnectPlugin } from '@connectrpc/connect-fastify';
import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../data-plane/model/index.js';
import { AdminService, file_cortex_admin_v1_admin } from '../../gen/cortex/admin/v1/admin_pb.js';
import { registerSessions } from '../plugins/index.js';
import type { Services } from '../routes/index.js';
import { adminService, WATCH_POLL_MS } from './admin-service.js';
import { adminAuthInterceptor } from './auth.js';
import { corsHook } from './cors.js';
import { invalidArgumentForParseErrors } from './parse-errors.js';
import { registerReflection } from './reflection.js';

export { CODE_BY_KIND, toConnectError } from './errors.js';

/** The largest request message accepted (an Alertmanager config with templates); larger: RESOURCE_EXHAUSTED. */
export const RPC_READ_MAX_BYTES = 8 * 1024 * 1024;

export interface RpcPluginOptions {
  services: Services;
  jwtSecrets: readonly string[];
  clock: Clock;
  /** Browser origins allowed to call cross-origin (`*`: any); none: same-origin only. */
  corsOrigins?: readonly string[];
  /** Serve gRPC server reflection (the native gRPC port does). */
  reflection?: boolean;
  /** Receives failures that are not the caller's fault (their message is never sent). */
  log?: (err: unknown) => void;
  /** How often WatchAuditEvents polls the log (tests shorten it). */
  watchPollMs?: number;
}

/** Paths the plugin serves: `/cortex.admin.v1.AdminService/<Method>`. */
export const ADMIN_SERVICE_PATH = `/${AdminService.typeName}/`;

export function adminRpcPlugin(opts: RpcPluginOptions): FastifyPluginAsync {
  const log = opts.log ?? (() => {});
  return async (app) => {
    const sessions = await registerSessions(app, { secrets: opts.jwtSecrets, clock: opts.clock });
    // connect reads request bodies itself; no parser of the host (JSON) may consume them first.
    app.removeAllContentTypeParsers();
    if (opts.corsOrigins && opts.corsOrigins.length > 0) app.addHook('onRequest', corsHook(opts.corsOrigins));
    await app.register(fastifyConnectPlugin, {
      readMaxBytes: RPC_READ_MAX_BYTES,
      // On close, streams (WatchAuditEvents) end instead of holding the server open.
      shutdownTimeoutMs: 0,
      routes(router) {
        router.service(AdminService, adminService(opts.services, opts.watchPollMs ?? WATCH_POLL_MS), {
          interceptors: [
            adminAuthInterceptor({
              auth: opts.services.adminAuth,
              tokens: opts.services.tokens,
              sessions,
              log,
            }),
          ],
        });
        if (opts.reflection) registerReflection(router, [file_cortex_admin_v1_admin], [AdminService.typeName]);
        invalidArgumentForParseErrors(router.handlers);
      },
    });
  };
}
