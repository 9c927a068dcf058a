import { describe, expect, it } from 'vitest';
import { BadDataError, parseTenantId, UnavailableError } from '../model/index.js';
import { AdminApiConfigStore } from './admin-config-store.js';

describe('AdminApiConfigStore maps the admin API’s refusals', () => {
  // found by the rules-yaml fuzz target: a 414 for a long group name came back as a 503
  it.each([
    [413, BadDataError],
    [414, BadDataError],
    [431, BadDataError],
    [400, BadDataError],
    [500, UnavailableError],
    [401, UnavailableError],
  ] as const)('%i', async (status, kind) => {
    const store = new AdminApiConfigStore(async () => ({ status, body: undefined }));
    await expect(store.putRuleGroup(parseTenantId('t'), 'ns', { name: 'g', rules: [] })).rejects.toBeInstanceOf(kind);
  });
});
