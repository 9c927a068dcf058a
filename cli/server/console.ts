/**
 * The web console at /console: the Vite build (dist/console, made by `npm run build`) served from
 * memory. Only files of that build answer (a lookup in a map, never a path on disk), hashed assets
 * are cached for good, and a strict CSP keeps the page to this origin: its only server is the
 * AdminService on the same port.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

export const CONSOLE_PATH = '/console/';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface Asset {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  immutable: boolean;
}

/** The built console: dist/console whether this module runs from source (cli/server) or from dist. */
export function defaultConsoleDir(): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  return basename(root) === 'dist' ? join(root, 'console') : join(root, 'dist', 'console');
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export function loadConsole(dir: string): Map<string, Asset> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const assets = new Map<string, Asset>();
  for (const file of walk(dir)) {
    const rel = relative(dir, file).split(sep).join('/');
    const body = readFileSync(file);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
    assets.set(rel, {
      body,
      gzip: compressible ? gzipSync(body) : undefined,
      type,
      // Vite names everything under assets/ by content hash.
      immutable: rel.startsWith('assets/'),
    });
  }
  return assets;
}

function send(reply: FastifyReply, a: Asset, acceptEncoding: string | undefined) {
  reply.headers(SECURITY_HEADERS);
  reply.header('content-type', a.type);
  reply.header('cache-control', a.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  reply.header('vary', 'Accept-Encoding');
  if (a.gzip && /\bgzip\b/.test(acceptEncoding ?? '')) {
    reply.header('content-encoding', 'gzip');
    return reply.send(a.gzip);
  }
  return reply.send(a.body);
}

/**
 * Serves the console at /console/ (and /console redirects there). Without a build the paths answer
 * 404 saying how to make one, and the rest of the server runs as usual.
 */
export function consoleRoutes(dir = defaultConsoleDir()): FastifyPluginAsync {
  return async (app) => {
    const assets = loadConsole(dir);
    app.get('/console', async (_req, reply) => reply.redirect(CONSOLE_PATH, 301));
    app.get(`${CONSOLE_PATH}*`, async (req, reply) => {
      if (!assets) {
        return reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .send('The web console is not built: run `npm run build` and restart the server.\n');
      }
      const path = (req.params as { '*': string })['*'];
      const asset = assets.get(path === '' ? 'index.html' : path);
      if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
      return send(reply, asset, req.headers['accept-encoding']);
    });
  };
}
