import { describe, expect, it } from 'vitest';
import { isMap, parseDocument, visit } from 'yaml';
import { parseAlertmanagerConfig, validateTemplates } from './index.js';

/** A config touching every section; the walk below plants a `*_file` key in each of its mappings. */
const FULL = `
global:
  smtp_from: a@example.com
  smtp_smarthost: smtp.example.com:25
  slack_api_url: https://hooks.example.com/x
  http_config: {basic_auth: {username: u, password: p}, tls_config: {insecure_skip_verify: false}}
route:
  receiver: all
  routes: [{matchers: [a=b], receiver: all, routes: [{match: {c: d}}]}]
inhibit_rules: [{source_matchers: [a=b], target_matchers: [c=d], equal: [x]}]
receivers:
  - name: all
    webhook_configs: [{url: "https://e.com", http_config: {authorization: {credentials: x}}}]
    slack_configs: [{channel: "#x"}]
    pagerduty_configs: [{routing_key: k, details: {a: b}}]
    email_configs: [{to: x@example.com, headers: {X-A: b}}]
time_intervals: [{name: t, time_intervals: [{times: [{start_time: '00:00', end_time: '01:00'}]}]}]
`;

function variants(): { name: string; yaml: string }[] {
  const out: { name: string; yaml: string }[] = [];
  const doc = parseDocument(FULL);
  let count = 0;
  visit(doc, { Map: () => void count++ });
  for (let target = 0; target < count; target++) {
    for (const key of ['password_file', 'credentials_file', 'ca_file', 'api_url_file', 'files']) {
      const copy = parseDocument(FULL);
      let i = 0;
      let path = '';
      visit(copy, {
        Map: (_k, node, p) => {
          if (i++ === target && isMap(node)) {
            node.set(key, '/etc/passwd');
            path = p.length.toString();
          }
        },
      });
      out.push({ name: `${key} in mapping #${target} (depth ${path})`, yaml: copy.toString() });
    }
  }
  return out;
}

describe('no *_file field is accepted anywhere in the schema', () => {
  it('the unmodified config is valid', () => {
    expect(parseAlertmanagerConfig(FULL).errors).toEqual([]);
  });
  it.each(variants())('$name', ({ yaml }) => {
    const { config, errors } = parseAlertmanagerConfig(yaml);
    expect(config).toBeUndefined();
    expect(errors.some((e) => /is not allowed: configurations may not reference local files/.test(e.message))).toBe(
      true,
    );
  });
});

describe('validateTemplates', () => {
  it.each([
    { name: 'ok', templates: { 'a.tmpl': '{{ define "x" }}{{ .Status }}{{ end }}' }, errors: [] },
    { name: 'path name', templates: { '../etc/passwd': 'x' }, errors: [/invalid template name/] },
    { name: 'does not parse', templates: { 'a.tmpl': '{{ if }}' }, errors: [/does not parse/] },
    { name: 'too many', templates: { a: '', b: '', c: '' }, limits: { maxCount: 2 }, errors: [/too many templates/] },
    { name: 'too big', templates: { a: 'x'.repeat(11) }, limits: { maxBytes: 10 }, errors: [/too big/] },
  ] as {
    name: string;
    templates: Record<string, string>;
    limits?: { maxCount?: number; maxBytes?: number };
    errors: RegExp[];
  }[])('$name', ({ templates, limits, errors }) => {
    const got = validateTemplates(templates, limits);
    expect(got).toHaveLength(errors.length);
    errors.forEach((re, i) => {
      expect(got[i]!.message).toMatch(re);
    });
  });
});
