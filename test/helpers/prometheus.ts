/**
 * Runs Debian's real Prometheus 2.42 on loopback (free port, temp dir) as a remote-write client and a
 * side-by-side reference. Skips loudly when it is not installed, except under CI=true.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './services.js';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export function prometheusAvailable(): boolean {
  const ok = existsSync(PROMETHEUS_BIN);
  if (!ok && process.env.CI === 'true')
    throw new Error(`CI=true but ${PROMETHEUS_BIN} is missing (apt-get install prometheus)`);
  if (!ok) console.warn(`!!! ${PROMETHEUS_BIN} not found: real-Prometheus e2e tests are SKIPPED !!!`);
  return ok;
}

export interface RunningPrometheus {
  url: string;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts Prometheus with `config` (YAML text; `$DIR` and `$PORT` are replaced with its temp dir and port). */
export async function startPrometheus(
  config: string,
  opts: { files?: Record<string, string>; args?: string[] } = {},
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-prom-'));
  for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), text);
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), config.replaceAll('$DIR', dir).replaceAll('$PORT', String(port)));
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...(opts.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await waitForPort(port, 30_000);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${url}/-/ready`).catch(() => undefined);
    if (r?.ok) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  return {
    url,
    dir,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
