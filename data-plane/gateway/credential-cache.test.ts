import { describe, expect, it } from 'vitest';
import { parseTenantId, UnavailableError } from '../model/index.js';
import { CredentialCache, type CredentialSource, type Principal } from './index.js';

const acme: Principal = {
  tenantId: parseTenantId('acme'),
  tokenId: 't1',
  scopes: ['metrics:write'],
  tenantStatus: 'active',
  expiresAtMs: null,
};

/** A control plane stand-in whose answers and availability the test controls. */
class FakeSource implements CredentialSource {
  calls = 0;
  up = true;
  known = new Map<string, Principal>([['good', acme]]);
  async authenticate(token: string): Promise<Principal | undefined> {
    this.calls++;
    if (!this.up) throw new UnavailableError('down');
    return this.known.get(token);
  }
}

function setup() {
  const source = new FakeSource();
  const clock = {
    t: 1_000_000,
    now() {
      return this.t;
    },
  };
  const cache = new CredentialCache({ source, clock, refreshAfterMs: 2_000, maxStaleMs: 60_000 });
  return { source, clock, cache };
}

describe('CredentialCache', () => {
  it('serves repeated lookups from cache within the refresh window', async () => {
    const { source, cache, clock } = setup();
    expect(await cache.authenticate('good')).toEqual(acme);
    clock.t += 1_000;
    expect(await cache.authenticate('good')).toEqual(acme);
    expect(source.calls).toBe(1);
  });

  it('notices a revocation after the refresh window (well under 5 s)', async () => {
    const { source, cache, clock } = setup();
    await cache.authenticate('good');
    source.known.delete('good');
    clock.t += 2_001;
    expect(await cache.authenticate('good')).toBeUndefined();
  });

  it('keeps known tokens working while the control plane is down', async () => {
    const { source, cache, clock } = setup();
    await cache.authenticate('good');
    source.up = false;
    clock.t += 30_000;
    expect(await cache.authenticate('good')).toEqual(acme);
  });

  it('answers unavailable (never unknown) for new tokens while the control plane is down', async () => {
    const { source, cache } = setup();
    source.up = false;
    await expect(cache.authenticate('new')).rejects.toBeInstanceOf(UnavailableError);
  });

  it('stops serving a stale token past maxStale', async () => {
    const { source, cache, clock } = setup();
    await cache.authenticate('good');
    source.up = false;
    clock.t += 61_000;
    await expect(cache.authenticate('good')).rejects.toBeInstanceOf(UnavailableError);
  });

  it('honours token expiry locally', async () => {
    const { source, cache, clock } = setup();
    source.known.set('short', { ...acme, expiresAtMs: clock.t + 500 });
    expect(await cache.authenticate('short')).toBeDefined();
    clock.t += 600;
    expect(await cache.authenticate('short')).toBeUndefined();
  });

  it('shares one lookup between concurrent requests', async () => {
    const { source, cache } = setup();
    await Promise.all([cache.authenticate('good'), cache.authenticate('good'), cache.authenticate('good')]);
    expect(source.calls).toBe(1);
  });
});
