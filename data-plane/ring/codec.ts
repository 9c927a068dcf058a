import type { InstanceDesc, InstanceState, RingDesc } from './types.js';

const STATES: ReadonlySet<string> = new Set<InstanceState>(['ACTIVE', 'LEAVING', 'PENDING', 'JOINING', 'LEFT']);

/** A fresh empty ring. */
export function emptyRing(): RingDesc {
  return { instances: Object.create(null) as Record<string, InstanceDesc> };
}

/** JSON bytes of a ring desc (instances sorted by id, so equal descs encode equally). */
export function encodeRing(desc: RingDesc): Uint8Array {
  const ids = Object.keys(desc.instances).sort();
  // Instance IDs are operator-chosen; `__proto__` must stay an ordinary key.
  const instances: Record<string, InstanceDesc> = Object.create(null);
  for (const id of ids) instances[id] = desc.instances[id]!;
  return new TextEncoder().encode(JSON.stringify({ instances }));
}

/**
 * Parses stored bytes. Tolerant: an instance that does not have the expected shape is dropped (it
 * will re-register on its next heartbeat) instead of wedging every reader and writer of the ring.
 */
export function decodeRing(bytes: Uint8Array | undefined): RingDesc {
  const desc = emptyRing();
  if (bytes === undefined || bytes.length === 0) return desc;
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return desc;
  }
  const instances = (raw as { instances?: unknown } | null)?.instances;
  if (typeof instances !== 'object' || instances === null) return desc;
  for (const [id, v] of Object.entries(instances as Record<string, unknown>)) {
    const inst = parseInstance(id, v);
    if (inst) desc.instances[id] = inst;
  }
  return desc;
}

function parseInstance(id: string, v: unknown): InstanceDesc | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.state !== 'string' || !STATES.has(o.state)) return undefined;
  if (!Array.isArray(o.tokens)) return undefined;
  const tokens: number[] = [];
  for (const t of o.tokens) {
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > 0xffffffff) return undefined;
    tokens.push(t);
  }
  tokens.sort((a, b) => a - b);
  return {
    id,
    addr: typeof o.addr === 'string' ? o.addr : '',
    zone: typeof o.zone === 'string' ? o.zone : '',
    state: o.state as InstanceState,
    tokens,
    heartbeatMs: typeof o.heartbeatMs === 'number' ? o.heartbeatMs : 0,
    registeredMs: typeof o.registeredMs === 'number' ? o.registeredMs : 0,
  };
}

/** A deep copy (descs handed to callers are never shared with the cache). */
export function cloneRing(desc: RingDesc): RingDesc {
  const out = emptyRing();
  for (const [id, inst] of Object.entries(desc.instances)) out.instances[id] = { ...inst, tokens: [...inst.tokens] };
  return out;
}
