// The package as a user gets it: `npm pack` of a copy of the checkout (prepack builds it),
// installed from the tarball into a temporary prefix without dev dependencies, then the
// installed `runnerform` run from a directory that has no access to the source tree.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { e2eSeed, OWNER_TOKEN, secretsIn, type CliResult } from '../e2e/harness.js';

const execFileP = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; devDependencies: Record<string, string> };

let work: string;
let files: string[];
let contents: Map<string, string>;
let prefix: string;
let elsewhere: string;
let tarball: string;
let installLog: string;

/** npm with a PATH that reaches this Node first, so lifecycle scripts and shebangs use it too. */
const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`;

/** npm's stdout, and its stderr too when `loglevel` lets warnings through. */
async function npm(args: string[], cwd: string, loglevel = 'error'): Promise<string> {
  const { stdout, stderr } = await execFileP('npm', [...args, '--no-audit', '--no-fund', `--loglevel=${loglevel}`], {
    cwd,
    env: { ...process.env, PATH, npm_config_update_notifier: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return loglevel === 'error' ? stdout : stdout + stderr;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'runnerform-package-'));
  // A copy, not the checkout: prepack rebuilds dist/, which the other test files are using.
  const src = join(work, 'src-copy');
  cpSync(root, src, {
    recursive: true,
    filter: (from) => !/^(node_modules|dist|\.git|\.tmp)$/.test((from.slice(root.length + 1).split('/')[0] ?? '')) || from === root,
  });
  symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'));
  const packed = JSON.parse(await npm(['pack', '--json', '--pack-destination', work], src)) as { filename: string }[];
  const [pack] = packed;
  if (!pack) throw new Error('npm pack named no tarball');
  tarball = join(work, pack.filename);
  rmSync(src, { recursive: true, force: true }); // from here on, no source tree exists but the real checkout

  const listing = (await execFileP('tar', ['-tzf', tarball])).stdout;
  files = listing.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')).sort();
  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  await execFileP('tar', ['-xzf', tarball, '-C', unpacked]);
  contents = new Map(files.map((f) => [f, readFileSync(join(unpacked, 'package', f), 'utf8')]));

  prefix = join(work, 'prefix');
  elsewhere = join(work, 'elsewhere');
  mkdirSync(elsewhere);
  installLog = await npm(['install', '--global', '--prefix', prefix, '--omit=dev', '--prefer-offline', tarball], elsewhere, 'warn');
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The installed bin, found through PATH as a user's shell finds it. */
function runnerform(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((ok, fail) => {
    const child = spawn('runnerform', args, {
      cwd: elsewhere,
      env: { PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: elsewhere, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe('the packed tarball', () => {
  it('holds the bundled CLI, the schemas, the licences, README and package.json, nothing else', () => {
    const unexpected = files.filter(
      (f) =>
        !/^dist\/src\/cli\/(main|chunks\/[\w-]+)\.js$/.test(f) &&
        !/^schemas\/[\w.-]+\.schema\.json$/.test(f) &&
        !['package.json', 'README.md', 'LICENSE', 'dist/THIRD-PARTY-LICENSES.txt'].includes(f),
    );
    expect(unexpected).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/src/cli/main.js', 'schemas/runners.schema.json', 'schemas/plan.schema.json']));
  });

  it('bundles its dependencies: the manifest declares none and keeps their licences', () => {
    const manifest = JSON.parse(contents.get('package.json')!) as { dependencies?: object; scripts: Record<string, string> };
    expect(manifest.dependencies ?? {}).toEqual({});
    const licences = contents.get('dist/THIRD-PARTY-LICENSES.txt')!;
    for (const dep of ['got', 'commander', 'js-yaml', 'diff', 'hpagent', 'ajv']) expect(licences).toMatch(new RegExp(`^${dep}@\\S+ \\(`, 'm'));
    expect(licences).toContain('Permission is hereby granted'); // the texts, not only the names
  });

  it('has no install script (prepare only builds a git install and is stripped from the tarball)', () => {
    const manifest = JSON.parse(contents.get('package.json')!) as { scripts: Record<string, string> };
    const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => s in manifest.scripts);
    expect(installScripts).toEqual([]);
    // The checkout's package.json is back as it was: prepare still builds a git install.
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.prepare).toBe('npm run build');
  });

  it('has no test file, fixture, source map, key or token-shaped string', () => {
    expect(files.filter((f) => /(^|\/)(test|tests|fixtures?|golden)(\/|$)|\.test\.|\.map$|\.pem$|\.key$|\.ts$/.test(f))).toEqual([]);
    const suspicious: string[] = [];
    for (const [file, text] of contents) {
      // The shapes secret scanners flag: GitLab tokens (gitleaks: gl…-[\w-]{20}) and PEM private keys.
      for (const m of text.matchAll(/\bgl(?:pat|rt|ptt|dt|rtr|cbt|imt|oas|ft|soat|ffct|agent|ldt|wt)-[0-9A-Za-z_-]{20,}/g)) suspicious.push(`${file}: ${m[0]}`);
      for (const s of secretsIn(text).filter((t) => t.length >= 25)) suspicious.push(`${file}: ${s}`);
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) suspicious.push(`${file}: private key`);
    }
    expect(suspicious).toEqual([]);
  });

  it('stays small', () => {
    expect(files.length).toBeLessThan(40); // ~25 with the bundle; 92 unbundled; 483 when tests and fixtures were shipped
    const bytes = [...contents.values()].reduce((n, t) => n + Buffer.byteLength(t), 0);
    expect(bytes).toBeLessThan(1_200_000); // ~0.9 MB unpacked: the dependencies are inside now
  });
});

describe('installed from the tarball without dev dependencies', () => {
  it('installs no other package: every runtime dependency is in the bundle', () => {
    const modules = join(prefix, 'lib/node_modules/runnerform/node_modules');
    for (const dev of Object.keys(pkg.devDependencies)) expect(existsSync(join(modules, dev)), dev).toBe(false);
    expect(existsSync(modules) ? readdirSync(modules) : []).toEqual([]);
  });

  it('installs without an install-script warning', () => {
    expect(installLog).not.toMatch(/install-scripts|prepare/);
  });

  it('runnerform --version prints the package version', async () => {
    const r = await runnerform(['--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(r.code).toBe(0);
  });

  it('validates a file in another directory', async () => {
    writeFileSync(join(elsewhere, 'runners.yaml'), 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: docker\n');
    const ok = await runnerform(['validate', '-f', 'runners.yaml']);
    expect(ok.stdout).toContain('Valid: runners.yaml');
    expect(ok.code).toBe(0);
    writeFileSync(join(elsewhere, 'bad.yaml'), 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: docker\n        colour: blue\n');
    const bad = await runnerform(['validate', '-f', 'bad.yaml']);
    expect(bad.stderr).toContain('bad.yaml:6:9');
    expect(bad.code).toBe(1);
  });

  it('prints the shipped schema, the file the package holds at schemas/runners.schema.json', async () => {
    const r = await runnerform(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(prefix, 'lib/node_modules/runnerform/schemas/runners.schema.json'), 'utf8'));
    expect(r.stdout).toBe(readFileSync(join(root, 'schemas/runners.schema.json'), 'utf8'));
  });

  it('plans against the fake GitLab', async () => {
    let fake: FakeGitLab | undefined;
    try {
      fake = await startFakeGitLab(e2eSeed());
      writeFileSync(join(elsewhere, 'runners.yaml'), 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: docker\n');
      const r = await runnerform(['plan', '-f', 'runners.yaml', '--detailed-exitcode'], { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN });
      expect(r.stdout).toContain('docker');
      expect(r.stdout).toContain('Plan: 1 to create, 0 to update, 0 to delete');
      expect(r.code).toBe(2);
      expect(secretsIn(r.stdout + r.stderr)).toEqual([]);
      expect(fake.requests.length).toBeGreaterThan(0);
    } finally {
      await fake?.close();
    }
  });
});
