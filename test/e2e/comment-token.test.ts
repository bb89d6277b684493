// Least privilege for `plan --comment`: the plan reads with a read_api token and the note is
// posted with RUNNERFORM_COMMENT_TOKEN, a Reporter project access token that can do nothing else.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import type { Seed } from '../fake-gitlab/seed.js';
import { e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';

const READ_TOKEN = 'glpat-e2e-read-api-token-000000';
const NOTE_TOKEN = 'glpat-e2e-reporter-note-0000000';

function seed(): Seed {
  const base = e2eSeed();
  return {
    ...base,
    users: [...base.users, { id: 3, username: 'project_100_bot', projects: { 'acme/platform/api': 'reporter' } }],
    tokens: [...base.tokens, { token: READ_TOKEN, user: 'owner', scopes: ['read_api'] }, { token: NOTE_TOKEN, user: 'project_100_bot', scopes: ['api'] }],
    merge_requests: [{ project: 'acme/platform/api', iid: 7 }],
  };
}

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  fake = await startFakeGitLab(seed());
  dir = tempDir();
  writeFile(dir, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: docker\n');
});
afterEach(() => fake.close());

const mrEnv = { CI_PROJECT_ID: '100', CI_MERGE_REQUEST_IID: '7' };

describe('plan --comment with RUNNERFORM_COMMENT_TOKEN', () => {
  it('reads with the read_api token and posts the note as the Reporter bot', async () => {
    const r = await runCli(['plan', '--comment'], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: READ_TOKEN, RUNNERFORM_COMMENT_TOKEN: NOTE_TOKEN, ...mrEnv } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Plan comment created on merge request !7');
    expect(fake.notes('acme/platform/api', 7)).toHaveLength(1);
    const res = await fetch(`${fake.url}/api/v4/projects/100/merge_requests/7/notes`, { headers: { 'PRIVATE-TOKEN': READ_TOKEN } });
    const notes = (await res.json()) as { author: { username: string } }[];
    expect(notes.map((n) => n.author.username)).toEqual(['project_100_bot']);
    expect(secretsIn(r.stdout + r.stderr)).toEqual([]);
  });

  it('without it, a read_api token cannot post the note (and the job fails, not silently)', async () => {
    const r = await runCli(['plan', '--comment'], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: READ_TOKEN, ...mrEnv } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/insufficient_scope|403/);
    expect(fake.notes('acme/platform/api', 7)).toHaveLength(0);
  });
});
