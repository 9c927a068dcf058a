import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTenantId } from '../model/index.js';
import { type UsageBatch, UsageRecorder, UsageShipper, writeUsageOf } from './index.js';

const acme = parseTenantId('acme');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'usage-journal-'));
  dirs.push(d);
  return d;
}

/** A control plane stand-in that applies each (source, seq) once, as the real one does. */
class Ledger {
  readonly applied = new Map<string, UsageBatch>();
  failing = false;
  calls = 0;
  sink = async (b: UsageBatch): Promise<void> => {
    this.calls++;
    if (this.failing) throw new Error('control plane down');
    this.applied.set(`${b.source}/${b.seq}`, structuredClone(b));
  };
  total(metric: string): number {
    let n = 0;
    for (const b of this.applied.values()) for (const r of b.rows) n += r.counters[metric] ?? 0;
    return n;
  }
}

describe('UsageRecorder', () => {
  it('sums per tenant and minute, and drain starts afresh', () => {
    let now = 120_500;
    const r = new UsageRecorder(() => now);
    r.recordWrite(acme, { samples: 3, histograms: 1, exemplars: 0 });
    r.recordWrite(acme, { samples: 2, histograms: 0, exemplars: 1 });
    now = 180_000;
    r.recordRequestBytes(acme, 100);
    expect(r.drain()).toEqual([
      { tenantId: 'acme', minuteMs: 120_000, counters: { samples: 5, histograms: 1, exemplars: 1 } },
      { tenantId: 'acme', minuteMs: 180_000, counters: { request_bytes: 100 } },
    ]);
    expect(r.drain()).toEqual([]);
  });

  it('takes written counts and drops by reason from a push result', () => {
    const u = writeUsageOf({
      samplesWritten: 7,
      histogramsWritten: 2,
      exemplarsWritten: 1,
      errors: [
        { error: { id: 'err-cortex-sample-out-of-order' }, dropped: 3 },
        { error: { id: 'err-cortex-sample-out-of-order' }, dropped: 1 },
        { error: { id: 'err-cortex-label-invalid' }, dropped: 2 },
        { error: { id: 'err-cortex-exemplar-labels-missing' }, dropped: 0 },
      ],
    });
    expect(u.samples).toBe(7);
    expect(Object.fromEntries(u.discarded ?? [])).toEqual({
      'err-cortex-sample-out-of-order': 4,
      'err-cortex-label-invalid': 2,
    });
  });
});

describe('UsageShipper', () => {
  it('delivers each batch once and keeps it while the sink fails', async () => {
    const ledger = new Ledger();
    const recorder = new UsageRecorder(() => 60_000);
    const s = new UsageShipper({ recorder, sink: ledger.sink, dir: tempDir(), intervalMs: 3_600_000 });
    s.start();
    recorder.recordWrite(acme, { samples: 10, histograms: 0, exemplars: 0 });
    ledger.failing = true;
    await s.flush();
    expect(s.pending).toBe(1);
    recorder.recordWrite(acme, { samples: 5, histograms: 0, exemplars: 0 });
    ledger.failing = false;
    await s.flush();
    expect(s.pending).toBe(0);
    expect([...ledger.applied.keys()].map((k) => k.split('/')[1])).toEqual(['1', '2']);
    expect(ledger.total('samples')).toBe(15);
    await s.stop();
  });

  it('a crash before delivery loses nothing: the next process delivers the journal under the same keys', async () => {
    const dir = tempDir();
    const ledger = new Ledger();
    const first = new UsageRecorder(() => 60_000);
    const crashed = new UsageShipper({ recorder: first, sink: ledger.sink, dir, intervalMs: 3_600_000 });
    crashed.start();
    first.recordWrite(acme, { samples: 4, histograms: 1, exemplars: 2 });
    await crashed.flush(); // delivered as seq 1, and its segment deleted
    for (let i = 0; i < 100; i++) first.recordWrite(acme, { samples: 1, histograms: 0, exemplars: 0 });
    first.recordRequestBytes(acme, 999);
    // No flush, no stop: the process dies here (its segment file is all that is left).
    expect(readdirSync(dir).filter((f) => f.startsWith('segment-'))).toHaveLength(1);

    const restarted = new UsageShipper({
      recorder: new UsageRecorder(() => 120_000),
      sink: ledger.sink,
      dir,
      intervalMs: 3_600_000,
    });
    restarted.start();
    await restarted.flush();
    expect(ledger.total('samples')).toBe(104);
    expect(ledger.total('request_bytes')).toBe(999);
    const sources = new Set([...ledger.applied.values()].map((b) => b.source));
    expect(sources.size).toBe(1); // the same source ID after the restart
    expect([...ledger.applied.keys()].map((k) => Number(k.split('/')[1]))).toEqual([1, 2]);
    await restarted.stop();
  });

  it('re-delivers a journal whose delivery was not confirmed, under the key already applied', async () => {
    const dir = tempDir();
    const ledger = new Ledger();
    const recorder = new UsageRecorder(() => 60_000);
    // The control plane applies the batch but its answer is lost: the segment stays on disk.
    const lostAnswer = async (b: UsageBatch) => {
      await ledger.sink(b);
      throw new Error('connection reset');
    };
    const s = new UsageShipper({ recorder, sink: lostAnswer, dir, intervalMs: 3_600_000 });
    s.start();
    recorder.recordWrite(acme, { samples: 9, histograms: 0, exemplars: 0 });
    await s.flush();
    expect(s.pending).toBe(1);
    const again = new UsageShipper({
      recorder: new UsageRecorder(() => 0),
      sink: ledger.sink,
      dir,
      intervalMs: 3_600_000,
    });
    again.start();
    await again.flush();
    expect(ledger.calls).toBe(2);
    expect([...ledger.applied.keys()]).toHaveLength(1);
    expect(ledger.total('samples')).toBe(9);
    expect(again.pending).toBe(0);
    await again.stop();
  });

  it('skips a torn last line of a journal segment', async () => {
    const dir = tempDir();
    const ledger = new Ledger();
    const recorder = new UsageRecorder(() => 60_000);
    const s = new UsageShipper({ recorder, sink: ledger.sink, dir, intervalMs: 3_600_000 });
    s.start();
    recorder.recordWrite(acme, { samples: 2, histograms: 0, exemplars: 0 });
    const seg = readdirSync(dir).find((f) => f.startsWith('segment-'))!;
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(dir, seg), '{"tenantId":"acme","minu');
    const again = new UsageShipper({
      recorder: new UsageRecorder(() => 0),
      sink: ledger.sink,
      dir,
      intervalMs: 3_600_000,
    });
    again.start();
    await again.flush();
    expect(ledger.total('samples')).toBe(2);
    await again.stop();
  });
});
