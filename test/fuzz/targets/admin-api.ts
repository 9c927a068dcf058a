/**
 * The admin API, REST (`/admin/api/v1/...`) and RPC (`cortex.admin.v1.AdminService` over Connect's
 * JSON protocol on the HTTP port). The generator knows each route and method: its path parameters,
 * query parameters and body fields, filled with usual values, then odd ones (`__proto__`, lone
 * surrogates, 70,000 characters, NaN/±Inf/-0 as JSON text, 2^53 and beyond, wrong JSON types,
 * deep nesting) and byte mutations of the JSON text; credentials are mostly root's, sometimes none,
 * a garbage token or a tenant's token.
 *
 * Properties: no 5xx; every answer is JSON (REST's error body or Connect's); a created tenant reads
 * back; nothing of the canary tenant appears (its rule group and config are never addressed: the
 * tenant ids used are the `fz-*` pool and odd strings).
 */
import fc from 'fast-check';
import { ROOT_TOKEN } from '../../helpers/platform.js';
import {
  assertNo5xx,
  assertNoCanary,
  call,
  type FuzzContext,
  mutated,
  oddNumber,
  oddString,
  pick,
  registerTarget,
  segment,
  short,
} from '../harness.js';

const TENANTS = ['fz-a', 'fz-b', 'fz-gone'];
const tenantId = fc.oneof({ weight: 6, arbitrary: pick(...TENANTS) }, { weight: 2, arbitrary: oddString });

/** Any JSON value, odd ones included; depth-bounded except for the explicit nesting mutation. */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: oddString },
    { weight: 2, arbitrary: oddNumber.map((n) => (Number.isFinite(n) ? n : String(n))) },
    { weight: 1, arbitrary: pick(true, false, null) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(oddString, tie('value'), { maxKeys: 3 }) },
  ),
})).value;

const LIMIT_KEYS = ['ingestion_rate', 'max_global_series_per_user', 'retention_period', 'max_query_length', 'nosuch'];
const SCOPES = ['metrics:read', 'metrics:write', 'rules:read', 'rules:write', 'alerts:read', 'alerts:write', 'admin'];
const TIMES = ['2026-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '10000-01-01T00:00:00Z', 'now'];

/** A field value: a usual one for the field, or anything. */
const usual = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: arb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: jsonValue });
const labelsMap = fc.dictionary(oddString, oddString, { maxKeys: 3 });
const ruleGroup = fc.record({
  name: usual(pick('g1', 'g2')),
  interval: usual(pick('1m', '30s', '0s')),
  rules: usual(
    fc.array(fc.record({ record: usual(pick('fz:sum', 'x')), expr: usual(pick('sum(up)', 'up{', '1')) }), {
      maxLength: 2,
    }),
  ),
});

/** A REST call: method, path (parameters already percent-encoded), JSON body fields. */
const rest: fc.Arbitrary<{ method: string; path: string; body?: unknown; query?: string }> = fc.oneof(
  fc
    .record({ id: usual(tenantId), displayName: usual(oddString), labels: usual(labelsMap) })
    .map((body) => ({ method: 'POST', path: '/tenants', body })),
  fc
    .record({
      status: pick('active', 'suspended', 'deleted', 'x'),
      limit: fc.oneof(pick('1', '100', '0', '-1', '1e400', '0x10', '9007199254740993'), oddString),
      cursor: oddString,
    })
    .map((q) => ({ method: 'GET', path: '/tenants', query: new URLSearchParams(q).toString() })),
  fc
    .tuple(
      pick('GET', 'DELETE', 'PATCH'),
      tenantId,
      fc.record({ displayName: usual(oddString), labels: usual(labelsMap) }),
    )
    .map(([method, id, body]) => ({
      method,
      path: `/tenants/${segment(id)}`,
      ...(method === 'PATCH' ? { body } : {}),
    })),
  fc
    .tuple(pick('suspend', 'resume'), tenantId)
    .map(([op, id]) => ({ method: 'POST', path: `/tenants/${segment(id)}/${op}` })),
  fc
    .tuple(
      tenantId,
      fc.record({
        scopes: usual(fc.array(pick(...SCOPES), { maxLength: 3 })),
        name: usual(oddString),
        expiresAt: usual(pick(...TIMES)),
        federate: usual(fc.array(tenantId, { maxLength: 3 })),
      }),
    )
    .map(([id, body]) => ({ method: 'POST', path: `/tenants/${segment(id)}/tokens`, body })),
  fc.tuple(pick('GET', 'DELETE'), tenantId, oddString).map(([method, id, tok]) => ({
    method,
    path: method === 'GET' ? `/tenants/${segment(id)}/tokens` : `/tenants/${segment(id)}/tokens/${segment(tok)}`,
  })),
  fc
    .tuple(
      pick('GET', 'PUT', 'PATCH'),
      tenantId,
      fc.dictionary(pick(...LIMIT_KEYS), usual(fc.oneof(oddNumber, pick('14d', '1h', '-5m', null))), { maxKeys: 3 }),
    )
    .map(([method, id, body]) => ({
      method,
      path: `/tenants/${segment(id)}/limits`,
      ...(method === 'GET' ? {} : { body }),
    })),
  fc
    .tuple(tenantId, fc.oneof(pick(...LIMIT_KEYS), oddString))
    .map(([id, key]) => ({ method: 'DELETE', path: `/tenants/${segment(id)}/limits/${segment(key)}` })),
  fc
    .tuple(pick('GET', 'PUT', 'DELETE'), tenantId, oddString, oddString, ruleGroup)
    .map(([method, id, ns, group, body]) => ({
      method,
      path:
        method === 'GET'
          ? `/tenants/${segment(id)}/rules/${segment(ns)}`
          : `/tenants/${segment(id)}/rules/${segment(ns)}/${segment(group)}`,
      ...(method === 'PUT' ? { body } : {}),
    })),
  fc
    .tuple(
      pick('GET', 'PUT', 'DELETE'),
      tenantId,
      fc.record({
        config: usual(pick('route:\n  receiver: r\nreceivers:\n  - name: r\n', 'route: {', '')),
        templates: usual(fc.dictionary(oddString, oddString, { maxKeys: 2 })),
      }),
    )
    .map(([method, id, body]) => ({
      method,
      path: `/tenants/${segment(id)}/alertmanager`,
      ...(method === 'PUT' ? { body } : {}),
    })),
  fc
    .tuple(
      pick('GET', 'POST'),
      tenantId,
      fc.record({
        match: usual(fc.array(pick('up{job="api"}', '{__name__=~".+"}', 'up{', 'sum(up)'), { maxLength: 2 })),
        start: usual(fc.oneof(pick(...TIMES), oddNumber)),
        end: usual(fc.oneof(pick(...TIMES), oddNumber)),
      }),
    )
    .map(([method, id, body]) => ({
      method,
      path: `/tenants/${segment(id)}/delete-series`,
      ...(method === 'POST' ? { body } : {}),
    })),
  fc
    .record({ id: tenantId, from: oddString, to: oddString, by: pick('minute', 'hour', 'day', 'week', '') })
    .map(({ id, ...q }) => ({
      method: 'GET',
      path: `/tenants/${segment(id)}/usage/report`,
      query: new URLSearchParams(q).toString(),
    })),
  fc
    .record({
      tenant: oddString,
      action: oddString,
      since: oddString,
      until: oddString,
      limit: oddString,
      cursor: oddString,
    })
    .map((q) => ({ method: 'GET', path: '/audit', query: new URLSearchParams(q).toString() })),
  fc
    .record({ name: usual(oddString), role: usual(pick('admin', 'viewer', 'root')), expiresAt: usual(pick(...TIMES)) })
    .map((body) => ({ method: 'POST', path: '/admin-tokens', body })),
  oddString.map((id) => ({ method: 'DELETE', path: `/admin-tokens/${segment(id)}` })),
  fc
    .record({ token: usual(fc.oneof(oddString, fc.constant(ROOT_TOKEN))) })
    .map((body) => ({ method: 'POST', path: '/sessions', body })),
);

/** An RPC call: method name and its JSON request message. */
const rpc: fc.Arbitrary<{ method: string; body: unknown }> = fc.oneof(
  fc
    .record({ id: usual(tenantId), displayName: usual(oddString), labels: usual(labelsMap) })
    .map((body) => ({ method: 'CreateTenant', body })),
  fc
    .record({ id: usual(tenantId) })
    .chain((body) => pick('GetTenant', 'DeleteTenant').map((method) => ({ method, body }))),
  fc
    .record({
      pageSize: usual(oddNumber),
      pageToken: usual(oddString),
      state: usual(pick<unknown>('TENANT_STATE_ACTIVE', 2, 'X')),
    })
    .map((body) => ({ method: 'ListTenants', body })),
  fc
    .record({
      tenant: usual(
        fc.record({
          id: usual(tenantId),
          displayName: usual(oddString),
          state: usual(pick<unknown>(1, 2, 3, 'TENANT_STATE_SUSPENDED')),
        }),
      ),
      updateMask: usual(pick('displayName', 'labels', 'state', 'displayName,state', 'nosuch', '')),
    })
    .map((body) => ({ method: 'UpdateTenant', body })),
  fc
    .record({
      tenantId: usual(tenantId),
      scopes: usual(fc.array(pick(...SCOPES), { maxLength: 3 })),
      name: usual(oddString),
      expireTime: usual(pick(...TIMES)),
      federate: usual(fc.array(tenantId, { maxLength: 2 })),
    })
    .map((body) => ({ method: 'CreateToken', body })),
  fc
    .record({ tenantId: usual(tenantId), tokenId: usual(oddString) })
    .chain((body) =>
      pick(
        'ListTokens',
        'RevokeToken',
        'GetLimits',
        'ListRuleGroups',
        'GetAlertmanagerConfig',
        'DeleteAlertmanagerConfig',
        'ListSeriesDeletions',
        'GetUsage',
      ).map((method) => ({ method, body })),
    ),
  fc
    .record({
      tenantId: usual(tenantId),
      limits: usual(
        fc.dictionary(
          pick(...LIMIT_KEYS),
          fc.oneof(
            oddNumber.map((n) => ({ number: Number.isFinite(n) ? n : String(n) })),
            pick({ duration: '14d' }, { duration: '-1s' }, { names: { names: ['a', '__proto__'] } }, { name: 'x' }, {}),
          ),
          { maxKeys: 3 },
        ),
      ),
      replace: usual(fc.boolean()),
    })
    .map((body) => ({ method: 'SetLimits', body })),
  fc
    .record({
      tenantId: usual(tenantId),
      keys: usual(fc.array(fc.oneof(pick(...LIMIT_KEYS), oddString), { maxLength: 2 })),
    })
    .map((body) => ({ method: 'ResetLimits', body })),
  fc
    .record({
      tenantId: usual(tenantId),
      namespace: usual(oddString),
      name: usual(oddString),
      ruleGroup: usual(ruleGroup),
    })
    .chain((body) =>
      pick('GetRuleGroup', 'SetRuleGroup', 'DeleteRuleGroup', 'DeleteRuleNamespace').map((method) => ({
        method,
        body,
      })),
    ),
  fc
    .record({
      tenantId: usual(tenantId),
      config: usual(pick('route:\n  receiver: r\nreceivers:\n  - name: r\n', 'route: {')),
      templates: usual(fc.dictionary(oddString, oddString, { maxKeys: 2 })),
    })
    .map((body) => ({ method: 'SetAlertmanagerConfig', body })),
  fc
    .record({
      tenantId: usual(tenantId),
      matchers: usual(fc.array(pick('up{job="api"}', '{__name__=~".+"}', 'up{'), { maxLength: 2 })),
      start: usual(pick(...TIMES)),
      end: usual(pick(...TIMES)),
    })
    .map((body) => ({ method: 'DeleteSeries', body })),
  fc
    .record({
      pageSize: usual(oddNumber),
      pageToken: usual(oddString),
      tenantId: usual(oddString),
      action: usual(oddString),
    })
    .map((body) => ({ method: 'ListAuditEvents', body })),
  fc
    .record({
      tenantId: usual(tenantId),
      startTime: usual(pick(...TIMES)),
      endTime: usual(pick(...TIMES)),
      resolution: usual(pick(0, 1, 2, 3, 99)),
    })
    .map((body) => ({ method: 'GetUsageReport', body })),
  fc
    .record({
      name: usual(oddString),
      role: usual(pick<unknown>('ADMIN_ROLE_ADMIN', 'ADMIN_ROLE_VIEWER', 7)),
      id: usual(oddString),
    })
    .chain((body) =>
      pick('CreateAdminToken', 'ListAdminTokens', 'RevokeAdminToken').map((method) => ({ method, body })),
    ),
  oddString.map((method) => ({ method, body: {} })),
);

type Cred = 'root' | 'none' | 'garbage' | 'tenant';
const cred: fc.Arbitrary<Cred> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('root' as const) },
  { weight: 1, arbitrary: pick('none' as const, 'garbage' as const, 'tenant' as const) },
);

const JSON_TOKENS = [
  'NaN',
  '-0',
  '1e400',
  '9007199254740993',
  '"\\ud800"',
  '{"__proto__":1}',
  '"constructor"',
  ',',
  ']',
  '}',
];

/** The JSON text of a body: as is, or with bytes mutated (truncated, flipped, nested 2,000 deep…). */
const jsonText = (body: unknown) => JSON.stringify(body) ?? 'null';
const bodyBytes = (arb: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 3, arbitrary: arb.map((b) => Buffer.from(jsonText(b), 'utf8') as Uint8Array) },
    { weight: 1, arbitrary: mutated(arb.map(jsonText), JSON_TOKENS) },
  );

function token(ctx: FuzzContext, c: Cred): string | null {
  return c === 'root' ? ROOT_TOKEN : c === 'none' ? null : c === 'garbage' ? 'cxa_not_a_token' : ctx.token;
}

function assertJson(what: string, a: { status: number; text: string }): void {
  if (a.text === '') return;
  try {
    JSON.parse(a.text);
  } catch {
    throw new Error(`${what}: the answer is not JSON: ${a.status} ${short(a.text)}`);
  }
}

export const adminRest = registerTarget({
  name: 'admin-rest',
  // inputs create, change and delete the same few tenants: two at once could undo each other
  concurrent: false,
  surface: 'admin REST API bodies, path and query parameters under /admin/api/v1',
  arbitrary: fc.record({
    call: rest.chain((r) =>
      r.body === undefined
        ? fc.constant({ ...r, bytes: undefined as Uint8Array | undefined })
        : bodyBytes(fc.constant(r.body)).map((bytes) => ({ ...r, bytes })),
    ),
    cred,
  }),
  async run(ctx, { call: c, cred: k }) {
    const path = `/admin/api/v1${c.path}${c.query ? `?${c.query}` : ''}`;
    const a = await call(ctx, c.method, path, {
      token: token(ctx, k),
      ...(c.bytes !== undefined ? { body: c.bytes, headers: { 'content-type': 'application/json' } } : {}),
    });
    const what = `${c.method} ${short(path, 200)} as ${k} (${c.bytes?.length ?? 0} bytes): ${a.status} ${short(a.text)}`;
    assertNo5xx(what, a);
    if (a.status !== 431 && a.status !== 414) assertJson(what, a);
    if (!c.path.startsWith('/audit')) assertNoCanary(ctx, what, a);
    if (c.method === 'POST' && c.path === '/tenants' && a.status === 201) {
      const id = (JSON.parse(a.text) as { id: string }).id;
      const g = await call(ctx, 'GET', `/admin/api/v1/tenants/${segment(id)}`, { token: ROOT_TOKEN });
      if (g.status !== 200)
        throw new Error(`${what}: created tenant ${JSON.stringify(id)} reads back ${g.status} ${g.text}`);
    }
    return a.status;
  },
});

export const adminRpc = registerTarget({
  name: 'admin-rpc',
  // inputs create, change and delete the same few tenants: two at once could undo each other
  concurrent: false,
  surface: 'admin RPC (cortex.admin.v1.AdminService) request messages over Connect JSON',
  arbitrary: fc.record({
    call: rpc.chain((r) => bodyBytes(fc.constant(r.body)).map((bytes) => ({ method: r.method, bytes }))),
    cred,
    contentType: fc.oneof(
      { weight: 8, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: pick('application/proto', 'text/plain', 'application/json; charset=latin1', '') },
    ),
  }),
  async run(ctx, { call: c, cred: k, contentType }) {
    const path = `/cortex.admin.v1.AdminService/${segment(c.method)}`;
    const a = await call(ctx, 'POST', path, {
      token: token(ctx, k),
      body: c.bytes,
      headers: { 'content-type': contentType, 'connect-protocol-version': '1' },
    });
    const what = `RPC ${short(c.method, 100)} as ${k} (${contentType}, ${c.bytes.length} bytes): ${a.status} ${short(a.text)}`;
    assertNo5xx(what, a);
    if (contentType.startsWith('application/json') && a.status !== 415) assertJson(what, a);
    if (c.method !== 'ListAuditEvents') assertNoCanary(ctx, what, a);
    if (c.method === 'CreateTenant' && a.status === 200) {
      const id = (JSON.parse(a.text) as { tenant: { id: string } }).tenant.id;
      const g = await call(ctx, 'POST', '/cortex.admin.v1.AdminService/GetTenant', {
        token: ROOT_TOKEN,
        body: JSON.stringify({ id }),
        headers: { 'content-type': 'application/json' },
      });
      if (g.status !== 200)
        throw new Error(`${what}: created tenant ${JSON.stringify(id)} reads back ${g.status} ${g.text}`);
    }
    return a.status;
  },
});
