import { cors } from '@connectrpc/connect';
import type { FastifyReply, FastifyRequest } from 'fastify';

const ALLOW_METHODS = cors.allowedMethods.join(', ');
const ALLOW_HEADERS = [...cors.allowedHeaders, 'Authorization'].join(', ');
const EXPOSE_HEADERS = cors.exposedHeaders.join(', ');

/**
 * CORS for browsers on other origins calling Connect or gRPC-Web: the listed origins (or `*`, any)
 * get the headers those protocols need; preflights are answered here. Other origins get no CORS
 * headers, so the browser refuses the answer.
 */
export function corsHook(origins: readonly string[]) {
  const any = origins.includes('*');
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, '')));
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !(any || allowed.has(origin))) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    reply.header('access-control-expose-headers', EXPOSE_HEADERS);
    if (req.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', ALLOW_METHODS);
      reply.header('access-control-allow-headers', ALLOW_HEADERS);
      reply.header('access-control-max-age', '7200');
      return reply.code(204).send();
    }
  };
}
