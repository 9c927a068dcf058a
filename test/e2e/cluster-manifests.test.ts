/**
 * The Kubernetes manifest linter (`npm run lint:k8s`, scripts/lint-k8s.ts) rejects broken manifests and
 * docs that name flags `cortexctl` does not have. Each case copies deploy/k8s to a temp dir, breaks one
 * thing and expects exactly that to be reported.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkServerArgs, lintManifestDir, lintMarkdownCommands, REPO, serverFlags } from '../../scripts/lint-k8s.js';

const K8S = join(REPO, 'deploy', 'k8s');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function copy(edit?: (read: (f: string) => string, write: (f: string, text: string) => void) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-k8s-'));
  dirs.push(dir);
  cpSync(K8S, dir, { recursive: true });
  edit?.(
    (f) => readFileSync(join(dir, f), 'utf8'),
    (f, text) => writeFileSync(join(dir, f), text),
  );
  return dir;
}

function replaceOnce(text: string, from: string, to: string): string {
  expect(text.includes(from), `fixture text not found: ${from}`).toBe(true);
  return text.replace(from, to);
}

describe('lint:k8s manifests', () => {
  it('accepts the shipped manifests (schema, strict fields, consistency, real cortexctl server flags)', async () => {
    const problems = await lintManifestDir(copy(), { flags: await serverFlags() });
    expect(problems).toEqual([]);
  });

  it('rejects an unknown field anywhere (strict), naming its path', async () => {
    const dir = copy((read, write) => {
      let t = read('distributor.yaml');
      t = replaceOnce(t, '  replicas: 2\n', '  replica: 2\n');
      t = replaceOnce(
        t,
        '              containerPort: 9009\n',
        '              containerPort: 9009\n              hostPorts: 1\n',
      );
      write('distributor.yaml', t);
    });
    const problems = await lintManifestDir(dir, { flags: await serverFlags() });
    const messages = problems.map((p) => `${p.file}: ${p.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^distributor\.yaml: unknown field \/spec\/replica /),
      expect.stringMatching(
        /^distributor\.yaml: unknown field \/spec\/template\/spec\/containers\/0\/ports\/0\/hostPorts /,
      ),
    ]);
  });

  it('rejects a schema violation (wrong type, missing required field, unknown kind)', async () => {
    const dir = copy((read, write) => {
      write('querier.yaml', replaceOnce(read('querier.yaml'), 'containerPort: 9009', 'containerPort: http'));
      write('config.yaml', `${read('config.yaml')}---\napiVersion: v1\nkind: Servic\nmetadata:\n  name: x\n`);
      write('ruler.yaml', replaceOnce(read('ruler.yaml'), '        - name: cortex\n', '        - nme: cortex\n'));
    });
    const problems = await lintManifestDir(dir, { flags: await serverFlags(), noStrict: true });
    const text = problems.map((p) => `${p.file}: ${p.message}`).join('\n');
    expect(text).toMatch(
      /querier\.yaml: schema: \/spec\/template\/spec\/containers\/0\/ports\/0\/containerPort must be integer/,
    );
    expect(text).toMatch(/config\.yaml: unknown apiVersion\/kind v1 Servic/);
    expect(text).toMatch(/ruler\.yaml: schema: \/spec\/template\/spec\/containers\/0 must have required property name/);
  });

  it('rejects inconsistent manifests: probes, selectors, secret keys, ports, $(VAR), headless service, grace period', async () => {
    const dir = copy((read, write) => {
      let g = read('gateway.yaml');
      g = replaceOnce(g, 'path: /ready', 'path: /healthz');
      g = replaceOnce(g, '                  key: cluster-secret', '                  key: cluster-secret-typo');
      g = replaceOnce(g, '      targetPort: http', '      targetPort: web');
      g = replaceOnce(g, '--advertise-url=http://$(POD_IP):9009', '--advertise-url=http://$(POD_ADDR):9009');
      write('gateway.yaml', g);
      let q = read('query-frontend.yaml');
      q = q.replace(/(kind: Service\n[\s\S]*?component: )query-frontend(\n {2}ports:)/, '$1query-frontnd$2');
      write('query-frontend.yaml', q);
      let i = read('ingester.yaml');
      i = replaceOnce(i, '  clusterIP: None\n', '');
      i = i.replaceAll('terminationGracePeriodSeconds: 1800', 'terminationGracePeriodSeconds: 30');
      write('ingester.yaml', i);
      write('kustomization.yaml', replaceOnce(read('kustomization.yaml'), '  - ruler.yaml\n', ''));
    });
    const problems = await lintManifestDir(dir, { flags: await serverFlags(), noStrict: true });
    const text = problems.map((p) => `${p.file}: ${p.message}`).join('\n');
    expect(text).toMatch(/gateway\.yaml: container cortex: readinessProbe must GET \/ready/);
    expect(text).toMatch(
      /gateway\.yaml: container cortex: env CORTEX_CLUSTER_SECRET: Secret cortex-secrets has no key/,
    );
    expect(text).toMatch(/gateway\.yaml: targetPort web is not a container port of cortex-gateway/);
    expect(text).toMatch(/gateway\.yaml: container cortex: \$\(POD_ADDR\) is not defined/);
    expect(text).toMatch(/query-frontend\.yaml: selector matches no workload/);
    expect(text).toMatch(/ingester\.yaml: Service cortex-ingester must be headless/);
    expect(text).toMatch(/ingester\.yaml: terminationGracePeriodSeconds must leave >= 600 s/);
    expect(text).toMatch(/kustomization\.yaml: ruler\.yaml is not listed in resources/);
  });

  it('rejects flags, targets and CORTEX_* variables that cortexctl server does not have', async () => {
    const dir = copy((read, write) => {
      let d = read('distributor.yaml');
      d = replaceOnce(d, '--data-dir=/data', '--data-directory=/data');
      d = replaceOnce(d, '--target=distributor', '--target=distributer');
      write('distributor.yaml', d);
      write('config.yaml', `${read('config.yaml')}  CORTEX_RING_TOKEN: "64"\n`);
    });
    const problems = await lintManifestDir(dir, { flags: await serverFlags(), noStrict: true });
    const text = problems.map((p) => `${p.file}: ${p.message}`).join('\n');
    expect(text).toMatch(/distributor\.yaml: container cortex: unknown flag --data-directory/);
    expect(text).toMatch(/distributor\.yaml: container cortex: --target: unknown target distributer/);
    expect(text).toMatch(/\(all\): no workload runs --target=distributor/);
    expect(text).toMatch(/CORTEX_RING_TOKEN is not the env of any cortexctl server flag/);
  });

  it('reads the flags from the oclif command class', async () => {
    const flags = await serverFlags();
    const names = flags.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['target', 'port', 'cluster-secret', 'postgres-url', 'migrate']));
    expect(checkServerArgs(['--no-migrate', '--port', '9009', '--dev'], flags)).toEqual([]);
    expect(checkServerArgs(['--no-dev', '--prot=1'], flags)).toEqual(['unknown flag --no-dev', 'unknown flag --prot']);
  });
});

describe('lint:k8s docs', () => {
  it('accepts docs/deploy.md', async () => {
    const file = join(REPO, 'docs', 'deploy.md');
    expect(await lintMarkdownCommands('docs/deploy.md', readFileSync(file, 'utf8'), await serverFlags())).toEqual([]);
  });

  it('checks every cortexctl command and flag in fenced code blocks', async () => {
    const md = [
      'Text with `cortexctl server --not-checked` outside a code block.',
      '```bash',
      'cortexctl server --target=ingester --port 9101 \\',
      '  --data-dir /tmp/x --wal-fsnyc=batch   # typo',
      'CORTEX_CLUSTER_SECRET=0123456789abcdef node bin/run.js server --target=distributor,querier',
      'CORTEX_NOT_A_FLAG=1 cortexctl server --target=everything',
      'cortexctl tenant create acme --display-name "Acme" && cortexctl tenant create beta --displayname x',
      'cortexctl tenant explode acme',
      'curl -s localhost:9009/ready | cortexctl status --help',
      '```',
    ].join('\n');
    const problems = await lintMarkdownCommands('x.md', md, await serverFlags());
    expect(problems.map((p) => `${p.where}: ${p.message}`)).toEqual([
      'line 3: cortexctl server: unknown flag --wal-fsnyc',
      'line 6: CORTEX_NOT_A_FLAG is not the env of any cortexctl server flag',
      'line 6: cortexctl server: --target: unknown target everything',
      'line 7: cortexctl tenant create: unknown flag --displayname',
      'line 8: unknown command: cortexctl tenant explode acme',
    ]);
  });
});
