import { describe, expect, it } from 'vitest';
import { isSplittable } from './index.js';

describe('isSplittable', () => {
  const cases = [
    { name: 'plain rate', q: 'sum(rate(http_requests_total[5m]))', want: true },
    { name: 'subquery with offset', q: 'max_over_time(rate(x[1m])[10m:1m] offset 1h)', want: true },
    { name: 'fixed @ time', q: 'x @ 1700000000', want: true },
    { name: '@ start()', q: 'x @ start()', want: false },
    { name: '@ end() deep inside', q: 'sum(rate(x[5m] @ end())) / 2', want: false },
    { name: 'parse error', q: 'sum(', want: false },
    { name: 'range() function', q: 'x * range()', want: false },
    { name: 'start() function', q: 'vector(start())', want: false },
    { name: 'end() function', q: 'vector(end())', want: false },
    { name: 'step() is the same in every piece', q: 'vector(step())', want: true },
  ];
  it.each(cases)('$name', ({ q, want }) => {
    expect(isSplittable(q)).toBe(want);
  });
});
