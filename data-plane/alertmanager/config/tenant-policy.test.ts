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

  it('names every file field, template glob and non-http URL with its path, in document order', () => {
    const got = tenantPolicyErrors({
      templates: ['/etc/*.tmpl', 'file:///x'],
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
      'key templates: field templates is not allowed: upload templates by name next to the configuration',
      'value receivers[0].webhook_configs[0].url: URL scheme file is not allowed: only http and https',
      'key receivers[0].webhook_configs[0].http_config.password_file: field password_file: fields that read local files are not allowed; put the value inline',
      'value receivers[0].webhook_configs[0].http_config.proxy_url: "nope" is not a valid URL',
      'value receivers[0].slack_configs[0].title[0]: URL scheme ftp is not allowed: only http and https',
      'key global.http_config.http_headers.X.files: field files: fields that read local files are not allowed; put the value inline',
    ]);
  });
});
