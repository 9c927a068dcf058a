/**
 * Query API parameters (`time`, `start`, `end`, `step`, `match[]`, `limit`, `timeout`, `lookback_delta`)
 * on `/prometheus/api/v1/query_range`, `/query`, `/series`, `/labels` and `/label/<name>/values`, by GET
 * and by form POST: RFC 3339 and float times at and beyond 2^53 ms, durations in Go and float forms,
 * selectors with odd matchers. Properties: no 5xx other than a query timeout's 503; always the
 * Prometheus JSON envelope; nothing of the canary tenant in any answer (it holds series named and
 * labelled with the canary mark, which `{__name__=~".+"}` or a label scan would find if it leaked).
 */
import fc from 'fast-check';
import {
  type Answer,
  assertNo5xx,
  assertNoCanary,
  call,
  type FuzzContext,
  oddNumber,
  oddString,
  pick,
  registerTarget,
  segment,
  short,
} from '../harness.js';

const now = Math.floor(Date.now() / 1000);

const time = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: now - 7200, max: now + 60 }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: now - 7200, max: now }).map((s) => new Date(s * 1000).toISOString()) },
  {
    weight: 3,
    arbitrary: pick(
      '0',
      '-1',
      '1e10',
      '9007199254740.992',
      '9007199254740993',
      '9223372036854775807',
      '-9223372036854775808',
      '18446744073709551616',
      '1e300',
      'NaN',
      'Inf',
      '-Inf',
      '+Inf',
      '-0',
      '0x10',
      '1_000',
      '',
      ' ',
      'now',
      '2023-11-14T22:13:20Z',
      '2023-11-14T22:13:20.123456789+01:00',
      '2023-02-30T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '+275760-09-13T00:00:00Z',
      '-271821-04-20T00:00:00Z',
      '1970-01-01T00:00:00',
      '１７',
    ),
  },
  { weight: 1, arbitrary: oddNumber.map(String) },
  { weight: 1, arbitrary: oddString },
);

const duration = fc.oneof(
  { weight: 5, arbitrary: pick('15', '15s', '1m', '60', '0.5', '5m', '1h') },
  {
    weight: 2,
    arbitrary: pick(
      '0',
      '-1',
      '-5m',
      'NaN',
      'Inf',
      '1e30',
      '1e-9',
      '0.0001',
      '1ms',
      '100000000000000000000y',
      '5m5m',
      '1h30m',
      '',
      '9007199254740993',
    ),
  },
  { weight: 1, arbitrary: oddNumber.map(String) },
  { weight: 1, arbitrary: oddString },
);

const selector = fc.oneof(
  {
    weight: 5,
    arbitrary: pick(
      'up',
      '{job="api"}',
      '{__name__=~".+"}',
      'http_requests_total{instance=~"a.*"}',
      '{__name__!=""}',
      '{job=~".*"}',
      '{secret!=""}',
    ),
  },
  {
    weight: 2,
    arbitrary: pick(
      '',
      '{}',
      '{job=""}',
      'up{',
      '{__name__=~"("}',
      'sum(up)',
      '{job=~"x{1001}"}',
      '{"__proto__"="x"}',
      '{constructor!=""}',
      'up[5m]',
    ),
  },
  { weight: 1, arbitrary: oddString },
);

const labelName = fc.oneof(
  { weight: 4, arbitrary: pick('job', '__name__', 'instance', 'secret', 'missing') },
  {
    weight: 2,
    arbitrary: pick('__proto__', 'constructor', 'U__job', 'U__6f_', 'a.b', '...', '%2F', 'x'.repeat(2000), ''),
  },
  // fetch resolves `.` and `..` segments (even escaped) before sending: they never reach the server
  { weight: 1, arbitrary: oddString.filter((s) => s !== '.' && s !== '..') },
);

const opt = <T>(a: fc.Arbitrary<T>, p = 0.6) => fc.option(a, { freq: Math.round(1 / (1 - p)) + 1, nil: undefined });

const query = fc.oneof(
  pick(
    'up',
    'sum(rate(http_requests_total[5m]))',
    'count({__name__=~".+"})',
    'vector(1)',
    'up[5m]',
    'sum by (secret) (up)',
  ),
  oddString,
);

const request = fc.oneof(
  fc
    .record({
      query,
      start: opt(time, 0.9),
      end: opt(time, 0.9),
      step: opt(duration, 0.9),
      timeout: opt(duration, 0.2),
      lookback_delta: opt(duration, 0.1),
    })
    .map((p) => ({ path: '/prometheus/api/v1/query_range', params: p as Record<string, unknown> })),
  fc
    .record({ query, time: opt(time), timeout: opt(duration, 0.2), limit: opt(oddNumber.map(String), 0.2) })
    .map((p) => ({ path: '/prometheus/api/v1/query', params: p as Record<string, unknown> })),
  fc
    .record({
      'match[]': fc.array(selector, { maxLength: 3 }),
      start: opt(time),
      end: opt(time),
      limit: opt(fc.oneof(oddNumber.map(String), oddString), 0.3),
    })
    .map((p) => ({ path: '/prometheus/api/v1/series', params: p as Record<string, unknown> })),
  fc
    .record({
      'match[]': fc.array(selector, { maxLength: 2 }),
      start: opt(time),
      end: opt(time),
      limit: opt(oddNumber.map(String), 0.3),
    })
    .map((p) => ({ path: '/prometheus/api/v1/labels', params: p as Record<string, unknown> })),
  fc
    .record({
      name: labelName,
      'match[]': fc.array(selector, { maxLength: 2 }),
      start: opt(time),
      end: opt(time),
      limit: opt(oddNumber.map(String), 0.3),
    })
    .map(({ name, ...p }) => ({
      path: `/prometheus/api/v1/label/${segment(name)}/values`,
      params: p as Record<string, unknown>,
    })),
);

function form(params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${segment(String(x))}`);
  }
  return parts.join('&');
}

/** A query timeout is the one 5xx the query API documents (503 with errorType "timeout"). */
const timeout = (a: Answer) => a.status === 503 && a.text.includes('"timeout"');

export const queryParams = registerTarget({
  name: 'query-params',
  surface: 'query API parameters on /prometheus/api/v1/{query,query_range,series,labels,label/<name>/values}',
  arbitrary: fc.tuple(request, fc.boolean()),
  async run(ctx: FuzzContext, [req, post]) {
    const body = form(req.params);
    // Prometheus serves label values by GET only
    const usePost = post && !req.path.startsWith('/prometheus/api/v1/label/');
    const a = usePost
      ? await call(ctx, 'POST', req.path, { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      : await call(ctx, 'GET', `${req.path}?${body}`);
    const what = `${usePost ? 'POST' : 'GET'} ${short(req.path, 100)} ${short(body, 400)}`;
    assertNo5xx(what, a, timeout);
    assertNoCanary(ctx, what, a);
    let json: { status?: unknown } | undefined;
    try {
      json = JSON.parse(a.text);
    } catch {
      json = undefined;
    }
    // an empty label name (`/label//values`) matches no route, as in Prometheus: the router's 404
    if (a.status === 404 && req.path.includes('//')) return a.status;
    // a URL over Node's 16 KiB header limit is refused by the HTTP parser, before any route (POST it)
    // (label values go by GET even when the input asked for POST: found by the long run)
    if (a.status === 431 && !usePost) return a.status;
    // a label name over the router's 4,096-character path parameter limit (maxParamLength) is
    // refused by the router before any route, like the 431 above (Prometheus would look it up)
    if (a.status === 414 && /FST_ERR_MAX_PARAM_LENGTH/.test(a.text)) return a.status;
    const want = a.status === 200 ? 'success' : 'error';
    if (json?.status !== want)
      throw new Error(`${what}: ${a.status} without the Prometheus envelope: ${short(a.text)}`);
    return a.status;
  },
});
