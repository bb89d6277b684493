// Renaming a runner whose token goes to a `{description}` CI/CD variable key moves
// its token: with the journal (--tokens-out) apply delivers the stored token (same
// token, no reset) to the new key and leaves the old variable in place; the plan
// shows the move under the rename and counts it as a change.
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, freshFakeAndDir, runCli, secretsIn, writeFile, writes } from './harness.js';

const yaml = (description: string, renamedFrom?: string) => `version: 1
defaults:
  token:
    gitlab_variable: { project: acme/platform/api, key: "RUNNER_TOKEN_{description}" }
groups:
  - path: acme/platform
    runners:
      - description: ${description}
${renamedFrom ? `        renamed_from: ${renamedFrom}\n` : ''}        tag_list: [deploy]
`;

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
});

const env = () => ({ GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN });
const api = { project: 'acme/platform/api' };

describe('rename in place with a {description} variable key', () => {
  it('delivers the stored token to the new key (same id, same token, no reset) and leaves the old variable', async () => {
    writeFile(dir, 'runners.yaml', yaml('deploy-001'));
    const first = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: env() });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const runner = fake.runners().find((r) => r.description === 'deploy-001')!;
    const token = fake.runnerToken(runner.id);
    expect(fake.variable(api, 'RUNNER_TOKEN_DEPLOY_001')?.value).toBe(token);

    writeFile(dir, 'runners.yaml', yaml('deploy-002', 'deploy-001'));
    const plan = await runCli(['plan', '--detailed-exitcode', '--tokens-out', 'tokens.json'], { cwd: dir, env: env() });
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain('~ description = "deploy-001" -> "deploy-002"');
    expect(plan.stdout).toContain(
      '# token → moves to CI/CD variable RUNNER_TOKEN_DEPLOY_002 of acme/platform/api (from CI/CD variable RUNNER_TOKEN_DEPLOY_001 of acme/platform/api, which is left in place)',
    );
    expect(plan.stdout).not.toContain('will be reset');

    fake.resetStats();
    const apply = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: env() });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/runner\["deploy-002"\]: Modifications complete \[id=\d+\] \(token moved → CI\/CD variable RUNNER_TOKEN_DEPLOY_002/);
    expect(secretsIn(apply.stdout + apply.stderr + plan.stdout + plan.stderr)).toEqual([]);
    const sent = writes(fake);
    expect(sent).toContain(`PUT /runners/${runner.id}`);
    expect(sent.some((w) => w.includes('reset_authentication_token'))).toBe(false);
    expect(fake.runnerToken(runner.id)).toBe(token);
    const moved = fake.variable(api, 'RUNNER_TOKEN_DEPLOY_002');
    expect(moved?.value).toBe(token);
    expect(moved?.description).toContain(`#${runner.id}`);
    // The old variable is left in place (never deleted silently).
    expect(fake.variable(api, 'RUNNER_TOKEN_DEPLOY_001')?.value).toBe(token);

    // Converged: the next plan has nothing to do.
    const again = await runCli(['plan', '--detailed-exitcode', '--tokens-out', 'tokens.json'], { cwd: dir, env: env() });
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 90_000);

  it('without --tokens-out: a never-contacted runner is renamed and gets a new token delivered to the new key', async () => {
    writeFile(dir, 'runners.yaml', yaml('deploy-001'));
    const first = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env() });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const runner = fake.runners().find((r) => r.description === 'deploy-001')!;
    const old = fake.runnerToken(runner.id);

    writeFile(dir, 'runners.yaml', yaml('deploy-002', 'deploy-001'));
    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env: env() });
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain('~ token of group["acme/platform"].runner["deploy-002"] will be reset');
    expect(plan.stdout).toContain('# and first renamed in place from "deploy-001":');
    expect(plan.stdout).toContain('~ description = "deploy-001" -> "deploy-002"');

    fake.resetStats();
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env() });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(writes(fake)).toEqual(expect.arrayContaining([`PUT /runners/${runner.id}`, `POST /runners/${runner.id}/reset_authentication_token`]));
    const now = fake.runners().find((r) => r.id === runner.id)!;
    expect(now.description).toBe('deploy-002');
    expect(fake.runnerToken(runner.id)).not.toBe(old);
    expect(fake.variable(api, 'RUNNER_TOKEN_DEPLOY_002')?.value).toBe(fake.runnerToken(runner.id));
    expect(secretsIn(apply.stdout + apply.stderr + plan.stdout + plan.stderr)).toEqual([]);
    const again = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env: env() });
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 90_000);
});
