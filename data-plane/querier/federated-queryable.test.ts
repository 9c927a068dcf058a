import { describe, expect, it } from 'vitest';
import { Labels, Matcher, parseTenantId, type TenantId } from '../model/index.js';
import type { Queryable } from '../storage/index.js';
import { MemoryStorage } from '../storage/memory/index.js';
import { FederatedQueryable } from './federated-queryable.js';

const A = parseTenantId('a');
const B = parseTenantId('b');

/** A tenant's storage, and the tenants whose data any select reached. */
function tenants(): { fed: FederatedQueryable; read: Set<TenantId> } {
  const read = new Set<TenantId>();
  const part = (tenantId: TenantId, series: Record<string, string>[]): { tenantId: TenantId; queryable: Queryable } => {
    const m = new MemoryStorage();
    const app = m.appender();
    for (const s of series) app.append(Labels.fromObject(s), 1000, 1);
    void app.commit();
    return {
      tenantId,
      queryable: {
        querier: (mint, maxt) => {
          const q = m.querier(mint, maxt);
          return {
            ...q,
            select: (...args) => {
              read.add(tenantId);
              return q.select(...args);
            },
            labelNames: (ms, o) => q.labelNames(ms, o),
            labelValues: (n, ms, o) => q.labelValues(n, ms, o),
            close: () => q.close(),
          };
        },
      },
    };
  };
  const fed = new FederatedQueryable([
    part(A, [{ __name__: 'up', job: 'x' }]),
    part(B, [
      { __name__: 'up', job: 'y', __tenant_id__: 'own' },
      { __name__: 'other', job: 'y' },
    ]),
  ]);
  return { fed, read };
}

const m = (type: '=' | '!=' | '=~' | '!~', name: string, value: string) => new Matcher(type, name, value);

describe('FederatedQueryable', () => {
  const cases = [
    { name: 'all tenants', matchers: [m('=', '__name__', 'up')], series: ['a', 'b'], read: ['a', 'b'] },
    {
      name: 'one tenant by equality',
      matchers: [m('=', '__name__', 'up'), m('=', '__tenant_id__', 'a')],
      series: ['a'],
      read: ['a'],
    },
    {
      name: 'tenants by negative regex',
      matchers: [m('=', '__name__', 'up'), m('!~', '__tenant_id__', 'a|c')],
      series: ['b'],
      read: ['b'],
    },
    { name: 'no tenant', matchers: [m('=', '__name__', 'up'), m('=', '__tenant_id__', 'z')], series: [], read: [] },
  ];
  it.each(cases)('select: $name', async (c) => {
    const { fed, read } = tenants();
    const q = fed.querier(0, 2000);
    const got = await q.select(true, undefined, c.matchers);
    expect(got.map((s) => s.labels.get('__tenant_id__'))).toEqual(c.series);
    expect([...read].sort()).toEqual(c.read);
    q.close();
  });

  it('keeps a series’ own __tenant_id__ as original___tenant_id__ and its samples', async () => {
    const q = new FederatedQueryable([]).querier(0, 1);
    expect(await q.select(false, undefined, [m('=', '__name__', 'up')])).toEqual([]);
    const { fed } = tenants();
    const [s] = await fed
      .querier(0, 2000)
      .select(false, undefined, [m('=', '__tenant_id__', 'b'), m('=', 'job', 'y'), m('=', '__name__', 'up')]);
    expect(s!.labels.toObject()).toEqual({
      __name__: 'up',
      __tenant_id__: 'b',
      job: 'y',
      original___tenant_id__: 'own',
    });
    const it = s!.iterator();
    expect(it.next()).toBe(1);
    expect([it.atT(), it.atV()]).toEqual([1000, 1]);
  });

  it('refuses a select whose only non-empty matchers are on __tenant_id__', async () => {
    const q = tenants().fed.querier(0, 2000);
    await expect(q.select(false, undefined, [m('=', '__tenant_id__', 'a')])).rejects.toThrow(
      'err-cortex-empty-matchers',
    );
    await expect(q.select(false, undefined, [m('=', '__tenant_id__', 'a'), m('=~', 'job', '.*')])).rejects.toThrow(
      'besides __tenant_id__',
    );
  });

  it('answers label names and values across tenants', async () => {
    const q = tenants().fed.querier(0, 2000);
    expect(await q.labelNames([])).toEqual(['__name__', '__tenant_id__', 'job', 'original___tenant_id__']);
    expect(await q.labelNames([m('=', '__tenant_id__', 'a')])).toEqual(['__name__', '__tenant_id__', 'job']);
    expect(await q.labelValues('job', [])).toEqual(['x', 'y']);
    expect(await q.labelValues('job', [m('=', '__tenant_id__', 'b')])).toEqual(['y']);
    expect(await q.labelValues('__tenant_id__', [])).toEqual(['a', 'b']);
    expect(await q.labelValues('__tenant_id__', [m('=', '__name__', 'other')])).toEqual(['b']);
    expect(await q.labelValues('original___tenant_id__', [])).toEqual(['own']);
    expect(await q.labelValues('job', [], { limit: 1 })).toEqual(['x']);
  });

  it('fails the whole select when one tenant’s part fails (never a silent partial answer)', async () => {
    const broken: Queryable = {
      querier: () => ({
        select: async () => {
          throw new Error('limit hit in b');
        },
        labelNames: async () => [],
        labelValues: async () => [],
        close: () => {},
      }),
    };
    const fed = new FederatedQueryable([
      { tenantId: A, queryable: new MemoryStorage() },
      { tenantId: B, queryable: broken },
    ]);
    await expect(fed.querier(0, 1).select(false, undefined, [m('=', '__name__', 'up')])).rejects.toThrow(
      'limit hit in b',
    );
  });
});
