import { describe, expect, it } from 'vitest';
import { tenantPolicyErrors } from './tenant-policy.js';

describe('tenantPolicyErrors', () => {
  it('accepts http(s) URLs and plain values', () => {
    expect(
      tenantPolicyErrors({
        route: { receiver: 'a' },
        receivers: [{ name: 'a', webhook_configs: [{ url: 'https://x' }] }],
      }),
    ).toEqual([]);
  });

  it('accepts a templates list of uploaded names and globs', () => {
    expect(tenantPolicyErrors({ templates: ['default.tmpl', '*.tmpl', 'team-?.tmpl', '__proto__'] })).toEqual([]);
  });

  it('names every file field, template path and non-http URL with its path, in document order', () => {
    const got = tenantPolicyErrors({
      templates: ['/etc/*.tmpl', 'file:///x', 'ok.tmpl', '..\\x', '.hidden'],
      receivers: [
        {
          name: 'a',
          webhook_configs: [{ url: 'file:///etc/passwd', http_config: { password_file: '/x', proxy_url: 'nope' } }],
          slack_configs: [{ text: 'see gopher://h:70/x', title: ['ftp://h'] }],
        },
      ],
      global: { http_config: { http_headers: { X: { files: ['/etc/shadow'] } } } },
    });
    expect(got.map((e) => `${e.at} ${e.path}: ${e.message}`)).toEqual([
      'value templates[0]: template "/etc/*.tmpl" must name an uploaded template (template_files), not a path',
      'value templates[1]: template "file:///x" must name an uploaded template (template_files), not a path',
      'value templates[3]: template "..\\\\x" must name an uploaded template (template_files), not a path',
      'value templates[4]: template ".hidden" must name an uploaded template (template_files), not a path',
      'value receivers[0].webhook_configs[0].url: URL scheme file is not allowed: only http and https',
      'key receivers[0].webhook_configs[0].http_config.password_file: field password_file: fields that read local files are not allowed; put the value inline',
      'value receivers[0].webhook_configs[0].http_config.proxy_url: "nope" is not a valid URL',
      'value receivers[0].slack_configs[0].title[0]: URL scheme ftp is not allowed: only http and https',
      'key global.http_config.http_headers.X.files: field files: fields that read local files are not allowed; put the value inline',
    ]);
  });
});
