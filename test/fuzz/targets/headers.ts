/**
 * Headers on push and query: `Authorization` (Bearer, Basic `tenant:token` naming another tenant,
 * malformed, huge, non-ASCII), `X-Scope-OrgID` naming the canary tenant (the gateway must ignore it),
 * `Content-Type` and `Content-Encoding` (each accepted value, parameters, lists, unknown ones) over a
 * valid remote-write body or a mutated one. Properties: no 5xx; an acknowledged push is queryable by
 * the fuzzed tenant; no answer ever holds the canary tenant's data, whatever the headers claim.
 *
 * The bad credentials get the client's address throttled (429) within a second, and a token the
 * gateway has not seen yet is refused from a throttled address without being looked up (by design: a
 * locked source learns nothing). So the valid credentials are sent from a second loopback address,
 * where the throttle must never answer them (a property), and one in eight from the throttled one,
 * where the exemption of known-good tokens is what is exercised.
 */
import fc from 'fast-check';
import { remoteWriteBody } from '../../helpers/remote-write.js';
import {
  assertNo5xx,
  assertNoCanary,
  call,
  type FuzzContext,
  oddString,
  pick,
  registerTarget,
  short,
} from '../harness.js';

/** The address the bad credentials come from (fetch's default), and the one only valid ones use. */
const THROTTLED_ADDRESS = undefined;
const CLEAN_ADDRESS = '127.0.0.2';

type Auth = { kind: 'bearer' | 'basic-self' | 'basic-canary' | 'none' } | { kind: 'raw'; value: string };

const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'bearer' as const }) },
  {
    weight: 1,
    arbitrary: pick({ kind: 'basic-self' as const }, { kind: 'basic-canary' as const }, { kind: 'none' as const }),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        pick(
          'Bearer',
          'Bearer ',
          'bearer x',
          'Basic',
          'Basic !!!',
          'Basic Og==',
          'Basic YTo=',
          'Digest x',
          'Bearer cxt_',
          `Bearer ${'a'.repeat(8000)}`,
          'Bearer\tx',
        ),
        oddString.map((s) => `Bearer ${s}`),
      )
      .map((value) => ({ kind: 'raw' as const, value })),
  },
);

const orgId = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: pick('canary', 'canary|fuzz', 'fuzz|canary', '*', '', '__proto__') },
  { weight: 1, arbitrary: oddString },
);

const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/x-protobuf') },
  pick(
    'application/x-protobuf',
    'application/x-protobuf;proto=prometheus.WriteRequest',
    'application/x-protobuf;proto=io.prometheus.write.v2.Request',
    'application/x-protobuf;proto=nosuch',
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '',
    ';;;',
    'application/x-protobuf; charset=utf-8; proto="prometheus.WriteRequest"',
  ),
  oddString,
);

const contentEncoding = fc.oneof(
  { weight: 4, arbitrary: fc.constant('snappy') },
  pick('snappy', 'gzip', 'deflate', 'br', 'zstd', 'identity', '', 'snappy, gzip', 'SNAPPY', 'x-snappy-framed'),
  oddString,
);

/** A valid body for the fuzzed tenant (a series labelled so it can be found), possibly cut or flipped. */
const pushBody = fc
  .tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.oneof(fc.constant(-1), fc.nat()), fc.nat())
  .map(([id, cut, flip]) => {
    const now = Date.now();
    const b = Buffer.from(
      remoteWriteBody([
        { labels: { __name__: 'fuzz_headers', run: String(id) }, samples: [{ value: id, timestamp: now }] },
      ]),
    );
    if (cut >= 0) return { id, body: b.subarray(0, cut % (b.length + 1)), intact: false };
    if (flip % 3 !== 0) return { id, body: b, intact: true };
    b[flip % b.length] = b[flip % b.length]! ^ (1 << (flip % 8));
    return { id, body: b, intact: false };
  });

const queryPath = pick(
  '/prometheus/api/v1/query?query=up',
  '/prometheus/api/v1/query?query=%7B__name__%3D~%22.%2B%22%7D',
  '/prometheus/api/v1/series?match[]=%7Bjob%3D~%22.%2B%22%7D',
  '/prometheus/api/v1/label/job/values',
  '/prometheus/api/v1/labels',
);

function authHeader(ctx: FuzzContext, a: Auth): Record<string, string> {
  switch (a.kind) {
    case 'bearer':
      return { authorization: `Bearer ${ctx.token}` };
    case 'basic-self':
      return { authorization: `Basic ${Buffer.from(`${ctx.tenant}:${ctx.token}`).toString('base64')}` };
    case 'basic-canary':
      // the canary tenant's name with the fuzzed tenant's token: must be refused, never the canary's data
      return { authorization: `Basic ${Buffer.from(`canary:${ctx.token}`).toString('base64')}` };
    case 'none':
      return {};
    case 'raw':
      return { authorization: a.value };
  }
}

/** The throttle counts failures per address (and claimed user): an address that never failed is never refused. */
function assertNotThrottled(clean: boolean, what: string, a: { status: number; text: string }): void {
  if (clean && a.status === 429) throw new Error(`${what}: throttled though its address never failed: ${a.text}`);
}

/** fetch refuses header values no HTTP client may send (control characters, non-Latin-1): skipped. */
function sendable(headers: Record<string, string>): boolean {
  return Object.values(headers).every((v) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v));
}

export const headers = registerTarget({
  name: 'headers',
  surface: 'Authorization, X-Scope-OrgID, Content-Type, Content-Encoding on /api/v1/push and the query API',
  arbitrary: fc.record({
    push: fc.boolean(),
    auth,
    orgId,
    contentType,
    contentEncoding,
    pushBody,
    queryPath,
    // for valid credentials: sent from the throttled address rather than the clean one
    viaThrottled: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  }),
  // about one input in 14 adds a series of one metric name: a fresh tenant before its 20,000 per name
  rotateEvery: 100_000,
  async run(ctx: FuzzContext, input) {
    const h: Record<string, string> = { ...authHeader(ctx, input.auth) };
    if (input.orgId !== undefined) h['x-scope-orgid'] = input.orgId;
    const valid = input.auth.kind === 'bearer' || input.auth.kind === 'basic-self';
    const clean = valid && !input.viaThrottled;
    const from = clean ? CLEAN_ADDRESS : THROTTLED_ADDRESS;
    if (!input.push) {
      if (!sendable(h)) return 0;
      const a = await call(ctx, 'GET', input.queryPath, { token: null, headers: h, from });
      const what = `GET ${input.queryPath} ${short(JSON.stringify(h))}${clean ? ' from the clean address' : ''}`;
      assertNo5xx(what, a);
      assertNoCanary(ctx, what, a);
      assertNotThrottled(clean, what, a);
      return a.status;
    }
    h['content-type'] = input.contentType;
    h['content-encoding'] = input.contentEncoding;
    h['x-prometheus-remote-write-version'] = '0.1.0';
    if (!sendable(h)) return 0;
    const a = await call(ctx, 'POST', '/api/v1/push', {
      token: null,
      headers: h,
      body: new Uint8Array(input.pushBody.body),
      from,
    });
    const what = `POST /api/v1/push ${short(JSON.stringify(h))} (${input.pushBody.body.length} bytes, intact ${input.pushBody.intact})${clean ? ' from the clean address' : ''}`;
    assertNo5xx(what, a);
    assertNoCanary(ctx, what, a);
    assertNotThrottled(clean, what, a);
    // a 2.0 receiver acknowledges what it wrote in a header (a 1.0 body read as 2.0 holds nothing)
    const written = a.headers?.get('x-prometheus-remote-write-samples-written');
    if (a.status === 204 && input.pushBody.intact && written !== '0') {
      // acknowledged: the fuzzed tenant reads it back
      const q = await call(
        ctx,
        'GET',
        `/prometheus/api/v1/series?match[]=${encodeURIComponent(`fuzz_headers{run="${input.pushBody.id}"}`)}`,
        { from: CLEAN_ADDRESS },
      );
      if (!q.text.includes(`"run":"${input.pushBody.id}"`))
        throw new Error(`${what}: acknowledged but not queryable: ${q.status} ${q.text}`);
    }
    return a.status;
  },
});
