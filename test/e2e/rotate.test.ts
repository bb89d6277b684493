// `runnerform rotate ADDRESS...`: a new token for declared, owned runners, delivered
// where the file says (a CI/CD variable is updated in place), or to --tokens-out.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';

const DESIRED = `version: 1
groups:
  - path: acme/platform
    runners:
      - description: docker-amd64
        token:
          gitlab_variable:
            group: acme/platform
            key: RUNNER_TOKEN_{description}
            protected: false
      - description: plain
`;

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  const seed = e2eSeed();
  seed.runners!.push(
    { id: 40, runner_type: 'group_type', group: 'acme/platform', description: 'docker-amd64', contacted_at: '2026-11-30T08:00:00Z' },
    { id: 41, runner_type: 'group_type', group: 'acme/platform', description: 'plain' },
    { id: 42, runner_type: 'group_type', group: 'acme/platform', description: 'undeclared' },
  );
  fake = await startFakeGitLab(seed);
  fake.addVariable({ group: 'acme/platform', key: 'RUNNER_TOKEN_DOCKER_AMD64', value: 'glrt-previous-token-0000000', masked: true, hidden: true, description: 'set by hand' });
  dir = tempDir();
  writeFile(dir, 'runners.yaml', DESIRED);
});
afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN });
const resets = () => fake.requests.filter((r) => r.method === 'POST' && /reset_authentication_token/.test(r.path)).map((r) => r.path);

describe('runnerform rotate', () => {
  it('resets the addressed runners and delivers each new token to its destination', async () => {
    const before40 = fake.runnerToken(40);
    const before41 = fake.runnerToken(41);
    const r = await runCli(['rotate', 'group["acme/platform"].runner["docker-amd64"]', 'group["acme/platform"].runner["plain"]', '--auto-approve', '--tokens-out', 'tokens.json'], {
      cwd: dir,
      env: env(),
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Apply complete: 0 created, 0 updated, 0 deleted, 2 tokens reset.');
    expect(resets().sort()).toEqual(['/runners/40/reset_authentication_token', '/runners/41/reset_authentication_token']);
    expect(fake.runnerToken(40)).not.toBe(before40);
    expect(fake.runnerToken(41)).not.toBe(before41);
    // The existing hidden variable got the new value and a description naming the runner.
    const v = fake.variable({ group: 'acme/platform' }, 'RUNNER_TOKEN_DOCKER_AMD64')!;
    expect(v.value).toBe(fake.runnerToken(40));
    expect(v.description).toBe('runnerform: token of runner #40 group["acme/platform"].runner["docker-amd64"]');
    expect(v.protected).toBe(false);
    // No destination: the tokens file.
    const file = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number; token: string; source: string }[];
    expect(file.find((e) => e.id === 41)).toMatchObject({ token: fake.runnerToken(41), source: 'reset' });
    expect(secretsIn(r.stdout + r.stderr)).toEqual([]);
  }, 60_000);

  it('refuses an address that matches no declared, owned runner, and resets nothing', async () => {
    for (const address of ['group["acme/platform"].runner["undeclared"]', 'group["acme/platform"].runner["nope"]', 'group["acme"].runner["acme-wide"]']) {
      fake.resetStats();
      const r = await runCli(['rotate', 'group["acme/platform"].runner["plain"]', address, '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: env() });
      expect(r.code, address).toBe(1);
      expect(r.stderr).toMatch(/matches no declared runner that exists in GitLab and is owned by its scope: nothing was reset|matches no/);
      expect(resets()).toEqual([]);
    }
  }, 60_000);

  it('asks for --auto-approve without a terminal, and --tokens-out for a runner without a destination', async () => {
    const noTty = await runCli(['rotate', 'group["acme/platform"].runner["plain"]', '--tokens-out', 't.json'], { cwd: dir, env: env() });
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toContain('rotate needs --auto-approve');
    const noFile = await runCli(['rotate', 'group["acme/platform"].runner["plain"]', '--auto-approve'], { cwd: dir, env: env() });
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain('pass --tokens-out FILE');
    expect(resets()).toEqual([]);
  }, 60_000);
});
