import { describe, expect, it } from 'vitest';
import { Labels } from '../model/index.js';
import { ManualScheduler } from './scheduler.js';
import { type Silence, type SilenceMatcher, Silences, silenceState } from './silences.js';

const H = 3600_000;

function setup(maxSilences = 0) {
  const clock = new ManualScheduler(1_000_000_000_000);
  const persisted = new Map<string, Silence>();
  const s = new Silences({
    clock,
    persist: async (x) => {
      persisted.set(x.id, x);
    },
    remove: async (id) => {
      persisted.delete(id);
    },
    maxSilences,
    retentionMs: 24 * H,
  });
  return { clock, s, persisted };
}

const eq = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: false, isEqual: true });
const input = (now: number, over: Partial<Omit<Silence, 'id' | 'updatedAt'>> = {}) => ({
  matchers: [eq('alertname', 'A')],
  startsAt: now,
  endsAt: now + H,
  createdBy: 'me',
  comment: 'c',
  ...over,
});

describe('Silences', () => {
  it('mutes matching labels only while active', async () => {
    const { clock, s } = setup();
    const id = await s.set(input(clock.now() + H));
    const a = Labels.fromObject({ alertname: 'A', x: '1' });
    expect(s.mutedBy(a)).toEqual([]);
    expect(silenceState(s.get(id), clock.now())).toBe('pending');
    await clock.advance(H);
    expect(s.mutedBy(a)).toEqual([id]);
    expect(s.mutedBy(Labels.fromObject({ alertname: 'B' }))).toEqual([]);
    await clock.advance(H);
    expect(s.mutedBy(a)).toEqual([]);
  });

  it('updates an active silence in place when only the end or comment change', async () => {
    const { clock, s } = setup();
    const id = await s.set(input(clock.now()));
    const same = await s.set({ ...input(clock.now(), { endsAt: clock.now() + 2 * H, comment: 'longer' }), id });
    expect(same).toBe(id);
    expect(s.get(id)).toMatchObject({ comment: 'longer', endsAt: clock.now() + 2 * H });
  });

  it('replaces a silence whose matchers change: the old one expires, a new ID is returned', async () => {
    const { clock, s } = setup();
    const id = await s.set(input(clock.now()));
    await clock.advance(1000);
    const next = await s.set({ ...input(clock.now(), { matchers: [eq('alertname', 'B')] }), id });
    expect(next).not.toBe(id);
    expect(silenceState(s.get(id), clock.now())).toBe('expired');
    expect(silenceState(s.get(next), clock.now())).toBe('active');
  });

  it.each([
    { name: 'no matchers', over: { matchers: [] }, error: /at least one matcher/ },
    {
      name: 'only empty-matching matchers',
      over: { matchers: [{ name: 'a', value: '.*', isRegex: true, isEqual: true }] },
      error: /must not match the empty string/,
    },
    { name: 'end before start', over: { endsAt: 0 }, error: /end time/ },
    {
      name: 'bad regex',
      over: { matchers: [{ name: 'a', value: '((', isRegex: true, isEqual: true }] },
      error: /invalid regular expression/,
    },
  ])('rejects $name', async ({ over, error }) => {
    const { clock, s } = setup();
    await expect(s.set(input(clock.now(), over as Partial<Omit<Silence, 'id' | 'updatedAt'>>))).rejects.toThrow(error);
  });

  it('expires once, refuses twice, and honours the limit and retention', async () => {
    const { clock, s, persisted } = setup(1);
    const id = await s.set(input(clock.now()));
    await expect(s.set(input(clock.now(), { matchers: [eq('x', 'y')] }))).rejects.toThrow(
      /maximum number of silences: 1/,
    );
    await s.expire(id);
    await expect(s.expire(id)).rejects.toThrow(/already expired/);
    await expect(s.expire('nope')).rejects.toThrow(/not found/);
    await s.set(input(clock.now(), { matchers: [eq('x', 'y')] }));
    await clock.advance(25 * H);
    await s.gc();
    expect(persisted.has(id)).toBe(false);
    expect(() => s.get(id)).toThrow(/not found/);
  });
});
