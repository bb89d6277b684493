// Lost-create recovery through the built CLI with its real schedule: a gateway
// answers 504 while GitLab creates the runner a moment later.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';

const DESIRED = `version: 1
groups:
  - path: acme/platform
    runners:
      - description: platform-docker
        tag_list: [docker]
`;

let fake: FakeGitLab;
let dir: string;

beforeEach(async () => {
  fake = await startFakeGitLab(e2eSeed());
  dir = tempDir();
  writeFile(dir, 'runners.yaml', DESIRED);
});
afterEach(() => fake.close());

describe('apply after a gateway timeout on create', () => {
  it('finds the runner GitLab created late, keeps one runner and a token that works', async () => {
    fake.inject({ method: 'POST', path: '/user/runners', times: 1, fault: { kind: 'late-apply', afterMs: 300 } });
    const apply = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], {
      cwd: dir,
      env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN },
    });
    await fake.settled(); // GitLab has done all it was asked: a second create would show now
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Creation complete');
    expect(apply.stdout).toContain('(answer was lost; token recovered by reset)');
    expect(apply.stdout).toContain('Apply complete: 1 created, 0 updated, 0 deleted.');
    const runners = fake.runners().filter((r) => r.description === 'platform-docker');
    expect(runners).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/user/runners')).toHaveLength(1);
    const tokens = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number; token: string; source: string }[];
    expect(tokens).toEqual([expect.objectContaining({ id: runners[0]!.id, source: 'reset' })]);
    expect(fake.runnerToken(runners[0]!.id)).toBe(tokens[0]?.token);
    expect(secretsIn(apply.stdout)).toEqual([]);
    expect(secretsIn(apply.stderr)).toEqual([]);
  });
});
