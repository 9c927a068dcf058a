import { describe, expect, it } from 'vitest';
import { BadDataError, isStaleNaN, Labels, Matcher, STALE_NAN } from '../../model/index.js';
import { ValueType } from '../interface.js';
import { MemoryStorage } from './memory-storage.js';

async function filled(): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const app = s.appender();
  for (const job of ['b', 'a']) {
    const l = Labels.fromObject({ __name__: 'up', job });
    for (let t = 0; t < 10; t++) app.append(l, t * 1000, t);
  }
  await app.commit();
  return s;
}

describe('MemoryStorage', () => {
  it('selects sorted series limited to the querier range', async () => {
    const q = (await filled()).querier(2000, 4000);
    const series = await q.select(true, undefined, [new Matcher('=', '__name__', 'up')]);
    expect(series.map((s) => s.labels.get('job'))).toEqual(['a', 'b']);
    const it = series[0]!.iterator();
    const ts: number[] = [];
    for (let vt = it.next(); vt !== ValueType.None; vt = it.next()) ts.push(it.atT());
    expect(ts).toEqual([2000, 3000, 4000]);
  });

  it('seeks forward only', async () => {
    const q = (await filled()).querier(0, 10_000);
    const [s] = await q.select(false, undefined, [new Matcher('=', 'job', 'a')]);
    const it = s!.iterator();
    expect(it.seek(5500)).toBe(ValueType.Float);
    expect(it.atV()).toBe(6);
    expect(it.seek(1000)).toBe(ValueType.Float);
    expect(it.atT()).toBe(6000);
  });

  it('rejects out-of-order appends on commit', async () => {
    const s = await filled();
    const app = s.appender();
    app.append(Labels.fromObject({ __name__: 'up', job: 'a' }), 0, 1);
    await expect(app.commit()).rejects.toBeInstanceOf(BadDataError);
  });

  it('keeps staleness markers bit-exact', async () => {
    const s = new MemoryStorage();
    const app = s.appender();
    const l = Labels.fromObject({ __name__: 'x' });
    app.append(l, 0, 1);
    app.append(l, 1000, STALE_NAN);
    app.append(l, 2000, Number.NaN);
    await app.commit();
    const [series] = await s.querier(0, 5000).select(false, undefined, [new Matcher('=', '__name__', 'x')]);
    const it = series!.iterator();
    const stale: boolean[] = [];
    for (let vt = it.next(); vt !== ValueType.None; vt = it.next()) stale.push(isStaleNaN(it.atV()));
    expect(stale).toEqual([false, true, false]);
  });

  it('lists label names and values', async () => {
    const q = (await filled()).querier(0, 10_000);
    expect(await q.labelValues('job', [])).toEqual(['a', 'b']);
    expect(await q.labelNames([])).toEqual(['__name__', 'job']);
  });
});
