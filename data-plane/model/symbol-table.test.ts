import { describe, expect, it } from 'vitest';
import { SymbolTable } from './symbol-table.js';

describe('SymbolTable', () => {
  it('keeps the first instance of each string and forgets them all on clear', () => {
    const t = new SymbolTable();
    const a = 'job';
    expect(t.intern(a)).toBe(a);
    expect(t.intern(['j', 'o', 'b'].join(''))).toBe(a);
    expect(t.intern('instance')).toBe('instance');
    expect(t.size).toBe(2);
    t.clear();
    expect(t.size).toBe(0);
  });
});
