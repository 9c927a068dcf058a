import { describe, expect, it } from 'vitest';
import { BadDataError } from '../model/index.js';
import { parseAlertmanagerBody, parseRuleGroupBody } from './config-routes.js';

// Regression cases found by the rules-yaml and alertmanager-yaml fuzz targets (test/fuzz/), shrunk.
describe('parseRuleGroupBody refuses what cannot be stored, quickly', () => {
  const cases: [string, string, RegExp][] = [
    // a YAML escape that yields a lone surrogate: encodeURIComponent threw on it, a 500
    ['lone surrogate in the name', 'name: "\\ud900"\nrules: []\n', /lone UTF-16 surrogate/],
    [
      'lone surrogate in a label value',
      'name: a\nrules:\n  - record: x\n    expr: up\n    labels: {a: "\\udc00"}\n',
      /lone UTF-16/,
    ],
    ['lone surrogate in a key', 'name: a\nrules: []\n"\\ud800": 1\n', /not valid Unicode/],
    // one line of 20,000 compact mappings took the yaml library seconds of event-loop time
    ['too many indicators on one line', `${'name: '.repeat(20_001)}`, /more than 20000 YAML/],
    ['too many lines', `name: a\nrules: []\n${'x\n'.repeat(20_001)}`, /more than 20000 YAML/],
    ['too many anchors', `name: a\nx: ${'&a '.repeat(20_001)}`, /more than 20000 YAML/],
    ['duplicate keys', 'name: a\nrules: []\nname: b\n', /map keys must be unique; "name" is repeated/],
    ['not finite', 'name: a\nlimit: .inf\nrules: []\n', /not a finite number/],
    ['broken YAML says where', 'name: [\n', /invalid YAML: .* at offset \d+/],
  ];
  it.each(cases)('%s', (_what, body, message) => {
    expect(() => parseRuleGroupBody(body)).toThrow(BadDataError);
    expect(() => parseRuleGroupBody(body)).toThrow(message);
  });

  it('still accepts a rule group with astral characters and many rules', () => {
    const rules = Array.from({ length: 500 }, (_, i) => `  - record: r${i}\n    expr: up\n`).join('');
    const g = parseRuleGroupBody(`name: "😀 api"\nrules:\n${rules}`);
    expect(g.name).toBe('😀 api');
    expect(g.rules).toHaveLength(500);
  });
});

describe('parseAlertmanagerBody', () => {
  it('applies the same YAML bounds', () => {
    expect(() => parseAlertmanagerBody(`route: {}\n${'- '.repeat(20_001)}`)).toThrow(/more than 20000 YAML/);
    expect(() => parseAlertmanagerBody('route: {}\nroute: {}\n')).toThrow(/"route" is repeated/);
  });
});
