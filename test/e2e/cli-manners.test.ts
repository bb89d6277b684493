// The CLI as a shell user meets it: short usage errors, --version, files by
// position, -o, apply --target, --color.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, tempDir, writeFile, writes } from './harness.js';

const DESIRED = `version: 1
groups:
  - path: acme/platform
    runners:
      - description: platform-docker
        tag_list: [docker]
      - description: platform-arm
        tag_list: [arm64]
`;
const ANSI = /\x1b\[[0-9;]*m/;

describe('usage errors', () => {
  it('print the error and one pointer to the help, not the help, and exit 1', async () => {
    const r = await runCli(['plan', '--bogus'], { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: unknown option '--bogus'\nTry `runnerform plan --help`.\n");
    expect(r.stdout).toBe('');
  });
  it('name the command the error belongs to, or the program', async () => {
    const bad = await runCli(['export', '--format', 'x'], { cwd: tempDir() });
    expect(bad.stderr.trim().split('\n').at(-1)).toBe('Try `runnerform export --help`.');
    const unknown = await runCli(['plna'], { cwd: tempDir() });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("error: unknown command 'plna'\n(Did you mean plan?)\nTry `runnerform --help`.\n");
  });
  it('--version prints the version of the package', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(VERSION).toBe((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version);
  });
});

describe('files by position', () => {
  it('validate FILE is validate -f FILE', async () => {
    const dir = tempDir();
    writeFile(dir, 'ci-runners.yaml', DESIRED);
    const r = await runCli(['validate', 'ci-runners.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Valid: ci-runners.yaml (1 group, 0 projects, 2 runners).\n');
    const missing = await runCli(['validate', 'nope.yaml'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.yaml: cannot read');
  });
  it('never echoes a token pasted where a file was expected', async () => {
    const token = 'glrt-abcdefghijklmnopqrstu';
    for (const format of ['text', 'json']) {
      const r = await runCli(['validate', '--format', format, token], { cwd: tempDir() });
      expect(r.code).toBe(1);
      // The path is reported (so redaction, not silence, keeps it out).
      expect(r.stdout + r.stderr).toContain('glrt-[REDACTED]');
      expect(r.stdout + r.stderr).not.toContain(token);
    }
  });
});

describe('plan and apply options', () => {
  let fake: FakeGitLab;
  let dir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    fake = await startFakeGitLab(e2eSeed());
    dir = tempDir();
    env = { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN };
    writeFile(dir, 'runners.yaml', DESIRED);
    writeFile(dir, 'other.yaml', DESIRED.replace('platform-arm', 'platform-other'));
  });
  afterEach(async () => {
    await fake.close();
  });
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });

  it('plan FILE -o PLANFILE reads FILE and saves the plan', async () => {
    const r = await cli(['plan', 'other.yaml', '-o', 'saved.plan']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('runner["platform-other"] will be created');
    expect(r.stdout).not.toContain('platform-arm');
    expect(r.stderr).toContain('Plan saved to saved.plan. Apply it with: runnerform apply saved.plan');
    expect(JSON.parse(readFileSync(`${dir}/saved.plan`, 'utf8'))).toMatchObject({ format_version: expect.anything() });
  });

  it('apply --target changes only the targeted runner', async () => {
    const r = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json', '--target', 'group["acme/platform"].runner["platform-arm"]']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('the plan is limited to --target group["acme/platform"].runner["platform-arm"]');
    expect(r.stdout).toContain('Apply complete: 1 created');
    expect(fake.runners().filter((x) => (x.description ?? "").startsWith('platform-')).map((x) => x.description)).toEqual(['platform-arm']);
  });

  it('apply FILE.yaml plans and applies that desired state (as -f)', async () => {
    const r = await cli(['apply', 'other.yaml', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Apply complete: 2 created');
    expect(fake.runners().map((x) => x.description)).toContain('platform-other');
    expect(fake.runners().map((x) => x.description)).not.toContain('platform-arm');
  });

  it('a saved plan keeps its own targets: apply PLANFILE --target is refused before any change', async () => {
    const plan = await cli(['plan', '--target', 'group["acme/platform"].runner["platform-arm"]', '-o', 'arm.plan']);
    expect(plan.code, plan.stderr).toBe(0);
    const r = await cli(['apply', 'arm.plan', '--target', 'group["acme/platform"].runner["platform-docker"]', '--tokens-out', 'tokens.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/a saved plan keeps the targets it was planned with/);
    expect(writes(fake)).toEqual([]);
    expect(existsSync(`${dir}/tokens.json`)).toBe(false);
  });

  it('--color always colours even when piped and with NO_COLOR; --color never / --no-color never do', async () => {
    const always = await cli(['plan', '--color', 'always']);
    expect(always.code, always.stderr).toBe(0);
    expect(always.stdout).toMatch(ANSI);
    const forced = await cli(['plan'], { FORCE_COLOR: '1' });
    expect(forced.stdout).toMatch(ANSI);
    for (const args of [['plan', '--color', 'never'], ['--no-color', 'plan'], ['plan']]) {
      const r = await cli(args, { FORCE_COLOR: '1', ...(args.length === 1 ? { FORCE_COLOR: '0' } : {}) });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(ANSI);
      expect(r.stdout).toContain('Plan: 2 to create');
    }
  }, 120_000);

  it('auto is off when piped, and with TERM=dumb', async () => {
    const r = await cli(['plan'], { NO_COLOR: '', TERM: 'dumb' });
    expect(r.stdout).not.toMatch(ANSI);
    const piped = await cli(['plan'], { NO_COLOR: '', TERM: 'xterm-256color' });
    expect(piped.stdout).not.toMatch(ANSI);
  }, 60_000);
});
