import { isTenantId, parseDuration } from '../data-plane/model/index.js';
import { UsageError } from './errors.js';

/** `--label k=v` (repeatable) → a record; a value may contain `=`, the key may not be empty. */
export function parseLabels(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const out: Record<string, string> = Object.create(null);
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`invalid --label ${JSON.stringify(p)}: expected key=value`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return { ...out };
}

/**
 * The token scopes, checked before a request is sent (the server checks them too; the .proto keeps
 * scopes as strings, documented on Token.scopes).
 */
export const TOKEN_SCOPES = [
  'metrics:write',
  'metrics:read',
  'rules:read',
  'rules:write',
  'alerts:read',
  'alerts:write',
] as const;

/** `--scopes metrics:write,metrics:read` → validated, de-duplicated list in the given order. */
/** `--federate a,b,c` (also `--source-tenants`): tenant IDs, each valid, none twice. */
export function parseTenantList(list: string, flag = '--federate'): string[] {
  const ids = list.split(',').map((s) => s.trim());
  const bad = ids.filter((s) => !isTenantId(s));
  if (bad.length > 0) {
    throw new UsageError(
      `invalid ${flag}: ${bad.map((s) => JSON.stringify(s.slice(0, 64))).join(', ')} is not a tenant ID (1-64 characters of [A-Za-z0-9_-])`,
    );
  }
  const dup = ids.find((s, i) => ids.indexOf(s) !== i);
  if (dup !== undefined) throw new UsageError(`invalid ${flag}: tenant ${dup} is listed twice`);
  return ids;
}

export function parseScopes(list: string): string[] {
  const scopes = [
    ...new Set(
      list
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  if (scopes.length === 0) throw new UsageError('--scopes needs at least one scope');
  const known = new Set<string>(TOKEN_SCOPES);
  const bad = scopes.filter((s) => !known.has(s));
  if (bad.length > 0) {
    throw new UsageError(`unknown scope ${bad.join(', ')}: valid scopes are ${TOKEN_SCOPES.join(', ')}`);
  }
  return scopes;
}

const LATEST_EXPIRY = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** `--expires-in 30d` → ISO-8601 instant `nowMs + duration`. */
export function expiresAt(expiresIn: string, nowMs: number): string {
  let ms: number;
  try {
    ms = parseDuration(expiresIn);
  } catch {
    throw new UsageError(`invalid --expires-in ${JSON.stringify(expiresIn)}: use a duration such as 90d, 12h or 1y`);
  }
  if (ms <= 0) throw new UsageError('--expires-in must be positive');
  // beyond 9999-12-31 an instant has no RFC 3339 form (and past ±8.64e15 ms no Date at all)
  if (nowMs + ms > LATEST_EXPIRY) {
    throw new UsageError(`invalid --expires-in ${JSON.stringify(expiresIn)}: expires after 9999-12-31`);
  }
  return new Date(nowMs + ms).toISOString();
}
