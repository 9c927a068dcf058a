import { describe, expect, it } from 'vitest';
import type { CliConfig } from './index.js';
import { DEFAULT_ADDRESS, resolveConnection, UnknownContextError } from './index.js';

const config: CliConfig = {
  currentContext: 'cur',
  contexts: [
    { name: 'cur', address: 'http://cur:9009', token: 'tok-cur', tenant: 'cur-tenant' },
    { name: 'other', address: 'http://other:9009', token: 'tok-other' },
  ],
};

const cases = [
  {
    name: 'flags beat env and context',
    flags: { address: 'http://flag', token: 'tok-flag', tenant: 'flag-t' },
    env: { CORTEXCTL_ADDRESS: 'http://env', CORTEXCTL_TOKEN: 'tok-env', CORTEXCTL_TENANT: 'env-t' },
    want: { address: 'http://flag', token: 'tok-flag', tenant: 'flag-t', context: 'cur' },
  },
  {
    name: 'env beats context',
    flags: {},
    env: { CORTEXCTL_ADDRESS: 'http://env', CORTEXCTL_TOKEN: 'tok-env', CORTEXCTL_TENANT: 'env-t' },
    want: { address: 'http://env', token: 'tok-env', tenant: 'env-t', context: 'cur' },
  },
  {
    name: 'current context fills the rest',
    flags: {},
    env: {},
    want: { address: 'http://cur:9009', token: 'tok-cur', tenant: 'cur-tenant', context: 'cur' },
  },
  {
    name: '--context picks another context',
    flags: { context: 'other' },
    env: { CORTEXCTL_CONTEXT: 'cur' },
    want: { address: 'http://other:9009', token: 'tok-other', tenant: undefined, context: 'other' },
  },
  {
    name: 'CORTEXCTL_CONTEXT picks another context',
    flags: {},
    env: { CORTEXCTL_CONTEXT: 'other' },
    want: { address: 'http://other:9009', token: 'tok-other', tenant: undefined, context: 'other' },
  },
  {
    name: 'empty env values are ignored',
    flags: {},
    env: { CORTEXCTL_ADDRESS: '', CORTEXCTL_TOKEN: '' },
    want: { address: 'http://cur:9009', token: 'tok-cur', tenant: 'cur-tenant', context: 'cur' },
  },
];

describe('resolveConnection', () => {
  it.each(cases)('$name', ({ flags, env, want }) => {
    const c = resolveConnection({ flags, env, config });
    expect({ address: c.address, token: c.token, tenant: c.tenant, context: c.context }).toEqual(want);
  });

  it('defaults the address without any config', () => {
    const c = resolveConnection({ flags: {}, env: {}, config: { contexts: [] } });
    expect(c).toMatchObject({
      address: DEFAULT_ADDRESS,
      token: undefined,
      source: { address: 'default', token: 'none' },
    });
  });

  it('ignores a dangling current-context but rejects an unknown --context', () => {
    const dangling = { currentContext: 'gone', contexts: [] };
    expect(resolveConnection({ flags: {}, env: {}, config: dangling }).context).toBeUndefined();
    expect(() => resolveConnection({ flags: { context: 'gone' }, env: {}, config: dangling })).toThrow(
      UnknownContextError,
    );
  });
});
