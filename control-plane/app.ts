/**
 * The control plane as one encapsulated fastify plugin: its own validator, error handler, body limit
 * and not-found answers apply to `/admin/api/v1/*` and `/internal/v1/*` only, never to the host server.
 */
import type { FastifyInstance, FastifyPluginAsync, RouteOptions } from 'fastify';
import type { Clock } from '../data-plane/model/index.js';
import { BadDataError, NotFoundError } from '../data-plane/model/index.js';
import {
  adminAuthHook,
  clusterAuthHook,
  controlPlaneErrorHandler,
  registerSessions,
  typeboxValidatorCompiler,
} from './plugins/index.js';
import type { Services } from './routes/index.js';
import {
  alertmanagerRoutes,
  auditRoutes,
  deleteSeriesRoutes,
  internalRoutes,
  limitRoutes,
  openApiDocument,
  operatorRoutes,
  ruleRoutes,
  sessionRoutes,
  tenantRoutes,
  tokenRoutes,
  usageRoutes,
} from './routes/index.js';

export const ADMIN_PREFIX = '/admin/api/v1';
export const INTERNAL_PREFIX = '/internal/v1';
/** JSON bodies of the admin API are small; rule and Alertmanager uploads raise this per route. */
export const DEFAULT_BODY_LIMIT = 256 * 1024;
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

export interface PluginOptions {
  services: Services;
  clusterSecret: string;
  jwtSecrets: readonly string[];
  clock: Clock;
}

/**
 * fastify refuses `"constructor": {"prototype": …}` with "not valid JSON"; when the text is valid
 * JSON, say what was refused instead.
 */
function poisonedKeyError(text: string): BadDataError | undefined {
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  return new BadDataError('request body: a "constructor" key holding a "prototype" key is not accepted');
}

function notFound(app: FastifyInstance): void {
  app.setNotFoundHandler((req) => {
    throw new NotFoundError(`no route ${req.method} ${req.url.split('?')[0]}`);
  });
}

export function controlPlanePlugin(opts: PluginOptions): FastifyPluginAsync {
  const { services } = opts;
  const internalAuth = clusterAuthHook(opts.clusterSecret);
  return async (app) => {
    const routes: RouteOptions[] = [];
    app.setValidatorCompiler(typeboxValidatorCompiler);
    app.setErrorHandler(controlPlaneErrorHandler);
    // Body-less POST/DELETE calls that still send `Content-Type: application/json` are accepted;
    // everything else goes through fastify's own parser. A `__proto__` key stays an ordinary own
    // property, as JSON.parse makes it: it is a user-chosen name like any other (a template file, a
    // label), and every reader here uses own-property access and prototype-free maps. A
    // `constructor: {prototype: …}` pair, which nothing legitimate sends, is still refused.
    const json = app.getDefaultJsonParser('ignore', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      if (body === '') done(null, undefined);
      else
        json(req, body as string, (err, value) => done(err ? (poisonedKeyError(body as string) ?? err) : null, value));
    });
    app.addHook('onRoute', (r) => {
      r.bodyLimit ??= DEFAULT_BODY_LIMIT;
      routes.push(r);
    });

    await app.register(
      async (admin) => {
        notFound(admin);
        // Rule groups and Alertmanager configs may be sent as YAML text; the domain parses it safely.
        admin.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
        const sessions = await registerSessions(admin, { secrets: opts.jwtSecrets, clock: opts.clock });
        await admin.register(sessionRoutes, { services, sessions });
        admin.get('/openapi.json', { schema: { tags: ['meta'] } }, async () => openApiDocument(routes));
        await admin.register(async (authed) => {
          authed.addHook('onRequest', adminAuthHook(services.adminAuth, sessions));
          const o = { services, sessions };
          await authed.register(tenantRoutes, o);
          await authed.register(tokenRoutes, o);
          await authed.register(limitRoutes, o);
          await authed.register(auditRoutes, o);
          await authed.register(operatorRoutes, o);
          await authed.register(ruleRoutes, o);
          await authed.register(alertmanagerRoutes, o);
          await authed.register(deleteSeriesRoutes, o);
          await authed.register(usageRoutes, o);
        });
      },
      { prefix: ADMIN_PREFIX },
    );

    await app.register(
      async (internal) => {
        notFound(internal);
        internal.addHook('onRequest', internalAuth);
        await internal.register(internalRoutes, { services });
      },
      { prefix: INTERNAL_PREFIX },
    );
  };
}
