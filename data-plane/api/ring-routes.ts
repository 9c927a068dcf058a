import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BadDataError, ConflictError, NotFoundError, UnauthorizedError } from '../model/index.js';
import { type RingView, ringStatusHtml, ringStatusJson } from '../ring/index.js';
import { prometheusErrorBody, statusOf } from './errors.js';

/** A ring the page shows; with `forget` its unhealthy instances can be removed (a `RingClient` fits). */
export interface RingPageSource extends RingView {
  forget?(id: string): Promise<'forgotten' | 'not_found' | 'healthy'>;
}

export interface RingRoutesOptions {
  /** The rings this process knows, asked on every request (they may appear after start). */
  rings: () => readonly RingPageSource[];
  /**
   * Whether an `Authorization` value (`Bearer …`) may forget instances; absent = forgetting is
   * off. `bearerAuthorizer([clusterSecret, rootToken])` is the usual choice.
   */
  authorizeForget?: (authorization: string | undefined) => boolean;
  now?: () => number;
}

/** Cortex's per-ring status paths, by ring name (every ring is also on `/ring`). */
export const RING_PAGE_PATHS: Readonly<Record<string, string>> = {
  ingester: '/ingester/ring',
  distributor: '/distributor/ring',
  ruler: '/ruler/ring',
  alertmanager: '/multitenant_alertmanager/ring',
};

const sha = (s: string) => createHash('sha256').update(s).digest();

/** Accepts `Bearer <s>` for any of `secrets` (constant-time; empty secrets are ignored). */
export function bearerAuthorizer(
  secrets: readonly (string | undefined)[],
): (authorization: string | undefined) => boolean {
  const digests = secrets
    .filter((s): s is string => typeof s === 'string' && s.length > 0)
    .map((s) => sha(`Bearer ${s}`));
  return (authorization) => {
    if (typeof authorization !== 'string') return false;
    const d = sha(authorization);
    let ok = false;
    for (const want of digests) ok = timingSafeEqual(d, want) || ok;
    return ok;
  };
}

/**
 * `/ring` (every ring this process knows) and Cortex's per-ring pages (`/ingester/ring`, …): HTML,
 * or JSON with `Accept: application/json` or `?format=json` (`?tokens=true` adds token lists).
 * `POST` with `forget=<id>` (form or JSON body, or query; on `/ring` also `ring=<name>`) removes an
 * unhealthy instance; it needs the cluster secret or the root admin token, as `Authorization:
 * Bearer …` or a `token` form field (the HTML form's).
 */
export async function ringRoutes(app: FastifyInstance, opts: RingRoutesOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
  }

  const show = (req: FastifyRequest, reply: FastifyReply, rings: readonly RingPageSource[], path: string) => {
    const q = req.query as Record<string, unknown>;
    const status = ringStatusJson(rings, now(), { includeTokens: q.tokens === 'true' || q.tokens === '1' });
    if (q.format === 'json' || String(req.headers.accept ?? '').includes('application/json')) {
      return reply.code(200).header('cache-control', 'no-store').send(status);
    }
    const html = ringStatusHtml(
      status,
      opts.authorizeForget
        ? { forgetAction: (ring: string) => (path === '/ring' ? `/ring?ring=${encodeURIComponent(ring)}` : path) }
        : {},
    );
    return reply.code(200).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
  };

  const forget = async (req: FastifyRequest, reply: FastifyReply, fixedRing: string | undefined, path: string) => {
    try {
      const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
      const q = req.query as Record<string, unknown>;
      const field = (k: string) => {
        const v = body[k] ?? q[k];
        return typeof v === 'string' && v !== '' ? v : undefined;
      };
      const formToken = typeof body.token === 'string' && body.token !== '' ? `Bearer ${body.token}` : undefined;
      const authorization = req.headers.authorization ?? formToken;
      if (!opts.authorizeForget?.(authorization)) {
        throw new UnauthorizedError('forgetting a ring instance needs the cluster secret or the root admin token');
      }
      const id = field('forget');
      if (id === undefined) throw new BadDataError('missing parameter forget=<instance id>');
      const name = fixedRing ?? field('ring');
      if (name === undefined) throw new BadDataError('missing parameter ring=<ring name>');
      const ring = opts.rings().find((r) => r.name === name);
      if (!ring?.forget) throw new NotFoundError(`ring ${name} is not known here`);
      const outcome = await ring.forget(id);
      if (outcome === 'not_found') throw new NotFoundError(`instance ${id} is not in ring ${name}`);
      if (outcome === 'healthy') {
        throw new ConflictError(`instance ${id} is healthy; only unhealthy instances can be forgotten`);
      }
      if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        return reply.code(303).header('location', path).send();
      }
      return reply.code(200).send({ status: 'success', data: { ring: name, forgotten: id } });
    } catch (err) {
      return reply.code(statusOf(err)).send(prometheusErrorBody(err));
    }
  };

  app.get('/ring', async (req, reply) => show(req, reply, opts.rings(), '/ring'));
  app.post('/ring', async (req, reply) => forget(req, reply, undefined, '/ring'));
  for (const [name, path] of Object.entries(RING_PAGE_PATHS)) {
    app.get(path, async (req, reply) => {
      const rings = opts.rings().filter((r) => r.name === name);
      if (rings.length === 0) {
        return reply
          .code(404)
          .send(prometheusErrorBody(new NotFoundError(`this process does not know the ${name} ring`)));
      }
      return show(req, reply, rings, path);
    });
    app.post(path, async (req, reply) => forget(req, reply, name, path));
  }
}
