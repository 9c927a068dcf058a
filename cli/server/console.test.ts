import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes } from './console.js';

const INDEX = '<!doctype html><script type="module" src="/console/assets/index-abc123.js"></script>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;

describe('console routes', () => {
  let root: string;
  let dir: string;
  let app: ReturnType<typeof Fastify>;
  let unbuilt: ReturnType<typeof Fastify>;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'console-'));
    dir = join(root, 'build');
    mkdirSync(dir);
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), SCRIPT);
    writeFileSync(join(root, 'secret.txt'), 'not served');
    app = Fastify();
    await app.register(consoleRoutes(dir));
    unbuilt = Fastify();
    await unbuilt.register(consoleRoutes(join(dir, 'missing')));
  });
  afterAll(async () => {
    await app.close();
    await unbuilt.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each([
    { name: 'index', url: '/console/', status: 200, type: /^text\/html/, cache: 'no-cache', body: INDEX },
    {
      name: 'hashed asset',
      url: '/console/assets/index-abc123.js',
      status: 200,
      type: /^text\/javascript/,
      cache: 'immutable',
      body: SCRIPT,
    },
    { name: 'unknown file', url: '/console/assets/nope.js', status: 404 },
    { name: 'a path out of the build', url: '/console/../secret.txt', status: 404 },
    {
      name: 'an encoded path out of the build',
      url: '/console/%2e%2e/secret.txt',
      status: 404,
    },
  ])('$name', async ({ url, status, type, cache, body }) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(status);
    if (status !== 200) return;
    expect(res.headers['content-type']).toMatch(type!);
    expect(res.headers['cache-control']).toContain(cache);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toBe(body);
  });

  it('redirects /console to /console/', async () => {
    const res = await app.inject({ url: '/console' });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('/console/');
  });

  it('sends gzip only to clients that accept it', async () => {
    const gz = await app.inject({ url: '/console/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(SCRIPT);
    const plain = await app.inject({
      url: '/console/assets/index-abc123.js',
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
  });

  it('says how to build the console when it is not built, and the server keeps serving', async () => {
    const res = await unbuilt.inject({ url: '/console/' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('npm run build');
  });
});
