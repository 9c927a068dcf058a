import { BadDataError, type Matcher, matchesAll, type TenantId } from '../model/index.js';
import { type Alert, isResolved, type PostableAlert, parseApiTime } from './alert.js';
import { parseMatchers } from './config/index.js';
import type { MultitenantAlertmanager } from './multitenant.js';
import { goTime } from './notify/index.js';
import type { ApiCall, PeerCall, Query } from './peers.js';
import { type Silence, type SilenceMatcher, silenceState } from './silences.js';
import type { TenantAlertmanager } from './tenant.js';

export type { Query };

export interface AlertmanagerApiOptions {
  version: string;
  now: () => number;
}

/**
 * The Alertmanager v2 API (0.25 OpenAPI shapes) without HTTP: each method takes the tenant and the
 * decoded request and returns the JSON body, throwing CortexErrors the edge maps to status codes.
 * Sharded, an instance that does not run the tenant forwards the request to one of its replicas;
 * posted alerts go to all of them.
 */
export class AlertmanagerApi {
  constructor(
    private readonly am: MultitenantAlertmanager,
    private readonly opts: AlertmanagerApiOptions,
  ) {}

  getAlerts(tenantId: TenantId, query: Query): Promise<unknown[]> {
    return this.call(tenantId, { op: 'getAlerts', query }) as Promise<unknown[]>;
  }

  async postAlerts(tenantId: TenantId, body: unknown): Promise<void> {
    await this.am.postAlerts(tenantId, alertList(body));
  }

  getAlertGroups(tenantId: TenantId, query: Query): Promise<unknown[]> {
    return this.call(tenantId, { op: 'getAlertGroups', query }) as Promise<unknown[]>;
  }

  getSilences(tenantId: TenantId, query: Query): Promise<unknown[]> {
    return this.call(tenantId, { op: 'getSilences', query }) as Promise<unknown[]>;
  }

  postSilence(tenantId: TenantId, body: unknown): Promise<{ silenceID: string }> {
    return this.call(tenantId, { op: 'postSilence', body }) as Promise<{ silenceID: string }>;
  }

  getSilence(tenantId: TenantId, id: string): Promise<unknown> {
    return this.call(tenantId, { op: 'getSilence', id });
  }

  async deleteSilence(tenantId: TenantId, id: string): Promise<void> {
    await this.call(tenantId, { op: 'deleteSilence', id });
  }

  getStatus(tenantId: TenantId): Promise<unknown> {
    return this.call(tenantId, { op: 'getStatus' });
  }

  getReceivers(tenantId: TenantId): Promise<unknown[]> {
    return this.call(tenantId, { op: 'getReceivers' }) as Promise<unknown[]>;
  }

  /** Serves the call here when this instance runs the tenant, else from one of its replicas. */
  async call(tenantId: TenantId, c: ApiCall): Promise<unknown> {
    if (this.am.owns(tenantId)) return this.callLocal(tenantId, c);
    const r = await this.am.forward(tenantId, { op: 'api', call: c });
    return r === null ? undefined : r;
  }

  /** What a peer asks of this instance: never forwarded again. */
  async handlePeer(tenantId: TenantId, c: PeerCall): Promise<unknown> {
    switch (c?.op) {
      case 'receiveAlerts':
        return this.am.receiveAlerts(tenantId, alertList(c.alerts));
      case 'mergeSilences':
        if (!Array.isArray(c.silences)) throw new BadDataError('silences must be a list');
        return this.am.mergeSilences(tenantId, c.silences);
      case 'api':
        return this.callLocal(tenantId, c.call);
      default:
        throw new BadDataError('unknown peer call');
    }
  }

  /** Serves an API call from this instance's replica of the tenant. */
  callLocal(tenantId: TenantId, c: ApiCall): Promise<unknown> {
    switch (c?.op) {
      case 'getAlerts':
        return this.localAlerts(tenantId, c.query ?? {});
      case 'getAlertGroups':
        return this.localAlertGroups(tenantId, c.query ?? {});
      case 'getSilences':
        return this.localSilences(tenantId, c.query ?? {});
      case 'postSilence':
        return this.localPostSilence(tenantId, c.body);
      case 'getSilence':
        return this.localGetSilence(tenantId, String(c.id));
      case 'deleteSilence':
        return this.localDeleteSilence(tenantId, String(c.id));
      case 'getStatus':
        return this.localStatus(tenantId);
      case 'getReceivers':
        return this.localReceivers(tenantId);
      default:
        return Promise.reject(new BadDataError('unknown Alertmanager API call'));
    }
  }

  private async localAlerts(tenantId: TenantId, q: Query): Promise<unknown[]> {
    const t = await this.am.tenant(tenantId);
    const f = alertFilter(q);
    const now = this.opts.now();
    return t
      .listAlerts()
      .filter((a) => !isResolved(a, now))
      .map((a) => gettableAlert(t, a))
      .filter((g) => f(g.alert, g.view))
      .map((g) => g.view)
      .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
  }

  private async localAlertGroups(tenantId: TenantId, q: Query): Promise<unknown[]> {
    const t = await this.am.tenant(tenantId);
    const f = alertFilter(q);
    const now = this.opts.now();
    const out: unknown[] = [];
    for (const g of t.groups()) {
      const alerts = g.alerts
        .filter((a) => !isResolved(a, now))
        .map((a) => gettableAlert(t, a))
        .filter((x) => f(x.alert, x.view, g.route.config.receiver))
        .map((x) => x.view);
      if (alerts.length === 0) continue;
      out.push({ labels: g.groupLabels.toObject(), receiver: { name: g.route.config.receiver }, alerts });
    }
    return out;
  }

  private async localSilences(tenantId: TenantId, q: Query): Promise<unknown[]> {
    const t = await this.am.tenant(tenantId);
    const filters = matcherParams(q.filter);
    const now = this.opts.now();
    const order = { active: 0, pending: 1, expired: 2 };
    return t.silences
      .list()
      .filter((s) => filters.every((m) => s.matchers.some((sm) => sm.name === m.name && m.matches(sm.value))))
      .sort((a, b) => {
        const d = order[silenceState(a, now)] - order[silenceState(b, now)];
        if (d !== 0) return d;
        return silenceState(a, now) === 'expired' ? b.endsAt - a.endsAt : a.endsAt - b.endsAt;
      })
      .map((s) => gettableSilence(s, now));
  }

  private async localPostSilence(tenantId: TenantId, body: unknown): Promise<{ silenceID: string }> {
    const t = await this.am.tenant(tenantId);
    const p = postableSilence(body);
    return { silenceID: await t.silences.set(p) };
  }

  private async localGetSilence(tenantId: TenantId, id: string): Promise<unknown> {
    const t = await this.am.tenant(tenantId);
    return gettableSilence(t.silences.get(id), this.opts.now());
  }

  private async localDeleteSilence(tenantId: TenantId, id: string): Promise<void> {
    await (await this.am.tenant(tenantId)).silences.expire(id);
  }

  private async localStatus(tenantId: TenantId): Promise<unknown> {
    const t = await this.am.tenant(tenantId);
    return {
      cluster: this.am.clusterStatus(tenantId),
      config: { original: t.config.raw },
      uptime: goTime(this.am.startedAt),
      versionInfo: {
        branch: 'main',
        buildDate: '',
        buildUser: '',
        goVersion: `node${process.versions.node}`,
        revision: '',
        version: this.opts.version,
      },
    };
  }

  private async localReceivers(tenantId: TenantId): Promise<unknown[]> {
    const t = await this.am.tenant(tenantId);
    return t.config.config.receivers.map((r) => ({ name: r.name }));
  }
}

function alertList(body: unknown): PostableAlert[] {
  if (!Array.isArray(body)) throw new BadDataError('body must be a JSON array of alerts');
  for (const a of body) {
    if (a === null || typeof a !== 'object' || Array.isArray(a)) throw new BadDataError('each alert must be an object');
  }
  return body as PostableAlert[];
}

interface AlertView {
  fingerprint: string;
  [k: string]: unknown;
}

function gettableAlert(
  t: TenantAlertmanager,
  a: Alert,
): { alert: Alert; view: AlertView; silenced: boolean; inhibited: boolean } {
  const silencedBy = t.silences.mutedBy(a.labels);
  const inhibitedBy = t.inhibitedBy(a);
  const view: AlertView = {
    annotations: a.annotations.toObject(),
    endsAt: goTime(a.endsAt),
    fingerprint: a.fingerprint,
    receivers: t.receiversFor(a.labels).map((name) => ({ name })),
    startsAt: goTime(a.startsAt),
    status: {
      inhibitedBy,
      silencedBy,
      state: silencedBy.length > 0 || inhibitedBy.length > 0 ? 'suppressed' : 'active',
    },
    updatedAt: goTime(a.updatedAt),
    generatorURL: a.generatorURL,
    labels: a.labels.toObject(),
  };
  return { alert: a, view, silenced: silencedBy.length > 0, inhibited: inhibitedBy.length > 0 };
}

/** `active`, `silenced`, `inhibited` (default true), `filter` matchers and a `receiver` regex. */
function alertFilter(q: Query): (a: Alert, v: AlertView, groupReceiver?: string) => boolean {
  const flag = (k: string) => {
    const v = one(q[k]);
    if (v === undefined || v === '') return true;
    if (v !== 'true' && v !== 'false') throw new BadDataError(`${k} must be true or false`);
    return v === 'true';
  };
  const active = flag('active');
  const silenced = flag('silenced');
  const inhibited = flag('inhibited');
  const matchers = matcherParams(q.filter);
  const recv = one(q.receiver);
  let re: RegExp | undefined;
  if (recv) {
    try {
      re = new RegExp(`^(?:${recv})$`);
    } catch {
      throw new BadDataError(`failed to parse receiver param: ${recv}`);
    }
  }
  return (a, v, groupReceiver) => {
    const st = v.status as { silencedBy: string[]; inhibitedBy: string[] };
    const isSil = st.silencedBy.length > 0;
    const isInh = st.inhibitedBy.length > 0;
    if (!silenced && isSil) return false;
    if (!inhibited && isInh) return false;
    if (!active && !isSil && !isInh) return false;
    if (!matchesAll(matchers, a.labels)) return false;
    if (re) {
      const names =
        groupReceiver !== undefined ? [groupReceiver] : (v.receivers as { name: string }[]).map((r) => r.name);
      if (!names.some((n) => re.test(n))) return false;
    }
    return true;
  };
}

function matcherParams(v: string | string[] | undefined): Matcher[] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list.flatMap((s) => {
    try {
      return parseMatchers(s);
    } catch (e) {
      throw new BadDataError(`bad matcher format: ${(e as Error).message}`);
    }
  });
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function gettableSilence(s: Silence, now: number): unknown {
  return {
    id: s.id,
    status: { state: silenceState(s, now) },
    updatedAt: goTime(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: goTime(s.endsAt),
    matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual })),
    startsAt: goTime(s.startsAt),
  };
}

function postableSilence(body: unknown): Omit<Silence, 'id' | 'updatedAt'> & { id?: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new BadDataError('body must be a silence object');
  const b = body as Record<string, unknown>;
  const str = (k: string, required: boolean) => {
    const v = b[k];
    if (v === undefined && !required) return '';
    if (typeof v !== 'string') throw new BadDataError(`${k} must be a string`);
    return v;
  };
  const time = (k: string) => parseApiTime(str(k, true), k);
  if (!Array.isArray(b.matchers)) throw new BadDataError('matchers must be a list');
  const matchers: SilenceMatcher[] = b.matchers.map((m: unknown) => {
    const x = (m ?? {}) as Record<string, unknown>;
    if (typeof x.name !== 'string' || typeof x.value !== 'string' || typeof x.isRegex !== 'boolean') {
      throw new BadDataError('each matcher needs name, value and isRegex');
    }
    if (x.isEqual !== undefined && typeof x.isEqual !== 'boolean') throw new BadDataError('isEqual must be a boolean');
    return { name: x.name, value: x.value, isRegex: x.isRegex, isEqual: x.isEqual ?? true };
  });
  const out: Omit<Silence, 'id' | 'updatedAt'> & { id?: string } = {
    matchers,
    startsAt: time('startsAt'),
    endsAt: time('endsAt'),
    createdBy: str('createdBy', true),
    comment: str('comment', true),
  };
  const id = str('id', false);
  if (id !== '') out.id = id;
  return out;
}
