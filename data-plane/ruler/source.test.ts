import { describe, expect, it } from 'vitest';
import { PollingRuleGroupSource, type RulesFeed } from './source.js';

const group = (name: string) => ({ name, rules: [{ record: 'a:b', expr: 'vector(1)' }] });

describe('PollingRuleGroupSource', () => {
  it('picks up feed changes on the next poll and keeps the last snapshot when the feed fails', async () => {
    let feed: RulesFeed | Error = {
      revision: 1,
      tenants: { t1: [{ namespace: 'ns', group: group('g1'), revision: 1 }] },
    };
    const errors: unknown[] = [];
    const src = new PollingRuleGroupSource(
      async () => {
        if (feed instanceof Error) throw feed;
        return feed;
      },
      { onError: (e) => errors.push(e) },
    );
    expect(await src.poll()).toBe(true);
    const rev1 = src.revision();
    expect([...src.snapshot().keys()]).toEqual(['t1']);
    expect(await src.poll()).toBe(false);
    expect(src.revision()).toBe(rev1);

    feed = {
      revision: 2,
      tenants: {
        t1: [{ namespace: 'ns', group: group('g2'), revision: 2 }],
        'bad tenant!': [{ namespace: 'ns', group: group('x'), revision: 1 }],
      },
    };
    expect(await src.poll()).toBe(true);
    expect(src.revision()).toBeGreaterThan(rev1);
    expect(
      src
        .snapshot()
        .get('t1' as never)
        ?.map((g) => g.group.name),
    ).toEqual(['g2']);
    expect(src.snapshot().size).toBe(1);

    feed = new Error('control plane down');
    expect(await src.poll()).toBe(false);
    expect(errors).toHaveLength(1);
    expect(
      src
        .snapshot()
        .get('t1' as never)
        ?.map((g) => g.group.name),
    ).toEqual(['g2']);
  });

  it('shares one fetch between concurrent polls', async () => {
    let calls = 0;
    const src = new PollingRuleGroupSource(async () => {
      calls++;
      return { revision: 1, tenants: {} };
    });
    await Promise.all([src.poll(), src.poll(), src.poll()]);
    expect(calls).toBe(1);
  });
});
