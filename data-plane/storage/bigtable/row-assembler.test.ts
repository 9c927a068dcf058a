import { describe, expect, it } from 'vitest';
import { type CellChunk, RowAssembler } from './row-assembler.js';

const b = (s: string) => Buffer.from(s);
const cell = (key: string, value: string, more: Partial<CellChunk> = {}): CellChunk => ({
  rowKey: b(key),
  familyName: { value: 'f' },
  qualifier: { value: b('v') },
  value: b(value),
  ...more,
});
const rows = (...responses: CellChunk[][]) => {
  const r = new RowAssembler('f', 'v');
  for (const chunks of responses) r.add(chunks);
  return r.out.map((x) => [x.key.toString(), x.value.toString()]);
};

describe('RowAssembler', () => {
  it.each<{ name: string; responses: CellChunk[][]; want: string[][] }>([
    {
      name: 'one chunk per row, as the emulator sends them',
      responses: [[cell('a', 'x', { commitRow: true })], [cell('b', '', { commitRow: true })]],
      want: [
        ['a', 'x'],
        ['b', ''],
      ],
    },
    {
      name: 'a value split over chunks and responses',
      responses: [[cell('a', 'he')], [{ value: b('ll') }, { value: b('o'), commitRow: true }]],
      want: [['a', 'hello']],
    },
    {
      name: 'a reset row is dropped and sent again',
      responses: [[cell('a', 'stale'), { resetRow: true }, cell('a', 'fresh', { commitRow: true })]],
      want: [['a', 'fresh']],
    },
    {
      name: 'cells of other columns and families are left out',
      responses: [
        [
          cell('a', 'other', { qualifier: { value: b('w') } }),
          { familyName: { value: 'g' }, qualifier: { value: b('v') }, value: b('nope') },
          { familyName: { value: 'f' }, qualifier: { value: b('v') }, value: b('yes'), commitRow: true },
        ],
      ],
      want: [['a', 'yes']],
    },
    {
      name: 'a row not committed by the end is not a row',
      responses: [[cell('a', 'x', { commitRow: true }), cell('b', 'half')]],
      want: [['a', 'x']],
    },
  ])('$name', ({ responses, want }) => {
    expect(rows(...responses)).toEqual(want);
  });
});
