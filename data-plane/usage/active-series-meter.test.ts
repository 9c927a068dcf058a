import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Labels, parseTenantId, type TenantId } from '../model/index.js';
import { ActiveSeriesMeter, type ActiveSeriesSource, UsageRecorder } from './index.js';

const MIN = 60_000;
const acme = parseTenantId('acme');
const beta = parseTenantId('beta');

/** Series with their last append (wall ms), per tenant. */
class FakeHead implements ActiveSeriesSource {
  readonly series = new Map<TenantId, Array<{ labels: Labels; lastAppend: number }>>();
  put(t: TenantId, n: number, lastAppend: number): void {
    const list = this.series.get(t) ?? [];
    for (let i = 0; i < n; i++)
      list.push({ labels: Labels.fromObject({ __name__: 'up', i: `${list.length}` }), lastAppend });
    this.series.set(t, list);
  }
  tenants(): TenantId[] {
    return [...this.series.keys()];
  }
  *activeSeries(t: TenantId, since: number): Iterable<Labels> {
    for (const s of this.series.get(t) ?? []) if (s.lastAppend >= since) yield s.labels;
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(opts: { stateFile?: string } = {}) {
  const clock = { now: 10 * MIN + 5_000 };
  const head = new FakeHead();
  const recorder = new UsageRecorder(() => clock.now);
  const meter = new ActiveSeriesMeter({
    source: head,
    recorder,
    now: () => clock.now,
    checkIntervalMs: 3_600_000,
    ...(opts.stateFile ? { stateFile: opts.stateFile } : {}),
  });
  return { clock, head, recorder, meter };
}

describe('ActiveSeriesMeter', () => {
  it('records each minute once, at its end, with the series active within the idle timeout', async () => {
    const { clock, head, recorder, meter } = setup();
    head.put(acme, 5, clock.now);
    head.put(acme, 2, clock.now - 21 * MIN); // idle longer than 20 min: not active
    head.put(beta, 3, clock.now);
    meter.start();
    await meter.tick(); // minute 10 is in progress: nothing yet
    expect(recorder.drain()).toEqual([]);
    clock.now = 11 * MIN + 1_000;
    await meter.tick();
    await meter.tick(); // a second check in the same minute records nothing more
    expect(recorder.drain()).toEqual([
      { tenantId: 'acme', minuteMs: 10 * MIN, counters: { active_series_minutes: 5 } },
      { tenantId: 'beta', minuteMs: 10 * MIN, counters: { active_series_minutes: 3 } },
    ]);
    // A graceful stop records the minute in progress.
    clock.now = 11 * MIN + 30_000;
    await meter.stop();
    expect(recorder.drain().map((r) => [r.tenantId, r.minuteMs, r.counters.active_series_minutes])).toEqual([
      ['acme', 11 * MIN, 5],
      ['beta', 11 * MIN, 3],
    ]);
  });

  it('does not sample a minute that ended before the process started', async () => {
    const { clock, head, recorder, meter } = setup();
    head.put(acme, 4, clock.now);
    meter.start(); // in minute 10
    clock.now = 11 * MIN;
    await meter.tick(); // minute 10 ended: the process ran through its end
    clock.now = 13 * MIN + 2_000; // the loop was stuck: minute 11 is lost, minute 12 recorded
    await meter.tick();
    expect(recorder.drain().map((r) => r.minuteMs)).toEqual([10 * MIN, 12 * MIN]);
  });

  it('counts only the series the owner function gives it', async () => {
    const { clock, head, recorder } = setup();
    head.put(acme, 10, clock.now);
    const meter = new ActiveSeriesMeter({
      source: head,
      recorder,
      now: () => clock.now,
      owner: () => (l) => Number(l.get('i')) % 3 === 0,
    });
    meter.start();
    await meter.stop();
    expect(recorder.drain()[0]?.counters).toEqual({ active_series_minutes: 4 }); // i = 0, 3, 6, 9
  });

  it('a process restarted within a minute does not record it twice (state file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'active-series-'));
    dirs.push(dir);
    const stateFile = join(dir, 'minute');
    const first = setup({ stateFile });
    first.head.put(acme, 2, first.clock.now);
    first.meter.start();
    await first.meter.stop(); // records minute 10
    expect(first.recorder.drain()).toHaveLength(1);

    const second = setup({ stateFile }); // same minute 10
    second.head.put(acme, 2, second.clock.now);
    second.meter.start();
    await second.meter.stop();
    expect(second.recorder.drain()).toEqual([]);
    second.clock.now = 11 * MIN + 1;
    await second.meter.tick(); // minute 10 was recorded by the first process
    expect(second.recorder.drain()).toEqual([]);
  });
});
