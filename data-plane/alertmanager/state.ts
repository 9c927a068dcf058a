import { createHash } from 'node:crypto';
import type { TenantId } from '../model/index.js';
import type { SortedKV } from '../storage/kv/index.js';
import type { NflogEntry } from './nflog.js';
import type { Silence } from './silences.js';

/** Where silences and the notification log live, so a restart keeps both. */
export interface AlertmanagerStateStore {
  loadSilences(tenant: TenantId): Promise<Silence[]>;
  putSilence(tenant: TenantId, s: Silence): Promise<void>;
  deleteSilence(tenant: TenantId, id: string): Promise<void>;
  loadNotificationLog(tenant: TenantId): Promise<NflogEntry[]>;
  /** One notification log entry (a replica's check of what the others sent), or undefined. */
  getNotification(tenant: TenantId, groupKey: string, receiver: string): Promise<NflogEntry | undefined>;
  putNotification(tenant: TenantId, e: NflogEntry): Promise<void>;
  deleteNotification(tenant: TenantId, e: NflogEntry): Promise<void>;
}

/** Keeps state in memory only (tests, or a deliberately stateless deployment). */
export class MemoryStateStore implements AlertmanagerStateStore {
  private readonly silences = new Map<string, Map<string, Silence>>();
  private readonly nflog = new Map<string, Map<string, NflogEntry>>();

  async loadSilences(t: TenantId): Promise<Silence[]> {
    return [...(this.silences.get(t)?.values() ?? [])];
  }
  async putSilence(t: TenantId, s: Silence): Promise<void> {
    sub(this.silences, t).set(s.id, s);
  }
  async deleteSilence(t: TenantId, id: string): Promise<void> {
    this.silences.get(t)?.delete(id);
  }
  async loadNotificationLog(t: TenantId): Promise<NflogEntry[]> {
    return [...(this.nflog.get(t)?.values() ?? [])];
  }
  async getNotification(t: TenantId, groupKey: string, receiver: string): Promise<NflogEntry | undefined> {
    return this.nflog.get(t)?.get(nflogId({ groupKey, receiver }));
  }
  async putNotification(t: TenantId, e: NflogEntry): Promise<void> {
    sub(this.nflog, t).set(nflogId(e), e);
  }
  async deleteNotification(t: TenantId, e: NflogEntry): Promise<void> {
    this.nflog.get(t)?.delete(nflogId(e));
  }
}

function sub<V>(m: Map<string, Map<string, V>>, t: string): Map<string, V> {
  let x = m.get(t);
  if (!x) m.set(t, (x = new Map()));
  return x;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * State over the sorted KV seam: `alertmanager/<tenant>/s/<silence id>` and
 * `alertmanager/<tenant>/n/<sha256 of group key and receiver>`, JSON values. The trailing slash after
 * the tenant keeps tenant `a` from scanning tenant `ab`.
 */
export class KVStateStore implements AlertmanagerStateStore {
  constructor(private readonly kv: SortedKV) {}

  async loadSilences(t: TenantId): Promise<Silence[]> {
    return (await this.kv.scan({ prefix: key(t, 's/') })).map((e) => JSON.parse(dec.decode(e.value)) as Silence);
  }
  async putSilence(t: TenantId, s: Silence): Promise<void> {
    await this.kv.put([{ key: key(t, `s/${s.id}`), value: enc.encode(JSON.stringify(s)) }]);
  }
  async deleteSilence(t: TenantId, id: string): Promise<void> {
    await this.kv.deleteKeys([key(t, `s/${id}`)]);
  }
  async loadNotificationLog(t: TenantId): Promise<NflogEntry[]> {
    return (await this.kv.scan({ prefix: key(t, 'n/') })).map((e) => JSON.parse(dec.decode(e.value)) as NflogEntry);
  }
  async getNotification(t: TenantId, groupKey: string, receiver: string): Promise<NflogEntry | undefined> {
    const v = await this.kv.get(key(t, `n/${nflogId({ groupKey, receiver })}`));
    return v ? (JSON.parse(dec.decode(v)) as NflogEntry) : undefined;
  }
  async putNotification(t: TenantId, e: NflogEntry): Promise<void> {
    await this.kv.put([{ key: key(t, `n/${nflogId(e)}`), value: enc.encode(JSON.stringify(e)) }]);
  }
  async deleteNotification(t: TenantId, e: NflogEntry): Promise<void> {
    await this.kv.deleteKeys([key(t, `n/${nflogId(e)}`)]);
  }
}

function key(t: TenantId, rest: string): Uint8Array {
  return enc.encode(`alertmanager/${t}/${rest}`);
}

function nflogId(e: Pick<NflogEntry, 'groupKey' | 'receiver'>): string {
  return createHash('sha256').update(e.groupKey).update('\u0000').update(e.receiver).digest('hex');
}
