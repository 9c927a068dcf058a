import { describe, expect, it } from 'vitest';
import { emptyRing } from './codec.js';
import { Ring, seededRandom } from './ring.js';
import { generateTokens } from './tokens.js';
import type { InstanceDesc, InstanceState, RingDesc, RingOperation } from './types.js';

const NOW = 1_000_000;
const STALE = NOW - 120_000;

interface Spec {
  id: string;
  tokens: number[];
  state?: InstanceState;
  zone?: string;
  heartbeatMs?: number;
}

function desc(specs: Spec[]): RingDesc {
  const d = emptyRing();
  for (const s of specs) {
    d.instances[s.id] = {
      id: s.id,
      addr: `http://${s.id}`,
      zone: s.zone ?? '',
      state: s.state ?? 'ACTIVE',
      tokens: s.tokens,
      heartbeatMs: s.heartbeatMs ?? NOW,
      registeredMs: 0,
    };
  }
  return d;
}

const ring = (specs: Spec[], rf = 3, zoneAwareness: boolean | 'auto' = 'auto') =>
  new Ring({ replicationFactor: rf, heartbeatTimeoutMs: 60_000, now: () => NOW, zoneAwareness }, desc(specs));

const ids = (insts: InstanceDesc[]) => insts.map((i) => i.id);

// Four instances with tokens a:100, b:200, c:300, d:400 (hash 150 → b, c, d, a, …).
const abcd = (over: Partial<Record<string, Partial<Spec>>> = {}): Spec[] =>
  ['a', 'b', 'c', 'd'].map((id, i) => ({ id, tokens: [(i + 1) * 100], ...over[id] }));

describe('Ring.get', () => {
  const cases: {
    name: string;
    specs: Spec[];
    hash: number;
    op: RingOperation;
    rf?: number;
    want?: string[];
    maxErrors?: number;
    error?: string;
  }[] = [
    { name: 'RF3 clockwise from the hash', specs: abcd(), hash: 150, op: 'write', want: ['b', 'c', 'd'], maxErrors: 1 },
    { name: 'a token equal to the hash owns it', specs: abcd(), hash: 200, op: 'write', want: ['b', 'c', 'd'] },
    { name: 'wraps past the last token', specs: abcd(), hash: 450, op: 'write', want: ['a', 'b', 'c'] },
    { name: 'hash 0', specs: abcd(), hash: 0, op: 'read', want: ['a', 'b', 'c'] },
    { name: 'RF1', specs: abcd(), hash: 150, op: 'write', rf: 1, want: ['b'], maxErrors: 0 },
    {
      name: 'one dead replica: quorum of 2 left, no more errors tolerated',
      specs: abcd({ c: { heartbeatMs: STALE } }),
      hash: 150,
      op: 'write',
      want: ['b', 'd'],
      maxErrors: 0,
    },
    {
      name: 'two dead replicas: not enough for quorum',
      specs: abcd({ c: { heartbeatMs: STALE }, d: { heartbeatMs: STALE } }),
      hash: 150,
      op: 'write',
      error: 'at least 2 live replicas required, could only find 1',
    },
    {
      name: 'a JOINING replica extends writes to the next instance',
      specs: abcd({ c: { state: 'JOINING' } }),
      hash: 150,
      op: 'write',
      want: ['b', 'd', 'a'],
      maxErrors: 0,
    },
    {
      name: 'a LEAVING replica extends writes',
      specs: abcd({ b: { state: 'LEAVING' } }),
      hash: 150,
      op: 'write',
      want: ['c', 'd', 'a'],
      maxErrors: 0,
    },
    {
      name: 'a LEAVING replica still serves reads',
      specs: abcd({ b: { state: 'LEAVING' } }),
      hash: 150,
      op: 'read',
      want: ['b', 'c', 'd'],
      maxErrors: 1,
    },
    {
      name: 'a JOINING replica extends reads too (matching writes)',
      specs: abcd({ b: { state: 'JOINING' } }),
      hash: 150,
      op: 'read',
      want: ['c', 'd', 'a'],
    },
    {
      name: 'own: JOINING does not own and does not extend',
      specs: abcd({ b: { state: 'JOINING' } }),
      hash: 150,
      op: 'own',
      want: ['c', 'd'],
      maxErrors: 0,
    },
    {
      name: 'a LEFT instance is never used',
      specs: abcd({ b: { state: 'LEFT' } }),
      hash: 150,
      op: 'read',
      want: ['c', 'd', 'a'],
    },
    {
      name: 'fewer instances than RF',
      specs: abcd().slice(0, 2),
      hash: 150,
      op: 'write',
      want: ['b', 'a'],
      maxErrors: 0,
    },
    { name: 'empty ring', specs: [], hash: 1, op: 'write', error: 'empty ring' },
    {
      name: 'an instance with several tokens counts once',
      specs: [
        { id: 'a', tokens: [100, 150, 160] },
        { id: 'b', tokens: [200] },
        { id: 'c', tokens: [300] },
      ],
      hash: 120,
      op: 'write',
      want: ['a', 'b', 'c'],
    },
    {
      name: 'zone-aware: one replica per zone, skipping same-zone neighbours',
      specs: [
        { id: 'a1', tokens: [100], zone: 'a' },
        { id: 'a2', tokens: [150], zone: 'a' },
        { id: 'b1', tokens: [200], zone: 'b' },
        { id: 'b2', tokens: [250], zone: 'b' },
        { id: 'c1', tokens: [300], zone: 'c' },
      ],
      hash: 90,
      op: 'write',
      want: ['a1', 'b1', 'c1'],
    },
    {
      name: 'zone-aware: a JOINING replica is replaced from its own zone',
      specs: [
        { id: 'a1', tokens: [100], zone: 'a', state: 'JOINING' },
        { id: 'a2', tokens: [150], zone: 'a' },
        { id: 'b1', tokens: [200], zone: 'b' },
        { id: 'c1', tokens: [300], zone: 'c' },
      ],
      hash: 90,
      op: 'write',
      want: ['a2', 'b1', 'c1'],
    },
    {
      name: 'zone-aware below quorum names the zones',
      specs: [
        { id: 'a1', tokens: [100], zone: 'a', heartbeatMs: STALE },
        { id: 'b1', tokens: [200], zone: 'b', heartbeatMs: STALE },
        { id: 'c1', tokens: [300], zone: 'c' },
      ],
      hash: 90,
      op: 'write',
      error: 'at least 2 live replicas required across different availability zones, could only find 1',
    },
  ];

  it.each(cases)('$name', ({ specs, hash, op, rf, want, maxErrors, error }) => {
    const r = ring(specs, rf ?? 3);
    if (error) {
      expect(() => r.get(hash, op)).toThrow(error);
      try {
        r.get(hash, op);
      } catch (e) {
        expect(e).toMatchObject({ kind: 'unavailable' });
      }
      return;
    }
    const set = r.get(hash, op);
    expect(ids(set.instances)).toEqual(want);
    if (maxErrors !== undefined) expect(set.maxErrors).toBe(maxErrors);
  });

  it('zone awareness is automatic only when every instance has a zone', () => {
    expect(ring([{ id: 'a', tokens: [1], zone: 'z' }]).zoneAware).toBe(true);
    expect(
      ring([
        { id: 'a', tokens: [1], zone: 'z' },
        { id: 'b', tokens: [2] },
      ]).zoneAware,
    ).toBe(false);
    expect(ring([{ id: 'a', tokens: [1], zone: 'z' }], 3, false).zoneAware).toBe(false);
  });

  it('spreads keys about evenly over instances with 128 random tokens each', () => {
    let seed = 1;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 0x100000000;
    };
    const taken = new Set<number>();
    const specs: Spec[] = [];
    for (let i = 0; i < 6; i++) {
      const tokens = generateTokens(128, taken, rnd);
      for (const t of tokens) taken.add(t);
      specs.push({ id: `i${i}`, tokens });
    }
    const r = ring(specs, 3);
    const counts = new Map<string, number>();
    for (let k = 0; k < 30_000; k++) {
      for (const inst of r.get((rnd() * 0x100000000) >>> 0, 'write').instances) {
        counts.set(inst.id, (counts.get(inst.id) ?? 0) + 1);
      }
    }
    for (const c of counts.values()) expect(c / 15_000).toBeGreaterThan(0.8);
    for (const c of counts.values()) expect(c / 15_000).toBeLessThan(1.2);
  });
});

describe('Ring.owners', () => {
  it.each([
    { name: 'first n clockwise from the hash', specs: abcd(), hash: 150, n: 2, want: ['b', 'c'] },
    { name: 'wraps past the last token', specs: abcd(), hash: 450, n: 1, want: ['a'] },
    {
      name: 'walks past dead, LEAVING and JOINING instances',
      specs: abcd({ b: { heartbeatMs: STALE }, c: { state: 'LEAVING' }, d: { state: 'JOINING' } }),
      hash: 150,
      n: 1,
      want: ['a'],
    },
    { name: 'fewer usable than asked', specs: abcd({ a: { state: 'LEFT' } }), hash: 150, n: 5, want: ['b', 'c', 'd'] },
    {
      name: 'distinct zones when zone-aware',
      specs: [
        { id: 'a', tokens: [100], zone: 'z1' },
        { id: 'b', tokens: [200], zone: 'z1' },
        { id: 'c', tokens: [300], zone: 'z2', heartbeatMs: STALE },
        { id: 'd', tokens: [400], zone: 'z2' },
      ],
      hash: 50,
      n: 3,
      want: ['a', 'd'],
    },
    {
      name: 'none usable',
      specs: abcd({
        a: { heartbeatMs: STALE },
        b: { heartbeatMs: STALE },
        c: { heartbeatMs: STALE },
        d: { heartbeatMs: STALE },
      }),
      hash: 150,
      n: 1,
      want: [],
    },
    { name: 'empty ring', specs: [], hash: 150, n: 1, want: [] },
  ])('$name', ({ specs, hash, n, want }) => {
    expect(ids(ring(specs).owners(hash, n))).toEqual(want);
  });

  it('judges health at the given time', () => {
    const r = ring(abcd({ b: { heartbeatMs: NOW - 30_000 } }));
    expect(ids(r.owners(150, 1))).toEqual(['b']);
    expect(ids(r.owners(150, 1, NOW + 40_000))).toEqual(['c']);
  });
});

describe('Ring.all', () => {
  it.each([
    { name: 'all healthy', specs: abcd(), rf: 3, want: ['a', 'b', 'c', 'd'], maxErrors: 1 },
    { name: 'one dead', specs: abcd({ a: { heartbeatMs: STALE } }), rf: 3, want: ['b', 'c', 'd'], maxErrors: 0 },
    {
      name: 'two dead',
      specs: abcd({ a: { heartbeatMs: STALE }, b: { heartbeatMs: STALE } }),
      rf: 3,
      error: 'too many unhealthy instances in the ring',
    },
    { name: 'RF1 one instance', specs: abcd().slice(0, 1), rf: 1, want: ['a'], maxErrors: 0 },
    { name: 'RF1 empty', specs: [], rf: 1, error: 'too many unhealthy' },
  ])('$name', ({ specs, rf, want, maxErrors, error }) => {
    const r = ring(specs, rf);
    if (error) {
      expect(() => r.all('read')).toThrow(error);
      return;
    }
    const set = r.all('read');
    expect(ids(set.instances)).toEqual(want);
    expect(set.maxErrors).toBe(maxErrors);
  });

  it('zone-aware: skips a zone with a failure and says how many more zones may fail', () => {
    const specs: Spec[] = [
      { id: 'a1', tokens: [1], zone: 'a' },
      { id: 'a2', tokens: [2], zone: 'a', heartbeatMs: STALE },
      { id: 'b1', tokens: [3], zone: 'b' },
      { id: 'c1', tokens: [4], zone: 'c' },
    ];
    const set = ring(specs).all('read');
    expect(ids(set.instances)).toEqual(['b1', 'c1']);
    expect(set).toMatchObject({ maxErrors: 0, maxUnavailableZones: 0 });
    expect(ring(specs.filter((s) => s.id !== 'a2')).all('read').maxUnavailableZones).toBe(1);
    const twoZonesDown = specs.map((s) => (s.id === 'b1' ? { ...s, heartbeatMs: STALE } : s));
    expect(() => ring(twoZonesDown).all('read')).toThrow('too many unhealthy');
  });
});

describe('Ring.shuffleShard', () => {
  const many = (n: number, zones: string[] = ['']) => {
    const taken = new Set<number>();
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 0x100000000;
    };
    return Array.from({ length: n }, (_, i) => {
      const tokens = generateTokens(16, taken, rnd);
      for (const t of tokens) taken.add(t);
      return { id: `ing-${i}`, tokens, zone: zones[i % zones.length]! };
    });
  };
  const members = (r: Ring) => Object.keys(r.describe().instances).sort();

  it('is deterministic, of the asked size, and differs between tenants', () => {
    const r = ring(many(20));
    const s1 = members(r.shuffleShard('tenant-1', 4));
    expect(s1).toHaveLength(4);
    expect(members(ring(many(20)).shuffleShard('tenant-1', 4))).toEqual(s1);
    const distinct = new Set(Array.from({ length: 20 }, (_, i) => members(r.shuffleShard(`t${i}`, 4)).join()));
    expect(distinct.size).toBeGreaterThan(15);
  });

  it.each([0, -1, 20, 25])('size %i returns the whole ring', (size) => {
    const r = ring(many(20));
    expect(r.shuffleShard('t', size)).toBe(r);
  });

  it('zone-balanced: ceil(size / zones) per zone', () => {
    const r = ring(many(18, ['a', 'b', 'c']));
    const shard = r.shuffleShard('t', 4).describe();
    const perZone = new Map<string, number>();
    for (const i of Object.values(shard.instances)) perZone.set(i.zone, (perZone.get(i.zone) ?? 0) + 1);
    expect([...perZone.values()]).toEqual([2, 2, 2]);
  });

  it('adding one instance changes at most one member of any shard', () => {
    const base = many(21);
    const before = ring(base.slice(0, 20));
    const after = ring(base);
    for (let t = 0; t < 200; t++) {
      const a = members(before.shuffleShard(`tenant-${t}`, 5));
      const b = members(after.shuffleShard(`tenant-${t}`, 5));
      const changed = b.filter((id) => !a.includes(id));
      expect(changed.length).toBeLessThanOrEqual(1);
      if (changed.length === 1) expect(changed).toEqual(['ing-20']);
    }
  });

  it('the sub-ring answers get() within its members and inherits RF', () => {
    const r = ring(many(20));
    const sub = r.shuffleShard('t', 3);
    const set = sub.get(12345, 'write');
    expect(set.instances).toHaveLength(3);
    expect(sub.replicationFactor).toBe(3);
    expect(sub).toBe(r.shuffleShard('t', 3));
  });

  it('lookback keeps recently registered instances and looks further', () => {
    const specs = many(20);
    const d = desc(specs);
    for (const inst of Object.values(d.instances)) inst.registeredMs = NOW - 1e9;
    const plain = new Ring({ replicationFactor: 3, now: () => NOW }, d);
    const shard = members(plain.shuffleShard('t', 3));
    // One of the shard's members is new: the lookback shard keeps it and adds a replacement.
    const d2 = desc(specs);
    for (const inst of Object.values(d2.instances)) inst.registeredMs = inst.id === shard[0] ? NOW : NOW - 1e9;
    const lb = members(new Ring({ replicationFactor: 3, now: () => NOW }, d2).shuffleShard('t', 3, 60_000));
    expect(lb).toHaveLength(4);
    for (const id of shard) expect(lb).toContain(id);
  });

  it('a heartbeat-only update keeps the cached shard but refreshes its states; a new member rebuilds it', () => {
    const specs = many(10);
    let now = NOW;
    const r = new Ring({ replicationFactor: 3, heartbeatTimeoutMs: 60_000, now: () => now }, desc(specs));
    const sub = r.shuffleShard('t', 3);
    const member = members(sub)[0]!;
    now += 61_000;
    // Everyone heartbeats except `member`.
    r.update(desc(specs.map((s) => ({ ...s, heartbeatMs: s.id === member ? NOW : now }))));
    const again = r.shuffleShard('t', 3);
    expect(again).toBe(sub);
    expect(again.isHealthy(again.describe().instances[member]!, now)).toBe(false);
    expect(again.all('read').instances.map((i) => i.id)).not.toContain(member);
    r.update(desc([...specs, { id: 'new', tokens: [123], heartbeatMs: now }]));
    expect(r.shuffleShard('t', 3)).not.toBe(sub);
  });

  it('seededRandom is deterministic per tenant and zone', () => {
    const a = seededRandom('t', 'z');
    const b = seededRandom('t', 'z');
    const c = seededRandom('t', 'y');
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect([c(), c(), c()]).not.toEqual(xs);
    for (const x of xs) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
  });
});
