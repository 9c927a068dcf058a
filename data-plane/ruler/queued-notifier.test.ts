import { describe, expect, it } from 'vitest';
import { Labels, parseTenantId, type TenantId } from '../model/index.js';
import { QueuedNotifier } from './queued-notifier.js';
import type { NotifierAlert } from './types.js';

const A = parseTenantId('a');
const B = parseTenantId('b');
const alert = (name: string): NotifierAlert => ({
  labels: Labels.fromObject({ alertname: name }),
  annotations: Labels.EMPTY,
  startsAt: 1,
  endsAt: 2,
  generatorURL: '',
});
const names = (as: NotifierAlert[]) => as.map((a) => a.labels.get('alertname'));

describe('QueuedNotifier', () => {
  it('returns before delivery, delivers in order per tenant and drops the oldest when full', async () => {
    const delivered: [TenantId, string[]][] = [];
    let unblock!: () => void;
    const gate = new Promise<void>((r) => {
      unblock = r;
    });
    const dropped: number[] = [];
    const q = new QueuedNotifier(
      {
        async send(t, alerts) {
          await gate;
          delivered.push([t, names(alerts)]);
        },
      },
      { capacity: 3, batchSize: 2, onDropped: (_t, n) => dropped.push(n) },
    );
    await q.send(A, [alert('a1')]);
    await q.send(A, [alert('a2'), alert('a3'), alert('a4'), alert('a5')]);
    await q.send(B, [alert('b1')]);
    expect(delivered).toEqual([]);
    unblock();
    await q.flush();
    // a1 was already being delivered; of a2..a5 the oldest one was dropped to keep 3.
    expect(dropped).toEqual([1]);
    expect(delivered).toEqual([
      [A, ['a1']],
      [B, ['b1']],
      [A, ['a3', 'a4']],
      [A, ['a5']],
    ]);
    expect(q.pending()).toBe(0);
  });

  it('reports delivery errors and keeps going', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const q = new QueuedNotifier(
      {
        async send() {
          calls++;
          if (calls === 1) throw new Error('down');
        },
      },
      { batchSize: 1, onError: (_t, e) => errors.push(e) },
    );
    await q.send(A, [alert('x'), alert('y')]);
    await q.flush();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });
});
