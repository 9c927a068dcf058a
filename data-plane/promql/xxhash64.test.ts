import { describe, expect, it } from 'vitest';
import { Labels } from '../model/index.js';
import { labelsRatio } from './aggregate.js';
import { xxhash64 } from './xxhash64.js';

describe('xxhash64', () => {
  // reference values of XXH64 with seed 0 (xxHash's own test vectors)
  it.each([
    ['', 'ef46db3751d8e999'],
    ['a', 'd24ec4f1a98c6e5b'],
    ['abc', '44bc2cf5ad770999'],
    ['message digest', '066ed728fceeb3be'],
    ['abcdefghijklmnopqrstuvwxyz', 'cfe1f278fa89835c'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e04a477f19ee145d'],
  ])('hashes %j', (s, hex) => {
    expect(xxhash64(new TextEncoder().encode(s)).toString(16).padStart(16, '0')).toBe(hex);
  });

  it('gives limit_ratio offsets in [0, 1), the same for the same labels', () => {
    const a = labelsRatio(Labels.fromObject({ __name__: 'x', job: 'a' }));
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(1);
    expect(labelsRatio(Labels.fromObject({ job: 'a', __name__: 'x' }))).toBe(a);
    expect(labelsRatio(Labels.fromObject({ __name__: 'x', job: 'b' }))).not.toBe(a);
  });
});
