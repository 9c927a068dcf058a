/**
 * The shared part of the interface fuzzers (issue #24): run counts and the seed from the environment,
 * the registry of targets, the generic mutations every format-aware generator applies to its
 * valid-looking inputs, and the properties every target checks (no 5xx, the server keeps serving).
 *
 * Environment: FUZZ_SEED (default 0x24), FUZZ_RUNS (inputs per target; default BOUNDED_RUNS, what
 * `npm test` runs), FUZZ_TARGET (run only these targets, comma-separated; `npm run fuzz -- --target
 * NAME` sets it).
 */
import http from 'node:http';
import fc from 'fast-check';
import type { TestPlatform } from '../helpers/platform.js';

export const BOUNDED_RUNS = 200;
/** The bounded run of a `-big` variant (see `Size`): each input costs the server 0.1–1 s. */
export const BIG_BOUNDED_RUNS = 20;
export const SEED = envInt('FUZZ_SEED', 0x24);
export const RUNS = envInt('FUZZ_RUNS', BOUNDED_RUNS);
const RUNS_SET = (process.env.FUZZ_RUNS ?? '') !== '';

/** How many inputs a target runs: FUZZ_RUNS, else its own bounded count. */
export function runsFor(t: { boundedRuns?: number }): number {
  return RUNS_SET ? RUNS : (t.boundedRuns ?? BOUNDED_RUNS);
}
/** Inputs slower than this are printed, to find what costs the server time. */
const SLOW_MS = envInt('FUZZ_SLOW_MS', 2000);
/** FUZZ_TARGET: one target's name, or several separated by commas. */
/** FUZZ_TIME_MS: stop each target after this long (0: no limit), for long runs with a deadline. */
export const TIME_MS = envInt('FUZZ_TIME_MS', 0);
/**
 * FUZZ_INPUT_DEADLINE_MS: an input that has not completed after this long fails its property (and
 * shrinks), so a request the server never answers is a counterexample, not a hung run; its request is
 * aborted. fast-check's `interruptAfterTimeLimit` acts between inputs only. 0: no deadline.
 */
export const INPUT_DEADLINE_MS = envInt('FUZZ_INPUT_DEADLINE_MS', 60_000);
/** FUZZ_CONCURRENCY: inputs in flight at once per target (lanes; see runTarget). */
export const CONCURRENCY = Math.max(1, envInt('FUZZ_CONCURRENCY', 1));
/**
 * FUZZ_SKIP: the first this many inputs of each lane are generated but not sent, so a window of a long
 * run (e.g. where it stalled) replays in minutes; the server's state then lacks what they would have
 * written.
 */
export const SKIP = envInt('FUZZ_SKIP', 0);
/** FUZZ_ROTATE_EVERY: overrides every rotating target's `rotateEvery` (to see rotation in a short run). */
const ROTATE_EVERY = envInt('FUZZ_ROTATE_EVERY', 0);
/** A long run prints its counts every this many inputs. */
const PROGRESS_EVERY = 50_000;
export const ONLY = process.env.FUZZ_TARGET?.split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return n;
}

/** What the targets share: the running platform and the tenants' tokens. */
export interface FuzzContext {
  platform: TestPlatform;
  /** Token of the fuzzed tenant with every tenant scope. */
  token: string;
  tenant: string;
  /** Token of a second tenant whose data must never appear in the fuzzed tenant's answers. */
  canaryToken: string;
  /** A string that only the canary tenant's data holds (label value, rule and template text). */
  canaryMark: string;
  /** Aborted when the current input passes its deadline: `call` hands it to fetch. */
  signal?: AbortSignal;
  /** The context of concurrent lane `i` (1, 2, …): its own tenant and token. */
  lane?: (i: number) => Promise<FuzzContext>;
  /**
   * A context whose tenant is a new one named `tenant` (for targets that rotate, see `rotateEvery`);
   * the tenant it replaces, `retired`, is deleted, so its series leave memory and the store.
   */
  rotate?: (tenant: string, retired: string) => Promise<FuzzContext>;
  /** What the server is busy with (queues, workers), added to a deadline failure's message. */
  stallReport?: () => string;
}

export interface Answer {
  status: number;
  text: string;
  headers?: Headers;
}

export interface FuzzTarget<T> {
  name: string;
  /** The surface, for the docs and the test title. */
  surface: string;
  arbitrary: fc.Arbitrary<T>;
  /** Sends one input; throws when a property does not hold. Returns the HTTP status for the summary. */
  run(ctx: FuzzContext, input: T): Promise<number>;
  /** Inputs in the bounded run of `npm test` when FUZZ_RUNS is not set (default BOUNDED_RUNS). */
  boundedRuns?: number;
  /**
   * False when two inputs in flight at once could break each other's property even in different
   * tenants (the admin targets create and delete the same tenants): FUZZ_CONCURRENCY is ignored.
   */
  concurrent?: boolean;
  /**
   * Every this many inputs a lane moves on to a fresh tenant. Each input of the target creates new
   * series, so one tenant would reach its series limits (150,000, 20,000 per metric name) after a
   * few tens of thousands of inputs, and every later valid body would be a 400 whose read-back is
   * never exercised. The canary tenant is the same for the whole run.
   */
  rotateEvery?: number;
  /** Optional checks after the whole run (e.g. the canary tenant's config is untouched). */
  after?(ctx: FuzzContext): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry of targets over different input types
export const TARGETS: FuzzTarget<any>[] = [];

export function registerTarget<T>(t: FuzzTarget<T>): FuzzTarget<T> {
  if (TARGETS.some((x) => x.name === t.name)) throw new Error(`fuzz target ${t.name} registered twice`);
  TARGETS.push(t);
  return t;
}

/**
 * Runs one target for RUNS inputs and returns the status counts (e.g. `202:80 400:70`). With
 * FUZZ_CONCURRENCY N (and a target that allows it), N lanes run at once over the one server, lane i
 * from seed SEED + i with its own tenant (so one lane's writes and reads never meet another's), their
 * run counts adding up to RUNS; lane 0 is exactly the run of concurrency 1.
 */
export async function runTarget<T>(ctx: FuzzContext, target: FuzzTarget<T>): Promise<string> {
  const statuses = new Map<number, number>();
  let slowest = 0;
  let total = 0;
  let count = 0;
  const runs = runsFor(target);
  const lanes = Math.max(1, Math.min(target.concurrent === false ? 1 : CONCURRENCY, runs));
  const laneCtxs = [ctx];
  for (let i = 1; i < lanes; i++) laneCtxs.push(ctx.lane ? await ctx.lane(i) : ctx);
  const wall0 = performance.now();
  const generated = Array.from({ length: lanes }, () => 0);
  const rotation = Array.from({ length: lanes }, () => 0);
  let rotations = 0;
  const baseTenants = laneCtxs.map((c) => c.tenant);
  const lane = (i: number) =>
    fc.assert(
      fc.asyncProperty(target.arbitrary, async (input) => {
        const n = ++generated[i]!;
        if (n <= SKIP) return;
        // input n of a lane goes to its tenant's rotation ⌊(n − 1) / every⌋, also when replayed with FUZZ_SKIP
        const every = target.rotateEvery ? ROTATE_EVERY || target.rotateEvery : 0;
        const r = every > 0 && ctx.rotate ? Math.floor((n - 1) / every) : 0;
        if (r !== rotation[i]) {
          rotation[i] = r;
          rotations++;
          laneCtxs[i] = await ctx.rotate!(`${baseTenants[i]}-${target.name}-r${r}`, laneCtxs[i]!.tenant);
        }
        const t0 = performance.now();
        const status = await withDeadline(laneCtxs[i]!, (c) => target.run(c, input)).catch((err: unknown) => {
          if (err instanceof DeadlineError)
            console.log(`fuzz ${target.name}: stalled input (lane ${i}): ${short(describe(input), 2000)}`);
          throw err;
        });
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        total += ms;
        if (ms > SLOW_MS)
          console.log(`fuzz ${target.name}: slow input (${ms.toFixed(0)} ms): ${short(describe(input), 600)}`);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (++count % PROGRESS_EVERY === 0)
          console.log(
            `fuzz ${target.name}: ${count} inputs, statuses ${summarize(statuses)}, ${((performance.now() - wall0) / 1000).toFixed(0)} s`,
          );
      }),
      {
        seed: SEED + i,
        numRuns: Math.floor(runs / lanes) + (i < runs % lanes ? 1 : 0),
        endOnFailure: false,
        ...(TIME_MS > 0 ? { interruptAfterTimeLimit: TIME_MS, markInterruptAsFailure: false } : {}),
      },
    );
  const outcomes = await Promise.allSettled(Array.from({ length: lanes }, (_, i) => lane(i)));
  const failed = outcomes.findIndex((o) => o.status === 'rejected');
  if (failed >= 0) {
    const why = (outcomes[failed] as PromiseRejectedResult).reason;
    if (lanes > 1 && why instanceof Error)
      why.message = `lane ${failed} of ${lanes} (replay with FUZZ_SEED=${SEED + failed} FUZZ_CONCURRENCY=1): ${why.message}`;
    throw why;
  }
  const wall = (performance.now() - wall0) / 1000;
  await assertStillServing(ctx);
  await target.after?.(ctx);
  const lanesSaid = (lanes > 1 ? `, ${lanes} lanes` : '') + (rotations > 0 ? `, ${rotations} tenant rotations` : '');
  return `${count} inputs run: ${summarize(statuses)}; ${wall.toFixed(1)} s wall (${(count / wall).toFixed(0)} inputs/s${lanesSaid}), ${(total / 1000).toFixed(1)} s in inputs, slowest input ${slowest.toFixed(0)} ms`;
}

export class DeadlineError extends Error {}

/** Runs one input under INPUT_DEADLINE_MS: past it the input fails and its requests are aborted. */
export async function withDeadline<R>(
  ctx: FuzzContext,
  run: (ctx: FuzzContext) => Promise<R>,
  deadlineMs = INPUT_DEADLINE_MS,
): Promise<R> {
  if (deadlineMs <= 0) return run(ctx);
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // rejected first, so the race ends with this error and not with the aborted fetch's
      const state = ctx.stallReport ? `; server state: ${ctx.stallReport()}` : '';
      const err = new DeadlineError(
        `input did not complete within ${deadlineMs} ms (FUZZ_INPUT_DEADLINE_MS): a request the server never answered${state}`,
      );
      // printed now: a long run's failure is reported only after shrinking, which may take a while
      console.log(`fuzz: ${err.message}`);
      reject(err);
      abort.abort(new Error('fuzz input deadline'));
    }, deadlineMs);
  });
  try {
    return await Promise.race([run({ ...ctx, signal: abort.signal }), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function summarize(statuses: Map<number, number>): string {
  return [...statuses]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s}:${n}`)
    .join(' ');
}

/** The server answers `/ready` and a real query of the fuzzed tenant after the run. */
export async function assertStillServing(ctx: FuzzContext): Promise<void> {
  // after a long in-process target the client's pooled keep-alive socket may be one the server has
  // just closed as idle (ECONNRESET on reuse): that is the client's race, so one retry on a new socket
  const ready = await fetch(`${ctx.platform.url}/ready`).catch(async () => {
    await new Promise((r) => setTimeout(r, 100));
    return fetch(`${ctx.platform.url}/ready`, { headers: { connection: 'close' } });
  });
  if (ready.status !== 200) throw new Error(`/ready answers ${ready.status} after the run`);
  // from an address of its own: a target's bad credentials get theirs throttled (`headers`), and a
  // token not checked for an hour (the fuzzed tenant's, after rotations) is refused there unlooked-up
  const q = await call(ctx, 'GET', '/prometheus/api/v1/query?query=vector(1)', { from: HARNESS_ADDRESS });
  if (q.status !== 200) throw new Error(`a query answers ${q.status} after the run: ${q.text}`);
}

/** The loopback address the harness's own checks come from; no target sends from it. */
const HARNESS_ADDRESS = '127.0.0.3';

/**
 * The "no 5xx for bad input" property. `retryable` lists what a surface documents as a temporary
 * failure (a query timeout's 503); anything else from 500 up is a bug.
 */
export function assertNo5xx(what: string, a: Answer, retryable: (a: Answer) => boolean = () => false): void {
  if (a.status >= 500 && !retryable(a)) {
    throw new Error(`${what}: status ${a.status}: ${a.text.slice(0, 500)}`);
  }
}

export function assertNoCanary(ctx: FuzzContext, what: string, a: Answer): void {
  if (a.text.includes(ctx.canaryMark)) {
    throw new Error(`${what}: another tenant's data in the answer: ${a.text.slice(0, 500)}`);
  }
}

export async function call(
  ctx: FuzzContext,
  method: string,
  path: string,
  opts: {
    body?: Uint8Array | string;
    headers?: Record<string, string>;
    token?: string | null;
    /**
     * The client's loopback source address (e.g. `127.0.0.2`; the server listens on 127.0.0.1): the
     * gateway throttles failed authentication per source address, so a target sends its valid
     * credentials from another address than its bad ones when the throttle must not reach them.
     */
    from?: string;
  } = {},
): Promise<Answer> {
  const token = opts.token === undefined ? ctx.token : opts.token;
  const headers = { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...opts.headers };
  if (opts.from !== undefined)
    return callFrom(opts.from, `${ctx.platform.url}${path}`, method, headers, opts.body, ctx.signal);
  const res = await fetch(`${ctx.platform.url}${path}`, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** Keep-alive agents by source address (fetch's own dispatcher cannot choose one without undici's API). */
const agents = new Map<string, http.Agent>();

/** Closes the kept-alive sockets of `call`'s `from` clients (after the run). */
export function closeClients(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

function callFrom(
  localAddress: string,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array | string | undefined,
  signal: AbortSignal | undefined,
): Promise<Answer> {
  let agent = agents.get(localAddress);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, localAddress });
    agents.set(localAddress, agent);
  }
  const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  const send = (retry: boolean): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent,
          headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
          ...(signal ? { signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, x);
            }
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: h });
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        // a kept-alive socket the server closed (it does after answering before the body was read) may
        // be handed out once more: Node's documented remedy is to send again on a new one
        if (retry && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) resolve(send(false));
        else reject(err);
      });
      req.end(payload);
    });
  return send(true);
}

// ---------------------------------------------------------------------------------------------------
// Shared generators: the odd values every format is tried with.

export const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);

/** Strings that broke parsers and object maps elsewhere: prototype keys, control and wide characters. */
export const oddString = fc.oneof(
  { weight: 4, arbitrary: pick('a', 'job', 'api', 'x_1', 'team-a', 'HighLatency', 'severity', 'page') },
  {
    weight: 3,
    arbitrary: pick(
      '',
      ' ',
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      '__name__',
      '..',
      '.',
      '/',
      'a/b',
      '%2F',
      '%00',
      '\u0000',
      '\uFFFD',
      '\uD800',
      '\u202E',
      'e\u0301',
      '😀',
      '$' + '{x}',
      '{{ . }}',
      '"',
      "'",
      '\\',
      '\n',
      '#',
      ': ',
      '- ',
      '&a',
      '*a',
      '!!js/function',
      'null',
      '~',
      'true',
      'NaN',
      '1e400',
      '0x10',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 70_000 }).map((n) => 'x'.repeat(n)) },
);

/** Numbers at the edges: NaN, ±Inf, -0, 2^53 and beyond, 64-bit limits. */
export const oddNumber = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -5, max: 1000 }) },
  {
    weight: 2,
    arbitrary: pick(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      2 ** 53,
      2 ** 53 + 2,
      -(2 ** 53),
      2 ** 63,
      2 ** 64,
      -(2 ** 63),
      2 ** 31,
      -(2 ** 31) - 1,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      0.5,
      1e-9,
    ),
  },
  { weight: 1, arbitrary: fc.double() },
);

/** Text forms of numbers and durations no typed generator yields: Go and YAML spellings, overflows. */
export const oddScalarText = pick(
  '.nan',
  '.inf',
  '-.inf',
  '1e400',
  '-0',
  '9007199254740993',
  '18446744073709551616',
  '0x7fffffffffffffff',
  '0o17',
  '1_000',
  '5m',
  '1h30m',
  '-5m',
  '0s',
  '999999999999y',
  '100000000000000000000y',
  '1ms',
  '1.5m',
  '',
  'null',
  '~',
  '[]',
  '{}',
);

/** A duration-like YAML scalar: usual values, then edge spellings and numbers. */
export const durationValue = fc.oneof(
  { weight: 4, arbitrary: pick('30s', '1m', '5m', '1h', '15s', '2h', '10m') },
  { weight: 2, arbitrary: oddScalarText },
  { weight: 1, arbitrary: oddNumber },
);

/**
 * Which inputs of a generator a target runs. The costly mutations (a slice repeated to ~1 MiB, nesting
 * 100 to 2,000 deep, compression bombs) take the server 0.1–1 s each where an ordinary input takes
 * milliseconds, and were a sixth of the inputs: they decided how long a run of 10⁶ took. So a target
 * runs them in its `-big` variant, where every input holds one, with its own run count, and the common
 * variant has everything else (repetition to 16 KiB, nesting to 99 levels). Together the two cover
 * what the one generator did.
 */
export type Size = 'common' | 'big';

/** How far a `repeat` mutation grows the input, by size class. */
export const REPEAT_TO: Record<Size, number> = { common: 16 << 10, big: 1 << 20 };

type TextMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'insert'; at: number; token: string }
  | { kind: 'bytes'; at: number; bytes: Uint8Array }
  | { kind: 'nest'; at: number; depth: number; open: string }
  | { kind: 'repeat'; at: number; len: number; to: number };

const NEST_OPEN = pick('[', '{', '- ', '{a: ', '(', '{{ if 1 }}');

const nestMutation = (size: Size): fc.Arbitrary<TextMutation> =>
  fc.record({
    kind: fc.constant('nest' as const),
    at: fc.nat(),
    depth: size === 'big' ? fc.integer({ min: 100, max: 2_000 }) : fc.integer({ min: 2, max: 99 }),
    open: NEST_OPEN,
  });

const repeatMutation = (size: Size): fc.Arbitrary<TextMutation> =>
  fc.record({
    kind: fc.constant('repeat' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 64 }),
    to: fc.constant(REPEAT_TO[size]),
  });

function textMutation(tokens: string[], size: Size): fc.Arbitrary<TextMutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: pick(...tokens) }),
    fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
    nestMutation(size),
    repeatMutation(size),
  );
}

/** A big mutation (repeat to ~1 MiB or nesting 100–2,000 deep) among 0–2 common ones, at any place. */
function bigMutations(tokens: string[]): fc.Arbitrary<TextMutation[]> {
  return fc
    .tuple(
      fc.oneof(nestMutation('big'), repeatMutation('big')),
      fc.array(textMutation(tokens, 'common'), { maxLength: 2 }),
      fc.nat(),
    )
    .map(([b, ms, at]) => [...ms.slice(0, at % (ms.length + 1)), b, ...ms.slice(at % (ms.length + 1))]);
}

/**
 * Byte-level mutations of a valid-looking text: truncation, bit flips (which yield invalid UTF-8),
 * inserted format tokens, nesting and repetitions. `common`: 0–3 of them (none for 3 inputs in 7);
 * `big`: every input has a repetition to ~1 MiB or nesting 100–2,000 deep.
 */
export function mutated(text: fc.Arbitrary<string>, tokens: string[], size: Size = 'common'): fc.Arbitrary<Uint8Array> {
  const mutations =
    size === 'big'
      ? bigMutations(tokens)
      : fc.oneof(
          { weight: 3, arbitrary: fc.constant([] as TextMutation[]) },
          { weight: 4, arbitrary: fc.array(textMutation(tokens, 'common'), { minLength: 1, maxLength: 3 }) },
        );
  return fc.tuple(text, mutations).map(([t, ms]) => {
    let b = Buffer.from(t, 'utf8');
    for (const m of ms) {
      const at = b.length === 0 ? 0 : m.at % (b.length + 1);
      switch (m.kind) {
        case 'truncate':
          b = b.subarray(0, at);
          break;
        case 'flip':
          if (b.length > 0) {
            b = Buffer.from(b);
            const i = at % b.length;
            b[i] = b[i]! ^ (1 << m.bit);
          }
          break;
        case 'insert':
          b = Buffer.concat([b.subarray(0, at), Buffer.from(m.token, 'utf8'), b.subarray(at)]);
          break;
        case 'bytes':
          b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
          break;
        case 'nest':
          b = Buffer.concat([b.subarray(0, at), Buffer.from(m.open.repeat(m.depth)), b.subarray(at)]);
          break;
        case 'repeat': {
          // a slice repeated until the body is about m.to bytes: huge lengths inside one field
          const piece = b.subarray(at, at + m.len);
          if (piece.length > 0) {
            const times = Math.floor(m.to / piece.length);
            b = Buffer.concat([
              b.subarray(0, at),
              Buffer.from(piece.toString('latin1').repeat(times), 'latin1'),
              b.subarray(at),
            ]);
          }
          break;
        }
      }
    }
    return new Uint8Array(b);
  });
}

/** An object whose keys may be `__proto__`/`constructor` as own properties (a literal cannot say so). */
export function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** Percent-encodes a path segment; lone surrogates are encoded as their UTF-8 replacement. */
export function segment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

export function short(s: string, n = 300): string {
  return s.length <= n ? s : `${s.slice(0, n)}… (${s.length} chars)`;
}

function describe(input: unknown): string {
  return (
    JSON.stringify(input, (_k, v) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : typeof v === 'bigint' ? `${v}n` : v,
    ) ?? String(input)
  );
}
