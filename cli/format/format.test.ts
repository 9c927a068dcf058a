import { describe, expect, it } from 'vitest';
import { cell, colorEnabled, renderData, renderFields, renderTable } from './index.js';

describe('renderTable', () => {
  it('aligns columns, upper-cases headers and shows missing values as -', () => {
    const rows = [
      { id: 'acme', labels: { team: 'infra', env: 'prod' }, n: 1 },
      { id: 'b', labels: {}, n: null },
    ];
    const cols = [
      { header: 'id', get: (r: (typeof rows)[number]) => r.id },
      { header: 'labels', get: (r: (typeof rows)[number]) => r.labels },
      { header: 'n', get: (r: (typeof rows)[number]) => r.n },
    ];
    expect(renderTable(rows, cols)).toBe(
      ['ID     LABELS                N', 'acme   team=infra,env=prod   1', 'b      -                     -', ''].join(
        '\n',
      ),
    );
  });

  it('bolds the header only when colour is on', () => {
    expect(renderTable([], [{ header: 'id', get: () => 1 }], { color: true })).toBe('\u001b[1mID\u001b[22m\n');
  });
});

describe('cells and fields', () => {
  it.each([
    { name: 'null', v: null, want: '-' },
    { name: 'empty string', v: '', want: '-' },
    { name: 'list', v: ['a', 'b'], want: 'a,b' },
    { name: 'empty list', v: [], want: '-' },
    { name: 'number', v: 0, want: '0' },
  ])('cell: $name', ({ v, want }) => {
    expect(cell(v)).toBe(want);
  });

  it('aligns field values', () => {
    expect(
      renderFields([
        ['id', 'acme'],
        ['display name', null],
      ]),
    ).toBe('id:           acme\ndisplay name: -\n');
  });

  it('renders JSON and YAML with a final newline', () => {
    expect(renderData({ a: [1] }, 'json')).toBe('{\n  "a": [\n    1\n  ]\n}\n');
    expect(renderData({ a: [1] }, 'yaml')).toBe('a:\n  - 1\n');
  });
});

describe('colorEnabled', () => {
  it.each([
    { name: 'TTY', tty: true, env: {}, want: true },
    { name: 'pipe', tty: false, env: {}, want: false },
    { name: 'NO_COLOR on a TTY', tty: true, env: { NO_COLOR: '1' }, want: false },
    { name: 'TERM=dumb', tty: true, env: { TERM: 'dumb' }, want: false },
    { name: 'FORCE_COLOR on a pipe', tty: false, env: { FORCE_COLOR: '1' }, want: true },
  ])('$name', ({ tty, env, want }) => {
    expect(colorEnabled({ isTTY: tty }, env)).toBe(want);
  });
});
