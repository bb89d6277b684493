// What GitLab shows each token, end to end (issue 14): hidden notes are unknown,
// ownership is decided from what GitLab really shows, both readers plan alike,
// and every unknown scope is reported at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Seed } from '../fake-gitlab/seed.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, withoutRestExpiry, writeFile } from './harness.js';

const MAINTAINER_TOKEN = 'glpat-e2e-maintainer-token-0000';

/** e2eSeed plus acme/ci, a subgroup without projects that the Owner of acme inherits, and a Maintainer of acme/platform. */
function seed(): Seed {
  const s = e2eSeed();
  s.groups!.push({ id: 14, full_path: 'acme/ci' });
  s.users.push({ id: 3, username: 'maint', groups: { 'acme/platform': 'maintainer' } });
  s.tokens.push({ token: MAINTAINER_TOKEN, user: 'maint', scopes: ['api'] });
  s.runners!.push(
    { id: 20, runner_type: 'group_type', group: 'acme/ci', description: 'ci-docker', tag_list: ['docker'] },
    { id: 21, runner_type: 'group_type', group: 'acme/platform', description: 'platform-docker', tag_list: ['docker'], maintenance_note: 'rack 4' },
    { id: 22, runner_type: 'group_type', group: 'acme/platform', description: 'platform-arm', tag_list: ['arm64'], maintenance_note: 'rack 5' },
  );
  return s;
}

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  fake = await startFakeGitLab(seed());
  dir = tempDir();
});
afterEach(async () => {
  await fake.close();
});

const cli = (args: string[], token = OWNER_TOKEN) => runCli(args, { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: token } });
const bothReaders = async (args: string[], token = OWNER_TOKEN) =>
  [await cli([...args, '--api', 'rest'], token), await cli(args, token)] as const;

describe('an Owner who inherits a subgroup without projects (GitLab names no group in its runners\' details)', () => {
  const CI = `version: 1
groups:
  - path: acme/ci
    runners:
      - description: ci-docker
        tag_list: [docker]
      - description: ci-arm
        tag_list: [arm64]
`;

  it('both readers own the existing runner and plan the same single create', async () => {
    writeFile(dir, 'runners.yaml', CI);
    const [rest, graphql] = await bothReaders(['plan', '--format', 'json']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(graphql.code, graphql.stderr).toBe(0);
    expect(withoutRestExpiry(rest.stdout)).toBe(graphql.stdout);
    const plan = JSON.parse(graphql.stdout) as { changes: { action: string; description: string }[] };
    expect(plan.changes.map((c) => [c.action, c.description])).toEqual([['create', 'ci-arm'], ['no-op', 'ci-docker']]);
  });

  for (const api of ['rest', 'graphql']) {
    it(`a create whose answer is lost is recovered with exactly one runner (--api ${api})`, async () => {
      writeFile(dir, 'runners.yaml', CI);
      fake.inject({ method: 'POST', path: '/user/runners', times: 1, fault: { kind: 'lost-response' } });
      const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json', '--api', api]);
      expect(apply.code, apply.stderr).toBe(0);
      expect(apply.stdout).toContain('Apply complete: 1 created, 0 updated, 0 deleted.');
      const made = fake.runners().filter((r) => r.description === 'ci-arm');
      expect(made).toHaveLength(1);
      const tokens = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number; token: string }[];
      expect(tokens.map((t) => t.id)).toEqual([made[0]!.id]);
      expect(fake.runnerToken(made[0]!.id)).toBe(tokens[0]?.token);
      expect(secretsIn(apply.stdout + apply.stderr)).toEqual([]);
    });
  }
});

describe('maintenance notes a group Maintainer may not see', () => {
  const PLATFORM = (note: string) => `version: 1
groups:
  - path: acme/platform
    runners:
      - description: platform-docker
        tag_list: [docker]
        maintenance_note: ${note}
      - description: platform-arm
        tag_list: [arm64]
        maintenance_note: rack 5
`;

  it('a Maintainer: no drift, the notes are said to be hidden, both readers alike', async () => {
    writeFile(dir, 'runners.yaml', PLATFORM('moved to rack 9'));
    const [rest, graphql] = await bothReaders(['plan', '--detailed-exitcode'], MAINTAINER_TOKEN);
    expect(graphql.code, graphql.stderr).toBe(0);
    expect(withoutRestExpiry(rest.stdout)).toBe(graphql.stdout);
    expect(graphql.stdout).toContain(
      'group acme/platform: maintenance notes of 2 runners are hidden from this token: not compared; a token with the Owner role compares them',
    );
    expect(graphql.stdout).not.toContain('maintenance_note');
  });

  it('the Owner: a changed note is planned, both readers alike', async () => {
    writeFile(dir, 'runners.yaml', PLATFORM('moved to rack 9'));
    const [rest, graphql] = await bothReaders(['plan', '--format', 'json']);
    expect(graphql.code, graphql.stderr).toBe(0);
    expect(withoutRestExpiry(rest.stdout)).toBe(graphql.stdout);
    const plan = JSON.parse(graphql.stdout) as { changes: { action: string; description: string; changed: string[]; refused: string | null }[]; warnings: { kind: string }[] };
    expect(plan.changes.map((c) => [c.action, c.description, c.changed, c.refused])).toEqual([
      ['no-op', 'platform-arm', [], null],
      ['update', 'platform-docker', ['maintenance_note'], null],
    ]);
    expect(plan.warnings.filter((w) => w.kind === 'hidden_fields')).toEqual([]);
  });

  it('a Maintainer\'s REST plan predicts the refusal of an update GraphQL predicts', async () => {
    writeFile(dir, 'runners.yaml', PLATFORM('rack 4').replace('tag_list: [docker]', 'tag_list: [docker, amd64]'));
    const [rest, graphql] = await bothReaders(['plan', '--format', 'json'], MAINTAINER_TOKEN);
    expect(graphql.code, graphql.stderr).toBe(0);
    expect(withoutRestExpiry(rest.stdout)).toBe(graphql.stdout);
    const plan = JSON.parse(rest.stdout) as { changes: { action: string; description: string; refused: string | null }[] };
    expect(plan.changes.find((c) => c.description === 'platform-docker')).toMatchObject({ action: 'update', refused: 'this token may not update runner #21 (it needs the Owner role on its group)' });
  });
});

describe('every unknown scope at once', () => {
  it('two mistyped group paths and a missing project are all reported, exit 1, by both readers', async () => {
    writeFile(
      dir,
      'runners.yaml',
      `version: 1
groups:
  - path: acme/platfrom
    runners: [{ description: a }]
  - path: acme/dta
    runners: [{ description: b }]
projects:
  - path: acme/nope
    runners: [{ description: c }]
`,
    );
    for (const r of await bothReaders(['plan'])) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Group acme\/platfrom not found or not visible to this token/);
      expect(r.stderr).toMatch(/Group acme\/dta not found or not visible to this token/);
      expect(r.stderr).toMatch(/Project acme\/nope not found or not visible to this token/);
      expect(r.stderr).toContain('3 problems found reading GitLab; nothing was changed.');
    }
  });
});

describe('token expiry GitLab shows (tokenExpiresAt, read_runner_sensitive_data)', () => {
  it('an expiry within 7 days is warned about', async () => {
    await fake.close();
    const s = seed();
    const soon = new Date(Date.now() + 2 * 24 * 3600 * 1000).toISOString();
    s.runners = s.runners!.map((r) => (r.id === 20 ? { ...r, token_expires_at: soon } : r));
    fake = await startFakeGitLab(s);
    writeFile(dir, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/ci\n    runners:\n      - description: ci-docker\n        tag_list: [docker]\n');
    const plan = await cli(['plan', '--format', 'json']);
    expect(plan.code, plan.stderr).toBe(0);
    const warnings = (JSON.parse(plan.stdout) as { warnings: { kind: string; address: string }[] }).warnings;
    expect(warnings.map((w) => [w.address, w.kind])).toEqual([['group["acme/ci"].runner["ci-docker"]', 'token_expiring']]);
  });
});
