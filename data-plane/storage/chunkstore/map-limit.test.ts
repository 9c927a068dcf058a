import { describe, expect, it } from 'vitest';
import { mapLimit } from './map-limit.js';

describe('mapLimit', () => {
  const cases = [
    { name: 'empty', n: 0, limit: 4 },
    { name: 'fewer items than the limit', n: 3, limit: 4 },
    { name: 'many items', n: 25, limit: 4 },
    { name: 'limit one is sequential', n: 5, limit: 1 },
  ];
  it.each(cases)('$name: keeps order and never exceeds the limit', async ({ n, limit }) => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: n }, (_, i) => i);
    const out = await mapLimit(items, limit, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      // Finish out of order: later items resolve sooner.
      await new Promise<void>((r) => queueMicrotask(r));
      for (let k = 0; k < (n - i) % 3; k++) await Promise.resolve();
      inFlight--;
      return i * 2;
    });
    expect(out).toEqual(items.map((i) => i * 2));
    expect(peak).toBeLessThanOrEqual(Math.max(1, limit));
    if (n >= limit && limit > 1) expect(peak).toBe(limit);
  });

  it('rejects with the first error', async () => {
    await expect(
      mapLimit([1, 2, 3], 2, async (i) => {
        if (i === 2) throw new Error('boom');
        return i;
      }),
    ).rejects.toThrow('boom');
  });
});
