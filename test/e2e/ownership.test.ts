// A project runner borrowed from a project the token cannot see is never
// planned against: the built CLI, spawned, against the fake GitLab over HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Seed } from '../fake-gitlab/seed.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { describeRequest, isGraphQLQuery, runCli, secretsIn, tempDir, writeFile, writes } from './harness.js';

const BOB_TOKEN = 'glpat-e2e-borrower-token-0000000';

/** Runner 7 is owned by team/a and enabled in team/b; bob maintains team/b only (the reviewer's repro). */
function borrowSeed(): Seed {
  return {
    users: [
      { id: 1, username: 'root', admin: true },
      { id: 2, username: 'bob', projects: { 'team/b': 'maintainer' } },
    ],
    tokens: [{ token: BOB_TOKEN, user: 'bob', scopes: ['api'] }],
    groups: [{ id: 10, full_path: 'team' }],
    projects: [
      { id: 100, path_with_namespace: 'team/a' },
      { id: 200, path_with_namespace: 'team/b' },
    ],
    runners: [
      { id: 7, runner_type: 'project_type', projects: ['team/a', 'team/b'], description: 'a-owned-shared', tag_list: ['x'] },
      { id: 8, runner_type: 'project_type', projects: ['team/b'], description: 'b-own', tag_list: ['y'] },
    ],
  };
}

// Declares the borrowed runner's description (with other tags) in bob's project, and prunes.
const DESIRED = `version: 1
projects:
  - path: team/b
    prune: true
    runners:
      - description: a-owned-shared
        tag_list: [z]
`;

let fake: FakeGitLab;
let dir: string;

beforeEach(async () => {
  fake = await startFakeGitLab(borrowSeed());
  dir = tempDir();
  writeFile(dir, 'runners.yaml', DESIRED);
});

afterEach(async () => {
  await fake.close();
});

const cli = (args: string[]) => runCli(args, { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: BOB_TOKEN } });
const touchesRunner7 = () => fake.requests.filter((r) => r.path.startsWith('/runners/7') && r.method !== 'GET').map(describeRequest);

describe('a runner borrowed from a project the token cannot see', () => {
  it('plans a create in the token\'s own project, never an update or delete of the borrowed runner', async () => {
    const plan = await cli(['plan', '--detailed-exitcode']);
    expect(plan.stderr).toBe(`GitLab: ${fake.url} (from GITLAB_URL)\n`);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('# project["team/b"].runner["a-owned-shared"] will be created');
    // b-own is team/b's own and undeclared: pruned. Runner 7 is nobody's business here.
    expect(plan.stdout).toContain('Plan: 1 to create, 0 to update, 1 to delete');
    expect(plan.stdout).not.toMatch(/updated in-place/);
    expect(plan.stdout).not.toMatch(/#7\b|id 7\b|\/runners\/7/);
    // The owner check went to GraphQL, and it is a read.
    const graphql = fake.requests.filter((r) => r.path === '/api/graphql');
    expect(graphql.length).toBeGreaterThan(0);
    expect(graphql.every(isGraphQLQuery)).toBe(true);
    expect(writes(fake)).toEqual([]);

    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete: 1 created, 0 updated, 1 deleted.');
    // Deletions first, as planned.
    expect(writes(fake)).toEqual(['DELETE /runners/8', 'POST /user/runners']);
    expect(touchesRunner7()).toEqual([]);
    const created = fake.requests.find((r) => r.method === 'POST' && r.path === '/user/runners')!.body as Record<string, unknown>;
    expect(created).toMatchObject({ runner_type: 'project_type', project_id: 200, description: 'a-owned-shared', tag_list: ['z'] });

    // Runner 7 is untouched, still enabled in both projects, and the new runner is team/b's.
    const runners = fake.runners();
    expect(runners.find((r) => r.id === 7)).toMatchObject({ projects: ['team/a', 'team/b'], tag_list: ['x'] });
    const fresh = runners.filter((r) => r.description === 'a-owned-shared' && r.id !== 7);
    expect(fresh.map((r) => [r.projects, r.tag_list])).toEqual([[['team/b'], ['z']]]);

    const again = await cli(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
    expect(touchesRunner7()).toEqual([]);
    for (const r of [plan, apply, again]) {
      expect(secretsIn(r.stdout)).toEqual([]);
      expect(secretsIn(r.stderr)).toEqual([]);
    }
  });
});
