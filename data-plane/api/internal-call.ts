/** Pieces every internal (peer-to-peer, cluster-authenticated) HTTP client in this folder shares. */
import type { ErrorKind } from '../model/index.js';
import type { InstanceDesc } from '../ring/types.js';

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
