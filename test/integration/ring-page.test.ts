import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RingsStatus } from '../../data-plane/ring/index.js';
import { ROOT_TOKEN, startPlatform, type TestPlatform } from '../helpers/platform.js';

describe('/ring on the combined process', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startPlatform();
  });
  afterAll(async () => {
    await p?.close();
  });

  it('shows this process as the one ACTIVE ingester, as JSON and HTML', async () => {
    const res = await fetch(`${p.url}/ring`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as RingsStatus;
    expect(body.rings).toHaveLength(1);
    const ring = body.rings[0]!;
    expect(ring).toMatchObject({ name: 'ingester', replicationFactor: 1 });
    expect(ring.instances).toHaveLength(1);
    expect(ring.instances[0]).toMatchObject({ state: 'ACTIVE', healthy: true, tokenCount: 128 });
    expect(ring.instances[0]?.ownershipPercent).toBe(100);
    const html = await fetch(`${p.url}/ingester/ring`);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toContain('<h2>ingester</h2>');
  });

  it('exports the ring metrics', async () => {
    const text = await (await fetch(`${p.url}/metrics`)).text();
    expect(text).toContain('cortex_ring_members{name="ingester",state="ACTIVE"} 1');
    expect(text).toContain('cortex_ring_tokens_total{name="ingester"} 128');
  });

  it('forget needs the cluster secret or root token, and refuses a healthy instance', async () => {
    const id = ((await (await fetch(`${p.url}/ring?format=json`)).json()) as RingsStatus).rings[0]!.instances[0]!.id;
    const post = (headers: Record<string, string>) =>
      fetch(`${p.url}/ingester/ring`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ forget: id }),
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${ROOT_TOKEN}` })).status).toBe(409);
  });
});
