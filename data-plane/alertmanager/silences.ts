import { randomUUID } from 'node:crypto';
import {
  BadDataError,
  type Clock,
  ConflictError,
  type Labels,
  LimitExceededError,
  Matcher,
  NotFoundError,
} from '../model/index.js';

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
}

export type SilenceState = 'active' | 'pending' | 'expired';

export function silenceState(s: Silence, now: number): SilenceState {
  if (s.endsAt <= now) return 'expired';
  return s.startsAt > now ? 'pending' : 'active';
}

export interface SilencesOptions {
  clock: Clock;
  /** Called after every change so the state store can persist it (awaited by callers of set/expire). */
  persist: (s: Silence) => Promise<void>;
  remove: (id: string) => Promise<void>;
  /** Read at every creation, so a limit change applies at once (`alertmanager_max_silences_count`). */
  maxSilences: number | (() => number);
  /** Told about every silence created, updated or expired here (after it was persisted). */
  onChange?: (s: Silence) => void;
  /** Expired silences are kept this long (for the API), then dropped. */
  retentionMs: number;
}

/** A tenant's silences: create, update (Alertmanager's rules), expire, and the mute check. */
export class Silences {
  private readonly byId = new Map<string, { s: Silence; matchers: Matcher[] }>();

  constructor(private readonly opts: SilencesOptions) {}

  /** Loads persisted silences (startup); invalid ones are skipped. */
  load(list: readonly Silence[]): void {
    for (const s of list) {
      try {
        this.byId.set(s.id, { s, matchers: compile(s.matchers) });
      } catch {
        // A silence that no longer compiles cannot mute anything; drop it.
      }
    }
  }

  /**
   * Takes silences changed on another replica (pushed, or read back from the shared store): a
   * silence replaces ours when it was updated later, as Alertmanager's gossip merge does.
   */
  merge(list: readonly Silence[]): number {
    let changed = 0;
    for (const s of list) {
      const cur = this.byId.get(s.id);
      if (cur && cur.s.updatedAt >= s.updatedAt) continue;
      try {
        this.byId.set(s.id, { s, matchers: compile(s.matchers) });
        changed++;
      } catch {
        // Not compilable here: it cannot mute anything.
      }
    }
    return changed;
  }

  get(id: string): Silence {
    const e = this.byId.get(id);
    if (!e) throw new NotFoundError(`silence ${id} not found`);
    return e.s;
  }

  list(): Silence[] {
    return [...this.byId.values()].map((e) => e.s);
  }

  /**
   * Creates or updates a silence; returns its ID. An update that changes the matchers or moves an
   * active silence's start expires the old silence and creates a new one, as Alertmanager does.
   */
  async set(input: Omit<Silence, 'id' | 'updatedAt'> & { id?: string }): Promise<string> {
    const now = this.opts.clock.now();
    const matchers = validate(input);
    const prev = input.id ? this.byId.get(input.id) : undefined;
    if (input.id && !prev) throw new NotFoundError(`silence ${input.id} not found`);
    if (prev && canUpdate(prev.s, input, now)) {
      const s: Silence = {
        ...prev.s,
        endsAt: input.endsAt,
        comment: input.comment,
        createdBy: input.createdBy,
        updatedAt: now,
      };
      if (silenceState(prev.s, now) === 'pending') s.startsAt = Math.max(input.startsAt, now);
      await this.store(s, matchers);
      return s.id;
    }
    const active = [...this.byId.values()].filter((e) => silenceState(e.s, now) !== 'expired').length;
    const max = typeof this.opts.maxSilences === 'function' ? this.opts.maxSilences() : this.opts.maxSilences;
    if (max > 0 && active >= max) {
      throw new LimitExceededError(
        `exceeded maximum number of silences: ${max} (alertmanager_max_silences_count, err-cortex-alertmanager-max-silences-count)`,
        { id: 'err-cortex-alertmanager-max-silences-count' },
      );
    }
    if (prev && silenceState(prev.s, now) !== 'expired') await this.expire(prev.s.id);
    const s: Silence = {
      id: randomUUID(),
      matchers: input.matchers,
      startsAt: Math.max(input.startsAt, now),
      endsAt: input.endsAt,
      updatedAt: now,
      createdBy: input.createdBy,
      comment: input.comment,
    };
    if (s.endsAt <= s.startsAt)
      throw new BadDataError('silence end time must be after its start time and in the future');
    await this.store(s, matchers);
    return s.id;
  }

  async expire(id: string): Promise<void> {
    const now = this.opts.clock.now();
    const e = this.byId.get(id);
    if (!e) throw new NotFoundError(`silence ${id} not found`);
    const state = silenceState(e.s, now);
    if (state === 'expired') throw new ConflictError(`silence ${id} already expired`);
    const s: Silence = { ...e.s, endsAt: now, updatedAt: now };
    if (state === 'pending') s.startsAt = now;
    await this.store(s, e.matchers);
  }

  /** IDs of active silences whose matchers all match `labels`. */
  mutedBy(labels: Labels): string[] {
    const now = this.opts.clock.now();
    const out: string[] = [];
    for (const { s, matchers } of this.byId.values()) {
      if (silenceState(s, now) !== 'active') continue;
      if (matchers.every((m) => m.matches(labels.get(m.name)))) out.push(s.id);
    }
    return out.sort();
  }

  /** Drops silences expired longer than the retention. */
  async gc(): Promise<void> {
    const cutoff = this.opts.clock.now() - this.opts.retentionMs;
    for (const [id, { s }] of this.byId) {
      if (s.endsAt < cutoff) {
        this.byId.delete(id);
        await this.opts.remove(id);
      }
    }
  }

  private async store(s: Silence, matchers: Matcher[]): Promise<void> {
    await this.opts.persist(s);
    this.byId.set(s.id, { s, matchers });
    this.opts.onChange?.(s);
  }
}

function compile(ms: readonly SilenceMatcher[]): Matcher[] {
  return ms.map((m) => new Matcher(m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=', m.name, m.value));
}

function validate(s: Omit<Silence, 'id' | 'updatedAt'>): Matcher[] {
  if (s.matchers.length === 0) throw new BadDataError('silence must have at least one matcher');
  for (const m of s.matchers) if (m.name === '') throw new BadDataError('silence matcher has an empty label name');
  const ms = compile(s.matchers);
  if (ms.every((m) => m.matches(''))) throw new BadDataError('at least one matcher must not match the empty string');
  if (!Number.isFinite(s.startsAt) || !Number.isFinite(s.endsAt))
    throw new BadDataError('silence needs startsAt and endsAt');
  if (s.endsAt < s.startsAt) throw new BadDataError('silence end time must not be before its start time');
  return ms;
}

function sameMatchers(a: readonly SilenceMatcher[], b: readonly SilenceMatcher[]): boolean {
  const key = (ms: readonly SilenceMatcher[]) =>
    JSON.stringify(ms.map((m) => [m.name, m.value, m.isRegex, m.isEqual]).sort());
  return key(a) === key(b);
}

function canUpdate(prev: Silence, next: Omit<Silence, 'id' | 'updatedAt'>, now: number): boolean {
  if (!sameMatchers(prev.matchers, next.matchers)) return false;
  switch (silenceState(prev, now)) {
    case 'expired':
      return false;
    case 'active':
      return next.startsAt === prev.startsAt && next.endsAt >= now;
    case 'pending':
      return next.startsAt >= now || next.startsAt === prev.startsAt;
  }
}
