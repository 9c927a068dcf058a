/**
 * The admin API contract's tooling, offline (buf and protoc-gen-es come from npm):
 *
 *   node --import tsx scripts/proto.ts generate   rebuild gen/ from proto/ and third_party/proto
 *   node --import tsx scripts/proto.ts check      buf lint, buf breaking against main, gen/ up to date
 *
 * `check` is part of `npm test`. Breaking changes are judged against the protos of `main` (or
 * $BUF_BREAKING_AGAINST); on main itself, against the commit before HEAD. A base without proto/ has
 * nothing to break.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'node_modules', '.bin');
const env = { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ''}` };

function buf(args: string[], cwd = REPO): boolean {
  const r = spawnSync(join(BIN, 'buf'), args, { cwd, env, stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status === 0;
}

function git(args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

/** Generates into `<base>/gen` (buf.gen.yaml's `out`, under `base`). */
function generate(base: string): boolean {
  return buf(['generate', '--output', base]);
}

/** The ref whose protos are the baseline: main, or HEAD's parent when HEAD is that commit. */
function baseline(): string | undefined {
  const wanted = process.env.BUF_BREAKING_AGAINST ?? 'main';
  const base = git(['rev-parse', '--verify', '--quiet', `${wanted}^{commit}`]);
  const head = git(['rev-parse', 'HEAD']);
  if (base === undefined || head === undefined) return undefined;
  return base === head ? git(['rev-parse', '--verify', '--quiet', 'HEAD~1^{commit}']) : base;
}

function breaking(): boolean {
  const base = baseline();
  if (base === undefined) {
    console.log('proto: no baseline commit to check breaking changes against');
    return true;
  }
  const tree = git(['ls-tree', '--name-only', base, 'proto', 'third_party/proto', 'buf.yaml']) ?? '';
  if (!tree.split('\n').includes('proto') || !tree.split('\n').includes('buf.yaml')) {
    console.log(`proto: ${base.slice(0, 12)} has no proto/ yet; nothing to break`);
    return true;
  }
  const dir = mkdtempSync(join(tmpdir(), 'proto-base-'));
  try {
    const paths = tree.split('\n').filter((p) => p !== '');
    const tar = execFileSync('git', ['archive', base, ...paths], { cwd: REPO, maxBuffer: 64 << 20 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    console.log(`proto: breaking changes against ${base.slice(0, 12)}`);
    return buf(['breaking', '--against', dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** gen/ must be exactly what generation makes now (it is committed; nobody edits it). */
function upToDate(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'proto-gen-'));
  try {
    if (!generate(dir)) return false;
    const want = files(join(dir, 'gen'));
    const have = files(join(REPO, 'gen'));
    const stale = [...new Set([...want, ...have])].filter(
      (f) =>
        !want.includes(f) ||
        !have.includes(f) ||
        !readFileSync(join(dir, 'gen', f)).equals(readFileSync(join(REPO, 'gen', f))),
    );
    if (stale.length > 0) {
      console.error(
        `proto: gen/ is out of date (${stale.map((f) => relative('.', join('gen', f))).join(', ')}); run npm run proto:generate`,
      );
      return false;
    }
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cmd = process.argv[2];
if (cmd === 'generate') {
  process.exit(generate(REPO) ? 0 : 1);
} else if (cmd === 'check') {
  const lint = buf(['lint']);
  if (lint) console.log('proto: buf lint ok');
  const ok = [lint, breaking(), upToDate()].every(Boolean);
  if (ok) console.log('proto: breaking check ok, gen/ up to date');
  process.exit(ok ? 0 : 1);
} else {
  console.error('usage: scripts/proto.ts generate|check');
  process.exit(2);
}
