import {
  BadDataError,
  formatDuration,
  parseDuration,
  parseTenantId,
  type TenantId,
} from '../../data-plane/model/index.js';
import {
  defaultLimits,
  isLimitKey,
  type LimitKey,
  type LimitSpec,
  type Limits,
  limitSpecs,
  type LimitValue as StoredLimitValue,
} from '../../data-plane/validation/index.js';
import { audit, type DomainDeps } from './context.js';
import type { Repositories } from './repositories.js';
import { requireTenant } from './tenants.js';
import type { StoredOverrides } from './types.js';

/**
 * A limit as the admin API shows it: durations as Prometheus duration strings, lists of names as
 * arrays, the rest as numbers.
 */
export type LimitValue = number | string | readonly string[];

const MAX_LIST_ENTRY_LENGTH = 256;

export interface LimitsView {
  tenantId: string;
  limits: Record<string, LimitValue>;
  overridden: string[];
  defaults: Record<string, LimitValue>;
}

function unknownKey(key: string): BadDataError {
  return new BadDataError(
    `unknown limit ${JSON.stringify(key.slice(0, 80))}; valid limits: ${Object.keys(limitSpecs).join(', ')}`,
  );
}

/** Validates a list limit: an array of names, or one comma-separated string (as the CLI sends it). */
function parseListValue(key: string, spec: LimitSpec, value: unknown): readonly string[] {
  const raw =
    typeof value === 'string'
      ? value
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '')
      : value;
  if (!Array.isArray(raw)) {
    throw new BadDataError(`${key}: must be a list of names, got ${value === null ? 'null' : typeof value}`);
  }
  const seen = new Set<string>();
  for (const v of raw) {
    if (typeof v !== 'string' || v === '') throw new BadDataError(`${key}: every entry must be a non-empty string`);
    if (v.length > MAX_LIST_ENTRY_LENGTH) {
      throw new BadDataError(
        `${key}: ${JSON.stringify(v.slice(0, 40))}… is longer than ${MAX_LIST_ENTRY_LENGTH} characters`,
      );
    }
    if (spec.labelNames && (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(v) || v.startsWith('__'))) {
      throw new BadDataError(`${key}: ${JSON.stringify(v)} is not a label name (or is reserved: __…)`);
    }
    if (seen.has(v)) throw new BadDataError(`${key}: ${JSON.stringify(v)} is listed twice`);
    seen.add(v);
  }
  if (raw.length < spec.min || raw.length > spec.max) {
    throw new BadDataError(`${key}: ${raw.length} entries is out of range [${spec.min}, ${spec.max}]`);
  }
  return [...seen];
}

/** An enumerated limit given by name ("NoTranslation"): its number. */
function parseName(key: string, spec: LimitSpec & { names: readonly string[] }, value: string): number {
  const i = spec.names.indexOf(value);
  if (i < 0) {
    throw new BadDataError(`${key}: ${JSON.stringify(value.slice(0, 60))} is not one of ${spec.names.join(', ')}`);
  }
  return i;
}

/** Validates one override against limitSpecs; returns the stored value (ms for durations). */
export function parseLimitValue(key: string, value: unknown): StoredLimitValue {
  if (!isLimitKey(key)) throw unknownKey(key);
  const spec = limitSpecs[key];
  if (spec.kind === 'labels') return parseListValue(key, spec, value);
  let n: number;
  if (spec.names !== undefined && typeof value === 'string' && !/^\d+$/.test(value)) {
    n = parseName(key, { ...spec, names: spec.names }, value);
  } else if (spec.kind === 'duration' && typeof value === 'string') {
    try {
      n = parseDuration(value);
    } catch {
      throw new BadDataError(
        `${key}: ${JSON.stringify(value.slice(0, 40))} is not a duration (e.g. "14d", "1h30m") or integer milliseconds`,
      );
    }
  } else if (typeof value === 'number') {
    n = value;
  } else {
    const want =
      spec.kind === 'duration'
        ? 'a duration string or integer milliseconds'
        : spec.names !== undefined
          ? `a number or one of ${spec.names.join(', ')}`
          : 'a number';
    throw new BadDataError(`${key}: must be ${want}, got ${value === null ? 'null' : typeof value}`);
  }
  if (!Number.isFinite(n)) throw new BadDataError(`${key}: must be a finite number`);
  if (spec.kind !== 'number' && !Number.isInteger(n))
    throw new BadDataError(`${key}: must be an integer (${spec.unit})`);
  if (n < spec.min || n > spec.max) {
    const fmt = (v: number) => (spec.kind === 'duration' ? formatDuration(v) : String(v));
    throw new BadDataError(`${key}: ${fmt(n)} is out of range [${fmt(spec.min)}, ${fmt(spec.max)}] (${spec.unit})`);
  }
  return n;
}

/**
 * Limits that are valid alone but not together. As in Prometheus and Mimir, an OTLP strategy that
 * keeps UTF-8 names (NoUTF8EscapingWithSuffixes, NoTranslation) needs the utf8 name validation
 * scheme: under legacy, every dotted name would be refused. Checked only when a change touches one of
 * them, so operator defaults that already combine them never block unrelated changes.
 */
export function checkLimitCombination(before: StoredOverrides, next: StoredOverrides, defaults: Limits): void {
  const touched = (k: LimitKey) => before[k] !== next[k];
  if (!touched('otlp_translation_strategy') && !touched('name_validation_scheme')) return;
  const strategy = (next.otlp_translation_strategy as number | undefined) ?? defaults.otlp_translation_strategy;
  const scheme = (next.name_validation_scheme as number | undefined) ?? defaults.name_validation_scheme;
  if (strategy >= 2 && scheme === 0) {
    const name = limitSpecs.otlp_translation_strategy.names?.[strategy] ?? String(strategy);
    throw new BadDataError(
      `otlp_translation_strategy ${name} keeps UTF-8 metric and label names, which name_validation_scheme legacy refuses; set name_validation_scheme to utf8 as well (or use an UnderscoreEscaping strategy)`,
    );
  }
}

function present(values: Partial<Record<string, StoredLimitValue>>): Record<string, LimitValue> {
  const out: Record<string, LimitValue> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || !isLimitKey(k)) continue;
    out[k] = limitSpecs[k].kind === 'duration' && typeof v === 'number' ? formatDuration(v) : v;
  }
  return out;
}

/** Per-tenant limit overrides on top of the cluster defaults. */
export class LimitsService {
  private readonly defaults: Limits;

  constructor(private readonly deps: DomainDeps & { readonly limitDefaults?: Partial<Limits> }) {
    const d: Record<string, StoredLimitValue> = { ...defaultLimits };
    for (const [k, v] of Object.entries(deps.limitDefaults ?? {})) {
      if (v !== undefined) d[k] = parseLimitValue(k, v);
    }
    this.defaults = d as Limits;
  }

  /** Effective defaults (built-ins merged with the operator's limitDefaults). */
  get limitDefaults(): Readonly<Limits> {
    return this.defaults;
  }

  /** The effective value of one limit for a tenant, read inside the caller's transaction. */
  async effective<K extends LimitKey>(r: Repositories, tenantId: TenantId, key: K): Promise<Limits[K]> {
    const overrides = await r.limits(tenantId).get();
    return (overrides[key] as Limits[K] | undefined) ?? this.defaults[key];
  }

  private view(tenantId: TenantId, overrides: StoredOverrides): LimitsView {
    return {
      tenantId,
      limits: present({ ...this.defaults, ...overrides }),
      overridden: Object.keys(overrides).sort(),
      defaults: present(this.defaults),
    };
  }

  async get(rawTenant: string): Promise<LimitsView> {
    const tenantId = parseTenantId(rawTenant);
    const overrides = await this.deps.store.read(async (r) => {
      await requireTenant(r, tenantId, true);
      return r.limits(tenantId).get();
    });
    return this.view(tenantId, overrides);
  }

  /** Replaces every override with `body`. */
  put(actor: string, rawTenant: string, body: Record<string, unknown>): Promise<LimitsView> {
    const next: StoredOverrides = {};
    for (const [k, v] of Object.entries(body)) next[k] = parseLimitValue(k, v);
    return this.change(actor, rawTenant, 'limits.put', () => next);
  }

  /** Changes some overrides; null unsets a key. */
  patch(actor: string, rawTenant: string, body: Record<string, unknown>): Promise<LimitsView> {
    const set: StoredOverrides = {};
    const unset: string[] = [];
    for (const [k, v] of Object.entries(body)) {
      if (v === null) {
        if (!isLimitKey(k)) throw unknownKey(k);
        unset.push(k);
      } else set[k] = parseLimitValue(k, v);
    }
    return this.change(actor, rawTenant, 'limits.patch', (cur) => {
      const next = { ...cur, ...set };
      for (const k of unset) delete next[k];
      return next;
    });
  }

  unset(actor: string, rawTenant: string, key: string): Promise<LimitsView> {
    if (!isLimitKey(key)) throw unknownKey(key);
    return this.change(actor, rawTenant, 'limits.delete', (cur) => {
      const next = { ...cur };
      delete next[key];
      return next;
    });
  }

  private async change(
    actor: string,
    rawTenant: string,
    action: string,
    fn: (cur: StoredOverrides) => StoredOverrides,
  ): Promise<LimitsView> {
    const tenantId = parseTenantId(rawTenant);
    const now = this.deps.clock.now();
    const after = await this.deps.store.transaction(async (r: Repositories) => {
      await requireTenant(r, tenantId);
      const before = await r.limits(tenantId).get();
      const next = fn(before);
      checkLimitCombination(before, next, this.defaults);
      await r.limits(tenantId).set(next, now);
      await r.revisions.bump('overrides');
      await audit(r, { at: now, actor, action, tenantId, before, after: next });
      return next;
    });
    return this.view(tenantId, after);
  }
}
