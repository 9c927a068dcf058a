import { parseTenantId, UnavailableError } from '../model/index.js';
import type { CredentialSource, Principal, Scope } from './credentials.js';

/** Asks a control plane over HTTP (`POST /internal/v1/authenticate`, cluster-secret authenticated). */
export class HttpCredentialSource implements CredentialSource {
  constructor(
    private readonly baseUrl: string,
    private readonly clusterSecret: string,
    private readonly timeoutMs = 2_000,
  ) {}

  async authenticate(token: string): Promise<Principal | undefined> {
    let res: Response;
    try {
      res = await fetch(new URL('/internal/v1/authenticate', this.baseUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${this.clusterSecret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new UnavailableError('control plane unreachable', { cause: err });
    }
    if (res.status === 404 || res.status === 401) {
      if (res.status === 401) throw new UnavailableError('control plane rejected the cluster secret');
      return undefined;
    }
    if (!res.ok) throw new UnavailableError(`control plane answered ${res.status}`);
    return principalFromJson(await res.json());
  }
}

/** Parses the internal API's authenticate answer (also used by the in-process adapter). */
export function principalFromJson(j: unknown): Principal {
  const o = j as {
    tenantId: string;
    tokenId: string;
    scopes: Scope[];
    tenantStatus: string;
    expiresAt: string | null;
    federate?: unknown;
  };
  const p: Principal = {
    tenantId: parseTenantId(o.tenantId),
    tokenId: String(o.tokenId),
    scopes: o.scopes,
    tenantStatus: o.tenantStatus === 'suspended' ? 'suspended' : 'active',
    expiresAtMs: o.expiresAt ? Date.parse(o.expiresAt) : null,
  };
  if (Array.isArray(o.federate) && o.federate.length > 0) p.federate = o.federate.map(parseTenantId);
  return p;
}
