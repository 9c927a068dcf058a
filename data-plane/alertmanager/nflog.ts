import type { Clock } from '../model/index.js';

/** What was last sent for one (group, receiver integration): Alertmanager's notification log entry. */
export interface NflogEntry {
  groupKey: string;
  /** `<receiver>/<integration>/<index>`, e.g. `team-a/webhook/0`. */
  receiver: string;
  firing: string[];
  resolved: string[];
  timestamp: number;
}

export interface NotificationLogOptions {
  clock: Clock;
  persist: (e: NflogEntry) => Promise<void>;
  remove: (e: NflogEntry) => Promise<void>;
  retentionMs: number;
}

const keyOf = (groupKey: string, receiver: string) => `${groupKey}\u0000${receiver}`;

/** The per-tenant notification log: the dedup memory that survives restarts through `persist`. */
export class NotificationLog {
  private readonly entries = new Map<string, NflogEntry>();

  constructor(private readonly opts: NotificationLogOptions) {}

  load(list: readonly NflogEntry[]): void {
    for (const e of list) this.entries.set(keyOf(e.groupKey, e.receiver), e);
  }

  /** Takes an entry from another replica (via the shared store) when it is newer than ours. */
  merge(e: NflogEntry): void {
    const k = keyOf(e.groupKey, e.receiver);
    const cur = this.entries.get(k);
    if (!cur || cur.timestamp < e.timestamp) this.entries.set(k, e);
  }

  query(groupKey: string, receiver: string): NflogEntry | undefined {
    return this.entries.get(keyOf(groupKey, receiver));
  }

  async log(groupKey: string, receiver: string, firing: string[], resolved: string[]): Promise<void> {
    const e: NflogEntry = { groupKey, receiver, firing, resolved, timestamp: this.opts.clock.now() };
    await this.opts.persist(e);
    this.entries.set(keyOf(groupKey, receiver), e);
  }

  async gc(): Promise<void> {
    const cutoff = this.opts.clock.now() - this.opts.retentionMs;
    for (const [k, e] of this.entries) {
      if (e.timestamp < cutoff) {
        this.entries.delete(k);
        await this.opts.remove(e);
      }
    }
  }
}

/**
 * Alertmanager's dedup decision: notify when something new fires, when everything resolved after a
 * firing notification, when resolved alerts changed (and the integration sends them), or when the
 * repeat interval has passed since the last notification.
 */
export function needsUpdate(
  entry: NflogEntry | undefined,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  sendResolved: boolean,
  repeatIntervalMs: number,
  now: number,
): boolean {
  if (!entry) return firing.size > 0;
  const prevFiring = new Set(entry.firing);
  for (const f of firing) if (!prevFiring.has(f)) return true;
  if (firing.size === 0) return entry.firing.length > 0;
  if (sendResolved) {
    const prevResolved = new Set(entry.resolved);
    for (const r of resolved) if (!prevResolved.has(r)) return true;
  }
  return entry.timestamp < now - repeatIntervalMs;
}
