/**
 * The ring part of `cortexctl status`: reads a server's `/ring` JSON (the wire shape of
 * data-plane/ring `RingsStatus`, restated here because the CLI only talks HTTP) and lays it out.
 */
import type { HttpTransport } from '../client/http.js';
import type { Column } from '../format/index.js';

export interface RingInstanceJson {
  id: string;
  addr: string;
  zone: string;
  state: string;
  healthy: boolean;
  status: string;
  tokenCount: number;
  ownershipPercent: number;
  heartbeatMs: number;
  heartbeatAgeMs: number;
  registeredMs: number;
}

export interface RingJson {
  name: string;
  replicationFactor: number;
  heartbeatTimeoutMs: number;
  zoneAware: boolean;
  instances: RingInstanceJson[];
}

export interface RingsJson {
  nowMs: number;
  rings: RingJson[];
}

/**
 * The rings the server knows, or undefined when it serves no `/ring` (an older server, a bare
 * control plane) or did not answer: the ring is extra information, never a reason to fail.
 */
export async function fetchRings(http: HttpTransport): Promise<RingsJson | undefined> {
  try {
    const body = await http.request<unknown>('GET', '/ring', { query: { format: 'json' } });
    if (typeof body !== 'object' || body === null || !Array.isArray((body as RingsJson).rings)) return undefined;
    return body as RingsJson;
  } catch {
    return undefined;
  }
}

/** One row per instance, ring by ring. */
export interface RingRow extends RingInstanceJson {
  ring: string;
}

export function ringRows(rings: RingsJson): RingRow[] {
  return rings.rings.flatMap((r) => r.instances.map((i) => ({ ring: r.name, ...i })));
}

/** `850ms`, `12.3s`, `4m5s`, `2h3m`. */
export function formatAge(ms: number): string {
  if (ms < 0) return `-${formatAge(-ms)}`;
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3_600)}h${Math.floor((s % 3_600) / 60)}m`;
}

export const ringColumns: readonly Column<RingRow>[] = [
  { header: 'ring', get: (r) => r.ring },
  { header: 'instance', get: (r) => r.id },
  { header: 'state', get: (r) => r.status },
  { header: 'zone', get: (r) => r.zone },
  { header: 'tokens', get: (r) => r.tokenCount },
  { header: 'ownership', get: (r) => `${r.ownershipPercent.toFixed(1)}%` },
  { header: 'heartbeat', get: (r) => `${formatAge(r.heartbeatAgeMs)} ago` },
  { header: 'address', get: (r) => r.addr },
];

/** One line per ring: `ingester: 3 instances (3 healthy), replication factor 3, zone-aware`. */
export function ringSummary(rings: RingsJson): string[] {
  return rings.rings.map((r) => {
    const healthy = r.instances.filter((i) => i.healthy).length;
    const n = r.instances.length;
    return `${r.name}: ${n} instance${n === 1 ? '' : 's'} (${healthy} healthy), replication factor ${r.replicationFactor}${r.zoneAware ? ', zone-aware' : ''}`;
  });
}
