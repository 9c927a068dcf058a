/**
 * Uploaded notification templates, Cortex's way (docs/alertmanager.md): `POST /api/v1/alerts` with
 * `{template_files: {name: text}, alertmanager_config: "…"}` whose config lists the files to load
 * under `templates:` (names or `*`/`?` globs over the uploaded names, never paths). The tenant's
 * Alertmanager then renders notifications with them. Before, the API refused any `templates:` list,
 * so uploaded templates could never be used.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
let token: string;
let sink: Server;
const received: { attachments?: { text?: string }[] }[] = [];

beforeAll(async () => {
  p = await startPlatform({ alertmanagerAllowedCidrs: ['127.0.0.0/8'] });
  token = await p.tenantToken('acme', ['alerts:read', 'alerts:write']);
  sink = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
}, 120_000);

afterAll(async () => {
  sink?.close();
  await p?.close();
});

async function call(method: string, path: string, body?: string, type = 'application/yaml') {
  const res = await fetch(`${p.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': type } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: res.status, text: await res.text() };
}

const TEAM = '{{ define "team.text" }}team says: {{ range .Alerts }}{{ .Labels.alertname }} {{ end }}{{ end }}';

function body(templates: string, files: Record<string, string>): string {
  const config = `route:
  receiver: slack
  group_wait: 0s
receivers:
  - name: slack
    slack_configs:
      - api_url: http://127.0.0.1:${(sink.address() as AddressInfo).port}/slack
        text: '{{ template "team.text" . }}'
templates: ${templates}
`;
  const tf = Object.entries(files)
    .map(([k, v]) => `  ${k}: '${v}'`)
    .join('\n');
  return `template_files:\n${tf}\nalertmanager_config: |\n${config.replace(/^/gm, '  ')}`;
}

describe('template_files and the templates list', () => {
  it.each([
    [
      'a path',
      "['/etc/alertmanager/*.tmpl']",
      /templates\[0\]: template \\"\/etc\/alertmanager\/\*\.tmpl\\" must name an uploaded template/,
    ],
    ['a dot file', "['../team.tmpl']", /must name an uploaded template \(template_files\), not a path/],
    ['a name never uploaded', "['other.tmpl']", /templates\[0\]: no uploaded template is named \\"other\.tmpl\\"/],
  ])('refuses %s with a precise 400', async (_what, list, message) => {
    const r = await call('POST', '/api/v1/alerts', body(list, { 'team.tmpl': TEAM }));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(message);
  });

  it('accepts names and globs over the uploaded files and returns them', async () => {
    const r = await call('POST', '/api/v1/alerts', body("['team.tmpl', '*.extra']", { 'team.tmpl': TEAM }));
    expect(r.status).toBe(201);
    const doc = parse((await call('GET', '/api/v1/alerts')).text);
    expect(doc.template_files).toEqual({ 'team.tmpl': TEAM });
    expect(parse(doc.alertmanager_config).templates).toEqual(['team.tmpl', '*.extra']);
  });

  it('renders notifications with the listed template', async () => {
    // The config reaches the tenant's Alertmanager through the feed; until then the fallback has no receiver.
    const deadline = Date.now() + 20_000;
    while (!(await call('GET', '/alertmanager/api/v2/receivers')).text.includes('"slack"')) {
      if (Date.now() > deadline) throw new Error('config not loaded');
      await new Promise((r) => setTimeout(r, 200));
    }
    const alert = JSON.stringify([{ labels: { alertname: 'DiskFull' } }]);
    expect((await call('POST', '/alertmanager/api/v2/alerts', alert, 'application/json')).status).toBe(200);
    while (received.length === 0) {
      if (Date.now() > deadline) throw new Error('no notification');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(received[0]!.attachments?.[0]?.text).toBe('team says: DiskFull ');
  });
});
