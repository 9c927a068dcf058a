import { describe, expect, it } from 'vitest';
import { templateRefErrors, validateTemplates } from './templates.js';

describe('templateRefErrors', () => {
  const uploaded = ['team.tmpl', 'ops.tmpl', '__proto__', 'constructor'];

  it.each([
    [['team.tmpl'], []],
    [['*.tmpl', 'team-?.tmpl', '*.none'], []],
    [['__proto__', 'constructor'], []],
    [[], []],
    [
      ['team.tmpl', 'other.tmpl', 'toString'],
      [
        'templates[1]: no uploaded template is named "other.tmpl"; upload it with the configuration (template_files)',
        'templates[2]: no uploaded template is named "toString"; upload it with the configuration (template_files)',
      ],
    ],
  ])('%j', (selected, want) => {
    expect(templateRefErrors(selected, uploaded).map((e) => `${e.path}: ${e.message}`)).toEqual(want);
  });
});

describe('validateTemplates', () => {
  it('takes file names that are Object.prototype members, __proto__ included', () => {
    const templates = JSON.parse(
      '{"__proto__": "{{ define \\"a\\" }}a{{ end }}", "constructor": "{{ define \\"b\\" }}b{{ end }}"}',
    );
    expect(Object.keys(templates)).toEqual(['__proto__', 'constructor']);
    expect(validateTemplates(templates)).toEqual([]);
  });
});
