import { describe, expect, it, vi } from 'vitest';
import { Labels, parseTenantId } from '../../model/index.js';
import { fingerprint } from '../alert.js';
import { templateData } from '../notify/data.js';
import { GoDuration, TemplateSet, templateValue } from './index.js';

const now = Date.parse('2026-11-26T10:00:00Z');
const alert = (labels: Record<string, string>, resolved = false) => {
  const l = Labels.fromObject(labels);
  return {
    labels: l,
    annotations: Labels.fromObject({ summary: `sum ${labels.instance ?? ''}` }),
    startsAt: now - 60_000,
    endsAt: resolved ? now - 1 : now + 300_000,
    generatorURL: 'http://prom/g',
    updatedAt: now,
    timeout: false,
    fingerprint: fingerprint(l),
  };
};
const data = templateValue(
  templateData({
    tenantId: parseTenantId('t'),
    receiver: 'team x',
    groupKey: '{}:{alertname="Down"}',
    groupLabels: Labels.fromObject({ alertname: 'Down' }),
    alerts: [
      alert({ alertname: 'Down', job: 'api', instance: 'a' }),
      alert({ alertname: 'Down', job: 'api', instance: 'b' }, true),
    ],
    externalUrl: 'http://am',
    now,
  }),
);

describe('templates', () => {
  const set = new TemplateSet(
    { 'custom.tmpl': '{{ define "my.title" }}{{ .Status | title }}: {{ len .Alerts }}{{ end }}' },
    ['*.tmpl'],
  );
  it.each([
    { name: 'subject', text: '{{ template "__subject" . }}', out: '[FIRING:1] Down (api)' },
    {
      name: 'status and fields',
      text: '{{ .Status }} {{ .Receiver }} {{ .CommonLabels.job }}',
      out: 'firing team x api',
    },
    {
      name: 'range with variables',
      text: '{{ range $i, $a := .Alerts }}{{ $i }}={{ $a.Labels.instance }} {{ end }}',
      out: '0=a 1=b ',
    },
    { name: 'firing/resolved', text: '{{ len .Alerts.Firing }}/{{ len .Alerts.Resolved }}', out: '1/1' },
    {
      name: 'if/else if/else',
      text: '{{ if eq .Status "resolved" }}R{{ else if eq .Status "firing" }}F{{ else }}?{{ end }}',
      out: 'F',
    },
    { name: 'with and else', text: '{{ with .CommonAnnotations.missing }}x{{ else }}none{{ end }}', out: 'none' },
    {
      name: 'toUpper/toLower/title',
      text: '{{ "ab cd" | toUpper }} {{ "AB" | toLower }} {{ "hello world" | title }}',
      out: 'AB CD ab Hello World',
    },
    { name: 'join over SortedPairs', text: '{{ .CommonLabels.SortedPairs.Names | join "," }}', out: 'alertname,job' },
    { name: 'Remove', text: '{{ (.CommonLabels.Remove .GroupLabels.Names).Values | join " " }}', out: 'api' },
    { name: 'reReplaceAll', text: '{{ reReplaceAll "(a+)b" "<$1>" "aab cab" }}', out: '<aa> c<a>' },
    { name: 'match', text: '{{ if match "^D" .GroupLabels.alertname }}yes{{ end }}', out: 'yes' },
    { name: 'printf', text: '{{ printf "%s has %d alerts" .Receiver (len .Alerts) }}', out: 'team x has 2 alerts' },
    { name: 'variables and assignment', text: '{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}', out: '2' },
    { name: 'trim markers and comments', text: 'a  {{- /* c */ -}}  {{- "b" -}}  c', out: 'abc' },
    { name: 'tenant template by glob', text: '{{ template "my.title" . }}', out: 'Firing: 2' },
    { name: 'times', text: '{{ (index .Alerts 0).StartsAt.Format "2006-01-02 15:04" }}', out: '2026-11-26 09:59' },
    { name: 'html escaping', text: '{{ "<b>" | html }}', out: '&lt;b&gt;' },
    { name: 'and/or/not', text: '{{ and 1 "x" }} {{ or "" "y" }} {{ not false }}', out: 'x y true' },
    { name: 'date', text: '{{ (index .Alerts 0).StartsAt | date "15:04:05 on Jan 02" }}', out: '09:59:00 on Nov 26' },
    { name: 'humanizeDuration', text: '{{ humanizeDuration 3725 }}', out: '1h 2m 5s' },
    { name: 'break in range', text: '{{ range .Alerts }}{{ .Labels.instance }}{{ break }}{{ end }}', out: 'a' },
    {
      name: 'ints print as ints',
      text: '{{ len .Alerts }} {{ (index .Alerts 0).StartsAt.Unix }}',
      out: '2 1795687140',
    },
    { name: 'urlquery as Go', text: '{{ .Receiver | urlquery }}', out: 'team+x' },
  ])('$name', ({ text, out }) => {
    expect(set.execute(text, data)).toBe(out);
  });

  it.each([
    { name: 'unknown function', text: '{{ readFile "/etc/passwd" }}', error: /function "readFile" not defined/ },
    { name: 'env is not a function', text: '{{ env "HOME" }}', error: /not defined/ },
    { name: 'unclosed if', text: '{{ if true }}x', error: /missing \{\{else\/end\}\}/ },
    {
      name: 'infinite recursion',
      text: '{{ define "loop" }}{{ template "loop" . }}{{ end }}{{ template "loop" . }}',
      error: /recursion too deep/,
    },
    { name: 'unknown template', text: '{{ template "nope" . }}', error: /no such template/ },
  ])('rejects $name', ({ text, error }) => {
    expect(() => new TemplateSet().execute(text, data)).toThrow(error);
  });

  it('since gives a Go duration', () => {
    vi.useFakeTimers({ now: now + 90_000 });
    try {
      expect(set.execute('{{ (index .Alerts 0).StartsAt | since }}', data)).toBe('2m30s');
      expect(set.execute('{{ (index .Alerts 0).StartsAt | since | humanizeDuration }}', data)).toBe('2m 30s');
    } finally {
      vi.useRealTimers();
    }
    expect([0, 1.5, 61_000, 3_600_000, 3_725_500].map((ms) => String(new GoDuration(ms)))).toEqual([
      '0s',
      '1.5ms',
      '1m1s',
      '1h0m0s',
      '1h2m5.5s',
    ]);
  });

  it('renders the default email and text bodies', () => {
    const html = set.execute('{{ template "email.default.html" . }}', data);
    expect(html).toContain('[1] Firing');
    expect(html).toContain('instance = a');
    const text = set.execute('{{ template "__text_alert_list" .Alerts.Firing }}', data);
    expect(text).toBe(
      'Labels:\n - alertname = Down\n - instance = a\n - job = api\nAnnotations:\n - summary = sum a\nSource: http://prom/g\n',
    );
  });
});
