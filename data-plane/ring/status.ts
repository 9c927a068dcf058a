import type { InstanceDesc, InstanceState, RingDesc } from './types.js';

/** What a status page needs to know about one ring (a `RingClient` is one). */
export interface RingView {
  readonly name: string;
  readonly replicationFactor: number;
  readonly heartbeatTimeoutMs: number;
  readonly zoneAware?: boolean;
  describe(): RingDesc;
}

export interface InstanceStatus {
  id: string;
  addr: string;
  zone: string;
  /** The stored state. */
  state: InstanceState;
  /** Heartbeat within the timeout and not LEFT. */
  healthy: boolean;
  /** `state`, or `UNHEALTHY` when not healthy (what Cortex's ring page shows). */
  status: InstanceState | 'UNHEALTHY';
  tokenCount: number;
  /** Share of the hash space whose first token belongs to this instance, in percent. */
  ownershipPercent: number;
  heartbeatMs: number;
  heartbeatAgeMs: number;
  registeredMs: number;
  /** Only when asked for (`tokens=true`). */
  tokens?: number[];
}

export interface RingStatus {
  name: string;
  replicationFactor: number;
  heartbeatTimeoutMs: number;
  zoneAware: boolean;
  instances: InstanceStatus[];
}

export interface RingsStatus {
  nowMs: number;
  rings: RingStatus[];
}

const SPACE = 2 ** 32;

/** Per instance, the share of [0, 2^32) it owns as first replica (token t owns (previous token, t]). */
export function tokenOwnership(desc: RingDesc): Map<string, number> {
  const pairs: [number, string][] = [];
  for (const inst of Object.values(desc.instances)) for (const t of inst.tokens) pairs.push([t, inst.id]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out = new Map<string, number>();
  for (let i = 0; i < pairs.length; i++) {
    const [t, id] = pairs[i]!;
    const prev = i === 0 ? pairs[pairs.length - 1]![0] - SPACE : pairs[i - 1]![0];
    out.set(id, (out.get(id) ?? 0) + (t - prev) / SPACE);
  }
  return out;
}

/** The JSON body of `/ring` (and of the per-ring pages, with one ring). Instances sorted by id. */
export function ringStatusJson(
  rings: readonly RingView[],
  nowMs: number,
  opts: { includeTokens?: boolean } = {},
): RingsStatus {
  return {
    nowMs,
    rings: rings.map((r) => {
      const desc = r.describe();
      const owned = tokenOwnership(desc);
      const insts = Object.values(desc.instances).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const zoneAware = r.zoneAware ?? (insts.length > 0 && insts.every((i) => i.zone !== ''));
      return {
        name: r.name,
        replicationFactor: r.replicationFactor,
        heartbeatTimeoutMs: r.heartbeatTimeoutMs,
        zoneAware,
        instances: insts.map((i) => instanceStatus(i, nowMs, r.heartbeatTimeoutMs, owned, opts.includeTokens)),
      };
    }),
  };
}

function instanceStatus(
  i: InstanceDesc,
  nowMs: number,
  timeoutMs: number,
  owned: Map<string, number>,
  includeTokens: boolean | undefined,
): InstanceStatus {
  const healthy = i.state !== 'LEFT' && nowMs - i.heartbeatMs <= timeoutMs;
  return {
    id: i.id,
    addr: i.addr,
    zone: i.zone,
    state: i.state,
    healthy,
    status: healthy ? i.state : 'UNHEALTHY',
    tokenCount: i.tokens.length,
    ownershipPercent: Math.round((owned.get(i.id) ?? 0) * 10_000) / 100,
    heartbeatMs: i.heartbeatMs,
    heartbeatAgeMs: nowMs - i.heartbeatMs,
    registeredMs: i.registeredMs,
    ...(includeTokens ? { tokens: [...i.tokens] } : {}),
  };
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!);
}

/** Human form of a duration in ms: `850ms`, `12.3s`, `4m5s`, `2h3m`. */
export function formatAge(ms: number): string {
  if (ms < 0) return `-${formatAge(-ms)}`;
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3_600)}h${Math.floor((s % 3_600) / 60)}m`;
}

/**
 * The HTML page: one table per ring (Cortex's ring page columns), and for each unhealthy instance
 * a "Forget" form posting `forget=<id>` to `forgetAction(ring)` (with a credential field: the cluster
 * secret or the root admin token). No scripts, every value escaped.
 */
export function ringStatusHtml(status: RingsStatus, opts: { forgetAction?: (ring: string) => string } = {}): string {
  const parts: string[] = [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Hash rings</title>',
    '<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:2em}',
    'td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}tr.unhealthy{background:#fdd}</style>',
    '</head><body><h1>Hash rings</h1>',
    `<p>Now: ${esc(new Date(status.nowMs).toISOString())}</p>`,
  ];
  if (status.rings.length === 0) parts.push('<p>This process knows no rings.</p>');
  for (const r of status.rings) {
    parts.push(
      `<h2>${esc(r.name)}</h2><p>Replication factor ${r.replicationFactor}, heartbeat timeout ${esc(formatAge(r.heartbeatTimeoutMs))}, zone awareness ${r.zoneAware ? 'on' : 'off'}, ${r.instances.length} instance(s).</p>`,
      '<table><thead><tr><th>Instance</th><th>Address</th><th>Zone</th><th>State</th><th>Last heartbeat</th><th>Tokens</th><th>Ownership</th><th>Registered</th><th></th></tr></thead><tbody>',
    );
    for (const i of r.instances) {
      const forget =
        !i.healthy && opts.forgetAction
          ? `<form method="post" action="${esc(opts.forgetAction(r.name))}"><input type="hidden" name="forget" value="${esc(i.id)}"><input type="password" name="token" placeholder="cluster secret or root token" required><button type="submit">Forget</button></form>`
          : '';
      parts.push(
        `<tr class="${i.healthy ? 'healthy' : 'unhealthy'}"><td>${esc(i.id)}</td><td>${esc(i.addr)}</td><td>${esc(i.zone)}</td>`,
        `<td>${esc(i.status)}${i.status !== i.state ? ` (${esc(i.state)})` : ''}</td><td>${esc(formatAge(i.heartbeatAgeMs))} ago</td>`,
        `<td>${i.tokenCount}</td><td>${i.ownershipPercent.toFixed(2)}%</td>`,
        `<td>${i.registeredMs > 0 ? esc(new Date(i.registeredMs).toISOString()) : ''}</td><td>${forget}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');
  }
  parts.push('</body></html>');
  return parts.join('');
}
