import { describe, expect, it } from 'vitest';
import { execTemplate, type GoMap, goBuiltins, type Node, parseTemplate, stringFuncs, TemplateError } from './index.js';

const funcs = new Map([...goBuiltins(), ...stringFuncs()]);

class Pairs implements GoMap {
  constructor(private readonly m: Record<string, string>) {}
  goKeys(): string[] {
    return Object.keys(this.m);
  }
  goGet(k: string): string {
    return this.m[k] ?? '';
  }
  Without(name: unknown): Pairs {
    return new Pairs(Object.fromEntries(Object.entries(this.m).filter(([k]) => k !== name)));
  }
}

function run(text: string, dot: unknown = {}, opts: { limits?: Record<string, number> } = {}): string {
  const defs = new Map<string, Node[]>();
  const nodes = parseTemplate(text, { funcs: new Set(funcs.keys()), defs });
  return execTemplate(nodes, dot, { funcs, defs, ...opts.limits });
}

describe('the shared Go text/template engine', () => {
  it.each([
    {
      name: 'define and template',
      text: '{{define "x"}}[{{.}}]{{end}}{{template "x" "a"}}{{template "x" 2}}',
      want: '[a][2]',
    },
    { name: 'template without data', text: '{{define "x"}}<{{.}}>{{end}}{{template "x"}}', want: '<<no value>>' },
    { name: 'block defines and calls', text: '{{block "b" .A}}({{.}}){{end}}|{{template "b" "z"}}', want: '(1)|(z)' },
    { name: 'a later define wins', text: '{{define "x"}}1{{end}}{{define "x"}}2{{end}}{{template "x"}}', want: '2' },
    {
      name: 'called templates see only their dot',
      text: '{{$v := "outer"}}{{define "x"}}{{$}}{{end}}{{template "x" "inner"}}',
      want: 'inner',
    },
    {
      name: 'recursion with a base case',
      text: '{{define "r"}}{{if .}}{{len .}}{{template "r" (slice . 1)}}{{end}}{{end}}{{template "r" "abc"}}',
      want: '321',
    },
    { name: 'break', text: '{{range $i, $e := .L}}{{if eq $e 3}}{{break}}{{end}}{{$e}}{{end}}', want: '12' },
    { name: 'continue', text: '{{range .L}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}', want: '134' },
    { name: 'methods with arguments', text: '{{ (.M.Without "a").b }} {{ len (.M.Without "a") }}', want: '2 1' },
    { name: 'field chains stop at spaces', text: '{{ index .M .K }}', want: '1' },
    { name: 'map range in key order', text: '{{range $k, $v := .M}}{{$k}}={{$v}};{{end}}', want: 'a=1;b=2;' },
    { name: 'GoMap truthiness', text: '{{if .M}}full{{end}}{{if .E}}x{{else}}empty{{end}}', want: 'fullempty' },
    { name: 'html', text: `{{ html "<a href='x'>&\\"" }}`, want: '&lt;a href=&#39;x&#39;&gt;&amp;&#34;' },
    { name: 'urlquery', text: `{{ urlquery "a b&c=d!*" }}`, want: 'a+b%26c%3Dd%21%2A' },
    { name: 'js', text: `{{ js "it's <b>" }}`, want: "it\\'s \\u003Cb\\u003E" },
    { name: 'slice', text: '{{ slice "hello" 1 3 }}', want: 'el' },
    { name: 'title like Go', text: '{{ title "hello wide_world foo-bar" }}', want: 'Hello Wide_world Foo-Bar' },
    {
      name: 'reReplaceAll expands groups',
      text: '{{ reReplaceAll "(?P<h>[a-z]+):(\\\\d+)" "$' + '{h}/$2" "host:90" }}',
      want: 'host/90',
    },
  ])('$name', ({ text, want }) => {
    expect(run(text, { A: 1, L: [1, 2, 3, 4], M: new Pairs({ a: '1', b: '2' }), E: new Pairs({}), K: 'a' })).toBe(want);
  });

  it.each([
    { name: 'break outside range', text: '{{break}}', err: 'outside {{range}}' },
    { name: 'define without end', text: '{{define "x"}}a', err: 'missing {{end}} for {{define}}' },
    { name: 'unquoted template name', text: '{{template x}}', err: 'needs a quoted template name' },
    { name: 'unknown function', text: '{{ env "HOME" }}', err: 'function "env" not defined' },
  ])('rejects $name at parse time', ({ text, err }) => {
    expect(() => run(text)).toThrow(err);
  });

  it.each([
    { name: 'unknown template', text: '{{template "nope"}}', err: 'no such template "nope"' },
    {
      name: 'endless recursion',
      text: '{{define "l"}}{{template "l"}}{{end}}{{template "l"}}',
      err: 'recursion too deep',
    },
    { name: 'unexported methods', text: '{{ .O.low }}', err: "can't evaluate field low" },
    { name: 'prototype members', text: '{{ .O.constructor }}', err: "can't evaluate field constructor" },
    { name: 'arguments to a field', text: '{{ .O.x 1 }}', err: 'not a method' },
    { name: 'incompatible comparison', text: '{{ eq 1 "1" }}', err: 'incompatible types for comparison' },
  ])('fails on $name when executed', ({ text, err }) => {
    expect(() => run(text, { M: new Pairs({}), O: { x: 1, low: () => 'no' } })).toThrow(err);
  });

  it('bounds work and output', () => {
    expect(() => run('{{range 100000}}{{range 100}}{{end}}{{end}}')).toThrow('template ran too long');
    expect(() => run('{{range 1000}}xxxxxxxxxx{{end}}', {}, { limits: { maxOutput: 100 } })).toThrow(
      'template output too large',
    );
    expect(() => run('{{ nope }}')).toThrow(TemplateError);
  });

  it('prints numbers through the caller’s printer', () => {
    const nodes = parseTemplate('{{ . }} {{ len "abc" }}');
    expect(execTemplate(nodes, 1234567, { funcs })).toBe('1.234567e+06 3');
    expect(execTemplate(nodes, 1234567, { funcs, printNumber: String })).toBe('1234567 3');
  });
});
