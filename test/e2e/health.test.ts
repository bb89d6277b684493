// `runnerform health` end to end against the fake GitLab: one test per rule,
// each built so that it fails when its rule is taken out.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import type { Seed, SeedRunner } from '../fake-gitlab/seed.js';
import { OWNER_TOKEN, e2eSeed, runCli, tempDir, writeFile } from './harness.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

let fake: FakeGitLab | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  fake = undefined;
  dir = undefined;
});

/** A fake with `runners` in acme/platform (and `patch` applied to the seed), a runners.yaml declaring `declared`. */
async function setup(runners: SeedRunner[], declared: string[], opts: { patch?: (s: Seed) => void } = {}) {
  const seed = e2eSeed();
  seed.gitlab_version = '18.6.1';
  seed.runners!.push(...runners);
  opts.patch?.(seed);
  fake = await startFakeGitLab(seed);
  dir = tempDir();
  const list = declared.map((d) => `      - description: ${d}\n`).join('');
  writeFile(dir, 'runners.yaml', `version: 1\ngroups:\n  - path: acme/platform\n    runners:\n${list}`);
  return { fake, dir };
}

const health = (args: string[] = []) => runCli(['health', ...args], { cwd: dir, env: { GITLAB_URL: fake!.url, GITLAB_TOKEN: OWNER_TOKEN } });

interface JsonFinding {
  rule: string;
  address: string;
  system_id: string | null;
  declared: boolean;
  message: string;
  remedy: string;
}
async function findings(args: string[] = []): Promise<{ code: number | null; findings: JsonFinding[] }> {
  const r = await health(['--format', 'json', ...args]);
  expect(r.stderr).toMatch(/^GitLab: \S+ \(from GITLAB_URL\)\n$/);
  return { code: r.code, findings: (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings };
}

const online = (system_id: string, version = '18.6.0') => ({ system_id, version, revision: 'abc', platform: 'linux', architecture: 'amd64', contacted_at: ago(60_000) });
const ADDR = 'group["acme/platform"].runner["docker"]';

describe('runnerform health', () => {
  it('exits 0 and says healthy for runners whose managers are current and online', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [online('s_a'), online('s_b')] }], ['docker']);
    const r = await health();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Healthy: no findings.');
    expect(r.stdout).toContain('(GitLab 18.6.1)');
  });

  it('reports a manager more than max_minor_skew minors behind GitLab, with its system_id', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [online('s_new'), online('s_old', '18.2.3')] }], ['docker']);
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f).toEqual([expect.objectContaining({ rule: 'version_skew', address: ADDR, system_id: 's_old', declared: true })]);
    expect(f[0].message).toContain('18.2.3, 4 minor releases behind GitLab 18.6');
  });

  it('honours a per-runner max_minor_skew override', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [online('s_old', '18.2.3')] }], []);
    writeFile(dir!, 'runners.yaml', 'version: 1\nhealth:\n  max_minor_skew: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: docker\n        health:\n          max_minor_skew: 4\n');
    const { code } = await findings();
    expect(code).toBe(0);
  });

  it('reports an offline manager among online ones', async () => {
    const gone = { ...online('s_gone'), contacted_at: ago(5 * HOUR) };
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [online('s_a'), gone] }], ['docker']);
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f).toEqual([expect.objectContaining({ rule: 'offline_manager', address: ADDR, system_id: 's_gone' })]);
    expect(f[0].message).toContain('while 1 other manager is online');
  });

  it('reports a legacy registration, declared or not (unmanaged), with the migration path', async () => {
    await setup(
      [
        { id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', creation_method: 'registration_token', managers: [online('s_a')] },
        { id: 51, runner_type: 'group_type', group: 'acme/platform', description: 'old-undeclared', creation_method: 'registration_token' },
      ],
      ['docker'],
    );
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f.map((x) => [x.rule, x.address, x.declared])).toEqual([
      ['legacy_registration', ADDR, true],
      ['legacy_registration', 'group["acme/platform"].runner["old-undeclared"]', false],
    ]);
    expect(f[0].remedy).toContain('POST /user/runners');
  });

  it('warns for a declared runner a pruning group would delete before its host starts', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', created_at: ago(10 * 60_000) }], ['docker'], {
      patch: (s) => (s.groups!.find((g) => g.full_path === 'acme/platform')!.allow_stale_runner_pruning = true),
    });
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f).toEqual([expect.objectContaining({ rule: 'stale_pruning', address: ADDR })]);
    expect(f[0].message).toContain('GitLab deletes it after');
  });

  it('reports a token expiring within 7 days, and a stale runner', async () => {
    await setup(
      [
        { id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', token_expires_at: inFuture(3 * DAY), managers: [online('s_a')] },
        { id: 51, runner_type: 'group_type', group: 'acme/platform', description: 'quiet', contacted_at: ago(8 * DAY), managers: [] },
      ],
      ['docker', 'quiet'],
    );
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f.map((x) => [x.rule, x.address])).toEqual([
      ['token_expiring', ADDR],
      ['stale', 'group["acme/platform"].runner["quiet"]'],
    ]);
  });

  it('says what it could not check: a manager without a version is unknown, never healthy', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [{ ...online('s_a'), version: null }] }], ['docker']);
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f).toEqual([expect.objectContaining({ rule: 'unknown', address: 'gitlab' })]);
  });
});
