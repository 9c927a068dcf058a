/** Builds the OpenAPI 3 document from the route schemas the control plane registered (no extra plugin). */
import type { RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifySchema {
    /** OpenAPI grouping of the route. */
    tags?: string[];
  }
}

type Json = Record<string, unknown>;

/** Drops TypeBox's symbol keys and fastify's additions, leaving plain JSON Schema. */
const plain = (s: unknown): Json => JSON.parse(JSON.stringify(s)) as Json;

function parameters(schema: unknown, where: 'path' | 'query'): Json[] {
  const props = (schema as { properties?: Record<string, unknown>; required?: string[] } | undefined) ?? {};
  const required = new Set(props.required ?? []);
  return Object.entries(props.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: plain(s),
  }));
}

export function openApiDocument(routes: readonly RouteOptions[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD');
    const url = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const schema = (r.schema ?? {}) as Json & { tags?: string[] };
    for (const m of methods) {
      const op: Json = {
        tags: schema.tags ?? [],
        operationId: `${m.toLowerCase()}${url.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
        parameters: [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')],
        responses: Object.fromEntries(
          Object.entries((schema.response as Json | undefined) ?? { 200: {} }).map(([code, s]) => [
            code,
            { description: code, content: { 'application/json': { schema: plain(s) } } },
          ]),
        ),
      };
      if (schema.body !== undefined) {
        op.requestBody = { required: true, content: { 'application/json': { schema: plain(schema.body) } } };
      }
      if (url.startsWith('/internal/')) op.security = [{ clusterSecret: [] }];
      else if (!url.endsWith('/sessions') && !url.endsWith('/openapi.json')) op.security = [{ bearer: [] }];
      (paths[url] ??= {})[m.toLowerCase()] = op;
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Cortex control plane admin and internal API', version: '1' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'root token, admin token or session JWT' },
        clusterSecret: { type: 'http', scheme: 'bearer', description: 'cluster secret (internal API only)' },
      },
    },
    paths,
  };
}
