// The reconciler end to end: the built CLI, spawned, against the fake GitLab over HTTP.
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, ADMIN_TOKEN, describeRequest, e2eSeed, isGraphQLQuery, writes, runCli, secretsIn, tempDir, writeFile, type CliResult } from './harness.js';

const DESIRED = `version: 1
defaults:
  access_level: not_protected
groups:
  - path: acme/platform
    runners:
      - description: platform-docker
        tag_list: [docker, amd64]
        run_untagged: false
      - description: platform-arm
        tag_list: [arm64]
        paused: true
projects:
  - path: acme/platform/api
    runners:
      - description: api-e2e
        tag_list: [e2e]
`;

let fake: FakeGitLab;
let dir: string;
let env: Record<string, string>;

beforeEach(async () => {
  fake = await startFakeGitLab(e2eSeed());
  dir = tempDir();
  env = { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN };
  writeFile(dir, 'runners.yaml', DESIRED);
});

afterEach(async () => {
  await fake.close();
});

const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });

function expectNoSecrets(...results: CliResult[]) {
  for (const r of results) {
    expect(secretsIn(r.stdout)).toEqual([]);
    expect(secretsIn(r.stderr)).toEqual([]);
  }
}

/** Recorded requests without their headers (which hold the token), and without GraphQL reads (owner checks). */
const seen = () => fake.requests.filter((r) => !isGraphQLQuery(r)).map(({ method, path, status, body }) => ({ method, path, status, body }));

const owned = (description: string) => fake.runners().filter((r) => r.description === description);

describe('plan and apply against an empty GitLab', () => {
  it('plans creates, applies them through /user/runners, then has no changes', async () => {
    const plan1 = await cli(['plan', '--detailed-exitcode']);
    expect(plan1.stderr).toBe(`GitLab: ${fake.url} (from GITLAB_URL)\n`);
    expect(plan1.code).toBe(2);
    expect(plan1.stdout).toContain('# group["acme/platform"].runner["platform-docker"] will be created');
    expect(plan1.stdout).toContain('Plan: 3 to create, 0 to update, 0 to delete');

    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete: 3 created, 0 updated, 0 deleted.');

    const creates = seen().filter((r) => r.method === 'POST' && r.path === '/user/runners');
    expect(creates).toHaveLength(3);
    expect(seen().some((r) => r.method === 'POST' && r.path === '/runners')).toBe(false);
    const docker = creates.map((r) => r.body as Record<string, unknown>).find((b) => b.description === 'platform-docker')!;
    expect(docker).toMatchObject({ runner_type: 'group_type', group_id: 11, run_untagged: false, access_level: 'not_protected' });
    expect([...(docker.tag_list as string[])].sort()).toEqual(['amd64', 'docker']);

    // Tokens: in the file (0600), and nowhere in the output.
    const tokensPath = join(dir, 'tokens.json');
    expect(statSync(tokensPath).mode & 0o777).toBe(0o600);
    const tokens = JSON.parse(readFileSync(tokensPath, 'utf8')) as { id: number; token: string; description: string }[];
    expect(tokens.map((t) => t.description).sort()).toEqual(['api-e2e', 'platform-arm', 'platform-docker']);
    for (const t of tokens) expect(t.token).toMatch(/^glrt-/);
    expectNoSecrets(plan1, apply);

    const plan2 = await cli(['plan', '--detailed-exitcode']);
    expect(plan2.code).toBe(0);
    expect(plan2.stdout).toContain('No changes. GitLab matches runners.yaml.');
  });

  it('refuses to create runners without --tokens-out, before any change', async () => {
    const r = await cli(['apply', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--tokens-out');
    expect(writes(fake)).toEqual([]);
  });

  it('needs --auto-approve without a terminal, and changes nothing', async () => {
    const r = await cli(['apply', '--tokens-out', 'tokens.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--auto-approve');
    expect(writes(fake)).toEqual([]);
    expect(existsSync(join(dir, 'tokens.json'))).toBe(false);
  });

  it('sends nothing to GitLab when the file is invalid', async () => {
    writeFile(dir, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: x\n        tags: [a]\n');
    const r = await cli(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/runners\.yaml:6:9: .*tag_list/);
    expect(fake.requests.map(describeRequest)).toEqual([]);
  });
});

describe('changes to existing runners', () => {
  async function converge() {
    const r = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(r.code, r.stderr).toBe(0);
  }

  it('updates tags and paused in place, keeping the id and sending only what changed', async () => {
    await converge();
    const [before] = owned('platform-docker');
    if (!before) throw new Error('platform-docker was not created');
    writeFile(dir, 'runners.yaml', DESIRED.replace('[docker, amd64]', '[docker, amd64, large]').replace('paused: true', 'paused: false'));
    const plan = await cli(['plan', '--detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('# group["acme/platform"].runner["platform-docker"] will be updated in-place');
    expect(plan.stdout).toContain('Plan: 0 to create, 2 to update, 0 to delete');

    fake.resetStats();
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete: 0 created, 2 updated, 0 deleted.');
    const puts = seen().filter((r) => r.method === 'PUT');
    expect(puts.map((p) => p.path).sort()).toEqual([`/runners/${before.id}`, `/runners/${owned('platform-arm')[0]?.id}`].sort());
    const dockerPut = puts.find((p) => p.path === `/runners/${before.id}`)!.body as Record<string, unknown>;
    expect(Object.keys(dockerPut)).toEqual(['tag_list']);
    const [after] = owned('platform-docker');
    if (!after) throw new Error('platform-docker is gone');
    expect(after.id).toBe(before.id);
    expect([...after.tag_list!].sort()).toEqual(['amd64', 'docker', 'large']);
    expect(seen().some((r) => r.method === 'POST')).toBe(false);
  });

  it('keeps an undeclared runner without prune and deletes it with prune', async () => {
    await converge();
    const handMade = fake.addRunner({ runner_type: 'group_type', group: 'acme/platform', description: 'hand-made' });

    const kept = await cli(['plan', '--detailed-exitcode']);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain('No changes. GitLab matches runners.yaml.');
    expect(kept.stdout).toMatch(/Unmanaged runners[^\n]*\n\s+group\["acme\/platform"\]\.runner\["hand-made"\]/);

    writeFile(dir, 'runners.yaml', DESIRED.replace('  - path: acme/platform\n', '  - path: acme/platform\n    prune: true\n'));
    const pruned = await cli(['plan', '--detailed-exitcode']);
    expect(pruned.code).toBe(2);
    expect(pruned.stdout).toContain('# group["acme/platform"].runner["hand-made"] will be DELETED');
    expect(pruned.stdout).toContain('Plan: 0 to create, 0 to update, 1 to delete');

    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(seen().filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/runners/${handMade}`]);
    expect(fake.runners().some((r) => r.id === handMade)).toBe(false);
  });

  it('never touches inherited, instance or borrowed runners, even with prune', async () => {
    writeFile(
      dir,
      'runners.yaml',
      `version: 1
groups:
  - path: acme/platform
    prune: true
    runners: []
projects:
  - path: acme/platform/api
    prune: true
    runners:
      - description: tools-borrowed
        paused: true
instance:
  prune: false
  runners: []
`,
    );
    const plan = await cli(['plan', '--detailed-exitcode'], { GITLAB_TOKEN: ADMIN_TOKEN });
    expect(plan.code, plan.stderr).toBe(2);
    // The borrowed runner is not matched: a new one of that name is planned in the project.
    expect(plan.stdout).toContain('# project["acme/platform/api"].runner["tools-borrowed"] will be created');
    expect(plan.stdout).toContain('Plan: 1 to create, 0 to update, 0 to delete (0 unchanged, 1 unmanaged).');
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 't.json'], { GITLAB_TOKEN: ADMIN_TOKEN });
    expect(apply.code, apply.stderr).toBe(0);
    expect(writes(fake).filter((w) => !w.startsWith('POST'))).toEqual([]);
    expect(fake.runners().filter((r) => [1, 2, 3].includes(r.id)).map((r) => r.description).sort()).toEqual([
      'acme-wide',
      'shared-large',
      'tools-borrowed',
    ]);
  });
});

describe('saved plans', () => {
  it('applies a saved plan exactly, without asking', async () => {
    const plan = await cli(['plan', '--out', 'plan.json']);
    expect(plan.code).toBe(0);
    const saved = readFileSync(join(dir, 'plan.json'), 'utf8');
    expect(secretsIn(saved)).toEqual([]);
    // `show` renders the saved plan again, offline.
    const shown = await runCli(['show', 'plan.json'], { cwd: dir });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Plan: 3 to create, 0 to update, 0 to delete (0 unchanged, 0 unmanaged).');
    expect((await runCli(['show', 'plan.json', '--format', 'json'], { cwd: dir })).stdout).toBe(saved);
    // Editing the file after planning has no effect on a saved plan.
    writeFile(dir, 'runners.yaml', 'version: 1\n');
    const apply = await cli(['apply', 'plan.json', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete: 3 created, 0 updated, 0 deleted.');
  });

  it('refuses a stale plan when GitLab changed since', async () => {
    expect((await cli(['plan', '--out', 'plan.json'])).code).toBe(0);
    fake.addRunner({ runner_type: 'group_type', group: 'acme/platform', description: 'appeared-later' });
    const writesBefore = seen().filter((r) => r.method !== 'GET').length;
    const apply = await cli(['apply', 'plan.json', '--tokens-out', 'tokens.json']);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('plan is stale');
    expect(seen().filter((r) => r.method !== 'GET').length).toBe(writesBefore);
  });

  it('refuses a plan made for another GitLab', async () => {
    expect((await cli(['plan', '--out', 'plan.json'])).code).toBe(0);
    const other = await startFakeGitLab(e2eSeed());
    try {
      const apply = await cli(['apply', 'plan.json', '--tokens-out', 'tokens.json'], { GITLAB_URL: other.url });
      expect(apply.code).toBe(1);
      expect(apply.stderr).toContain('plan is stale');
      expect(other.requests.map(describeRequest)).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe('faults', () => {
  it('a create whose answer is lost leaves exactly one runner and a usable token', async () => {
    fake.inject({ method: 'POST', path: '/user/runners', times: 1, fault: { kind: 'lost-response' } });
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete: 3 created, 0 updated, 0 deleted.');
    for (const d of ['platform-docker', 'platform-arm', 'api-e2e']) expect(owned(d)).toHaveLength(1);
    const tokens = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number; token: string }[];
    expect(tokens).toHaveLength(3);
    for (const t of tokens) expect(fake.runnerToken(t.id)).toBe(t.token);
    expect(seen().filter((r) => r.path.endsWith('/reset_authentication_token'))).toHaveLength(1);
    expectNoSecrets(apply);
  });

  it('rides through 429 with Retry-After and transient 5xx (REST read)', async () => {
    fake.inject({ method: 'GET', path: /\/runners/, times: 1, fault: { kind: 'status', status: 429, retryAfter: 1, body: 'Retry later' } });
    fake.inject({ method: 'GET', path: /^\/groups\//, times: 2, fault: { kind: 'status', status: 502 } });
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json', '--api', 'rest']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete: 3 created');
    expect(seen().filter((r) => r.status === 429)).toHaveLength(1);
    expect(seen().filter((r) => r.status === 502)).toHaveLength(2);
  });

  it('rides through 429 with Retry-After and transient 5xx (GraphQL read, the default)', async () => {
    fake.inject({ method: 'POST', path: '/api/graphql', times: 1, fault: { kind: 'status', status: 429, retryAfter: 1, body: 'Retry later' } });
    fake.inject({ method: 'POST', path: '/api/graphql', times: 2, fault: { kind: 'status', status: 502 } });
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete: 3 created');
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(1);
    expect(fake.requests.filter((r) => r.status === 502)).toHaveLength(2);
    expect(fake.requests.filter((r) => r.method === 'GET')).toEqual([]);
  });

  it('stops starting changes after a failure, says what was done, and converges on a rerun', async () => {
    fake.inject({ method: 'POST', path: '/user/runners', times: 1, fault: { kind: 'status', status: 403, body: '{"message":"403 Forbidden - Insufficient permissions"}' } });
    const failed = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json', '--parallelism', '1']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('Apply failed: 0 created, 0 updated, 0 deleted; 1 failed, 2 not started.');
    expect(seen().filter((r) => r.method === 'POST')).toHaveLength(1);
    const again = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Apply complete: 3 created, 0 updated, 0 deleted.');
    expect((await cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });
});
