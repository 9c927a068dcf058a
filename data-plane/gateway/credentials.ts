import type { TenantId } from '../model/index.js';
import type { AuthThrottle } from './auth-throttle.js';

/** The token scopes of DESIGN.md; a route names the one it needs. */
export type Scope = 'metrics:write' | 'metrics:read' | 'rules:read' | 'rules:write' | 'alerts:read' | 'alerts:write';

/** What the control plane says about a valid token (internal API `POST /internal/v1/authenticate`). */
export interface Principal {
  tenantId: TenantId;
  tokenId: string;
  scopes: readonly Scope[];
  tenantStatus: 'active' | 'suspended';
  /** ms since the epoch, or null for tokens that never expire. */
  expiresAtMs: number | null;
  /**
   * Federation grant: the tenants (its own included) this token may read together; absent or empty
   * means its own tenant only.
   */
  federate?: readonly TenantId[];
}

/**
 * Looks up a bearer token. Resolves `undefined` for an unknown, revoked or expired token; throws
 * `UnavailableError` when the control plane cannot be asked (the cache then keeps serving what it
 * knows, and unknown tokens get 503, never 401).
 */
export interface CredentialSource {
  authenticate(token: string): Promise<Principal | undefined>;
  /** When set, the gateway throttles sources and Basic-auth users that fail too often. */
  readonly throttle?: AuthThrottle | undefined;
  /**
   * True when `token` is already known to be valid without asking anyone: such a token passes a
   * throttled source (a NAT or proxy shared with a guesser), as guessing it is no easier than before.
   */
  knownGood?(token: string): boolean;
}
