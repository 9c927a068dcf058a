/** Pieces every internal (peer-to-peer, cluster-authenticated) HTTP client in this folder shares. */
import type { ErrorKind } from '../model/index.js';
import type { InstanceDesc } from '../ring/types.js';
import { ClusterAuth } from './internal-auth.js';

const KINDS: ReadonlySet<string> = new Set<ErrorKind>([
  'bad_data',
  'execution',
  'timeout',
  'canceled',
  'not_found',
  'unavailable',
  'internal',
  'limit_exceeded',
  'unauthorized',
  'forbidden',
  'conflict',
]);

/** A peer's answered error kind, when it is one of ours (undefined for anything else). */
export function knownErrorKind(kind: unknown): ErrorKind | undefined {
  return typeof kind === 'string' && KINDS.has(kind) ? (kind as ErrorKind) : undefined;
}

/** `path` on a ring instance (its `addr` without trailing slashes). */
export function peerUrl(instance: InstanceDesc, path: string): string {
  return `${instance.addr.replace(/\/+$/, '')}${path}`;
}

export interface PeerClientOptions {
  /** The cluster secret every process shares (`--cluster-secret`), or the process's `ClusterAuth`. */
  clusterSecret: string | ClusterAuth;
  /** Per call (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Base of the peer clients: the cluster credential, the fetch to call with, and the per-call timeout. */
export abstract class PeerClient {
  protected readonly fetch: typeof fetch;
  protected readonly auth: ClusterAuth;
  protected readonly timeoutMs: number;

  constructor(opts: PeerClientOptions) {
    this.fetch = opts.fetch ?? fetch;
    this.auth = typeof opts.clusterSecret === 'string' ? new ClusterAuth(opts.clusterSecret) : opts.clusterSecret;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }
}
