// Renaming a runner with `renamed_from` updates its description in place: same id,
// same token, and a CI/CD variable destination is not touched (nothing is reset).
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, tempDir, writeFile, writes } from './harness.js';

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  const seed = e2eSeed();
  seed.runners!.push({ id: 40, runner_type: 'group_type', group: 'acme/platform', description: 'docker-old', tag_list: ['docker'], contacted_at: new Date().toISOString() });
  fake = await startFakeGitLab(seed);
  dir = tempDir();
});
afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('renamed_from', () => {
  it('renames in place through apply: same id, same token, no create, no delete, no reset', async () => {
    writeFile(
      dir,
      'runners.yaml',
      `version: 1
groups:
  - path: acme/platform
    prune: true
    runners:
      - description: docker-new
        renamed_from: docker-old
        tag_list: [docker]
        token:
          gitlab_variable: { project: acme/platform/api, key: "RUNNER_TOKEN_{description}" }
`,
    );
    const token = fake.runnerToken(40);
    const env = { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN };
    const plan = await runCli(['plan'], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('~ description = "docker-old" -> "docker-new"');
    fake.resetStats();
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(writes(fake)).toEqual(['PUT /runners/40']);
    const runners = fake.runners().filter((r) => r.group === 'acme/platform');
    expect(runners.map((r) => [r.id, r.description])).toEqual([[40, 'docker-new']]);
    expect(fake.runnerToken(40)).toBe(token);
  }, 60_000);
});
