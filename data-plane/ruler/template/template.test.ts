import { describe, expect, it } from 'vitest';
import { Labels } from '../../model/index.js';
import { formatG, sprintf } from '../../template/index.js';
import { RuleTemplate, type TemplateSample, templateFuncs } from './index.js';

const labels = Labels.fromObject({ __name__: 'up', instance: 'host-1:9100', job: 'node', severity: 'page' });
const external = Labels.fromObject({ cluster: 'eu-1' });

const samples: TemplateSample[] = [
  {
    Labels: new Map([
      ['instance', 'b'],
      ['__name__', 'up'],
    ]),
    Value: 0,
  },
  {
    Labels: new Map([
      ['instance', 'a'],
      ['__name__', 'up'],
    ]),
    Value: 1,
  },
];

async function expand(text: string, value = 42.5): Promise<string> {
  const queries: string[] = [];
  const out = await RuleTemplate.parse(text).expand(
    { labels, externalLabels: external, externalURL: 'http://cortex.example/prometheus', value },
    {
      query: async (q) => {
        queries.push(q);
        return q === 'empty' ? [] : samples;
      },
      externalURL: 'http://cortex.example/prometheus',
    },
  );
  return out;
}

const cases: { name: string; text: string; value?: number; want: string }[] = [
  { name: 'plain text', text: 'no templating', want: 'no templating' },
  { name: '$labels', text: '{{ $labels.instance }} down', want: 'host-1:9100 down' },
  { name: '.Labels', text: '{{ .Labels.job }}', want: 'node' },
  { name: 'missing label is empty', text: '[{{ $labels.nope }}]', want: '[]' },
  { name: '$value %v', text: '{{ $value }}', want: '42.5' },
  { name: '.Value big uses exponent', text: '{{ .Value }}', value: 1234567, want: '1.234567e+06' },
  { name: '$externalLabels', text: '{{ $externalLabels.cluster }}', want: 'eu-1' },
  { name: '$externalURL', text: '{{ $externalURL }}', want: 'http://cortex.example/prometheus' },
  { name: 'printf %.2f', text: '{{ printf "%.2f" $value }}', want: '42.50' },
  { name: 'pipeline printf', text: '{{ $value | printf "%.1f%%" }}', want: '42.5%' },
  { name: 'humanize', text: '{{ humanize 1234567 }}', want: '1.235M' },
  { name: 'humanize small', text: '{{ humanize 0.00123 }}', want: '1.23m' },
  { name: 'humanize1024', text: '{{ humanize1024 1048576 }}', want: '1Mi' },
  { name: 'humanizeDuration', text: '{{ humanizeDuration 93784 }}', want: '1d 2h 3m 4s' },
  { name: 'humanizeDuration seconds', text: '{{ humanizeDuration 1.5 }}', want: '1.5s' },
  { name: 'humanizeDuration ms', text: '{{ humanizeDuration 0.25 }}', want: '250ms' },
  { name: 'humanizePercentage', text: '{{ humanizePercentage 0.1234 }}', want: '12.34%' },
  {
    name: 'humanizeTimestamp',
    text: '{{ humanizeTimestamp 1435065584.128 }}',
    want: '2015-06-23 13:19:44.128 +0000 UTC',
  },
  {
    name: 'title/toUpper/toLower',
    text: '{{ "hello world" | title }} {{ toUpper "a" }} {{ toLower "B" }}',
    want: 'Hello World A b',
  },
  { name: 'reReplaceAll', text: '{{ reReplaceAll "(.*):(.*)" "$1" $labels.instance }}', want: 'host-1' },
  {
    name: 'reReplaceAll braces',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go regexp replacement syntax, not JS
    text: '{{ reReplaceAll "(?P<h>[a-z]+)-(\\\\d)" "${2}/$h" "host-1" }}',
    want: '1/host',
  },
  { name: 'query first value', text: '{{ query "up" | first | value }}', want: '0' },
  { name: 'query first label', text: '{{ with query "up" }}{{ . | first | label "instance" }}{{ end }}', want: 'b' },
  { name: 'with else on empty', text: '{{ with query "empty" }}x{{ else }}none{{ end }}', want: 'none' },
  {
    name: 'range over query',
    text: '{{ range query "up" }}{{ .Labels.instance }}={{ .Value }};{{ end }}',
    want: 'b=0;a=1;',
  },
  {
    name: 'range sortByLabel',
    text: '{{ range sortByLabel "instance" (query "up") }}{{ .Labels.instance }}{{ end }}',
    want: 'ab',
  },
  {
    name: 'range with vars',
    text: '{{ range $i, $s := query "up" }}{{ $i }}:{{ $s.Value }} {{ end }}',
    want: '0:0 1:1 ',
  },
  {
    name: 'range over labels map',
    text: '{{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}',
    want: '__name__=up,instance=host-1:9100,job=node,severity=page,',
  },
  { name: 'if/else', text: '{{ if gt $value 40.0 }}high{{ else }}low{{ end }}', want: 'high' },
  {
    name: 'else if',
    text: '{{ if eq $labels.severity "warn" }}w{{ else if eq $labels.severity "page" }}p{{ else }}?{{ end }}',
    want: 'p',
  },
  { name: 'trim markers', text: 'a  {{- " b " -}}  c', want: 'a b c' },
  { name: 'comment', text: 'x{{/* hidden */}}y', want: 'xy' },
  { name: 'variables', text: '{{ $x := "v" }}{{ $x }}{{ $x = "w" }}{{ $x }}', want: 'vw' },
  { name: 'and/or/not', text: '{{ and 1 0 }} {{ or 0 "" "z" }} {{ not true }}', want: '0 z false' },
  { name: 'match', text: '{{ if match "^host" $labels.instance }}yes{{ end }}', want: 'yes' },
  { name: 'stripPort', text: '{{ stripPort $labels.instance }}', want: 'host-1' },
  { name: '__proto__ label', text: '{{ index $labels "__proto__" }}|', want: '|' },
  {
    name: 'define and template',
    text: '{{ define "sev" }}[{{ . | toUpper }}]{{ end }}{{ template "sev" $labels.severity }} {{ template "sev" "x" }}',
    want: '[PAGE] [X]',
  },
  { name: 'block', text: '{{ block "who" $labels }}{{ .job }}/{{ .instance }}{{ end }}', want: 'node/host-1:9100' },
  {
    name: 'query inside a defined template',
    text: '{{ define "n" }}{{ range query . }}{{ label "instance" . }}{{ end }}{{ end }}{{ template "n" "up" }}',
    want: 'ba',
  },
  { name: 'toTime prints as Go', text: '{{ 1700000000.12 | toTime }}', want: '2023-11-14 22:13:20.12 +0000 UTC' },
  { name: 'toTime methods', text: '{{ (toTime 1700000000).Format "2006-01-02 15:04" }}', want: '2023-11-14 22:13' },
  { name: 'toDuration prints as Go', text: '{{ 3725 | toDuration }} {{ 0.25 | toDuration }}', want: '1h2m5s 250ms' },
  { name: 'humanizeDuration of a duration', text: '{{ 90 | toDuration | humanizeDuration }}', want: '1m 30s' },
  {
    name: 'break in range',
    text: '{{ range query "up" }}{{ if eq .Value 1.0 }}{{ break }}{{ end }}x{{ end }}',
    want: 'x',
  },
];

describe('rule templates', () => {
  it.each(cases)('$name', async ({ text, value, want }) => {
    expect(await expand(text, value)).toBe(want);
  });

  it.each([
    { name: 'unknown function', text: '{{ nope 1 }}', err: 'function "nope" not defined' },
    { name: 'unclosed action', text: '{{ $labels.x ', err: 'unclosed action' },
    { name: 'missing end', text: '{{ if true }}x', err: 'without {{end}}' },
    { name: 'undefined variable', text: '{{ $nope }}', err: 'undefined variable' },
  ])('rejects $name at parse time', ({ text, err }) => {
    expect(() => RuleTemplate.parse(text)).toThrow(err);
  });

  it('runs each distinct query once per function map and reports query errors', async () => {
    let calls = 0;
    const funcs = templateFuncs({
      query: async (q) => {
        calls++;
        if (q === 'bad') throw new Error('boom');
        return samples;
      },
      externalURL: '',
    });
    const data = { labels, externalLabels: external, externalURL: '', value: 1 };
    const t = RuleTemplate.parse('{{ range query "up" }}{{ .Value }}{{ end }}{{ (query "up" | first).Value }}');
    expect(await t.expandWith(data, funcs)).toBe('010');
    expect(await t.expandWith(data, funcs)).toBe('010');
    expect(calls).toBe(1);
    await expect(RuleTemplate.parse('{{ query "bad" }}').expandWith(data, funcs)).rejects.toThrow(
      'error calling query: boom',
    );
  });

  it('reports execution errors', async () => {
    await expect(expand('{{ query "empty" | first }}')).rejects.toThrow('first() called on vector with no elements');
  });
});

describe('Go float formatting', () => {
  it.each([
    [0.5, -1, '0.5'],
    [100000, -1, '100000'],
    [1000000, -1, '1e+06'],
    [0.0001, -1, '0.0001'],
    [0.00001, -1, '1e-05'],
    [1.5, 4, '1.5'],
    [1000, 4, '1000'],
    [12346, 4, '1.235e+04'],
    [Number.POSITIVE_INFINITY, 4, '+Inf'],
  ])('formatG(%s, %s) = %s', (v, p, want) => {
    expect(formatG(v, p)).toBe(want);
  });

  it.each([
    ['%d items', [3], '3 items'],
    ['%5.1f|', [1.26], '  1.3|'],
    ['%-4s|', ['ab'], 'ab  |'],
    ['%q', ['a"b'], '"a\\"b"'],
    ['%s', [], '%!s(MISSING)'],
  ])('sprintf(%s)', (f, args, want) => {
    expect(sprintf(f, args)).toBe(want);
  });
});
