// runnerform's own POST /runners/verify is a heartbeat in current GitLab (test/fake-gitlab/
// handlers-runner-verify.ts cites it): the runner's contacted_at is set and a manager of the
// system_id sent is made online. runnerform must not take its own check for a host: a plan that
// delivers nothing asks nothing, health reports no phantom manager and still says "never
// contacted", and the plan still resets a lost token no host ever held (plan/own-contact.ts).
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';

const ADDR = 'group["acme/platform"].runner["pool"]';
const ID = 77;
const YAML =
  'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: pool\n        token:\n          gitlab_variable:\n            project: acme/platform/api\n            key: POOL_TOKEN\n';

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  const seed = e2eSeed();
  // Created two hours ago; no host has used its token yet.
  seed.runners!.push({ id: ID, runner_type: 'group_type', group: 'acme/platform', description: 'pool', created_at: new Date(Date.now() - 2 * 3600_000).toISOString() });
  fake = await startFakeGitLab(seed);
  dir = tempDir();
  writeFile(dir, 'runners.yaml', YAML);
});
afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
const pool = () => fake.runners().find((r) => r.id === ID)!;
const verifies = () => fake.requests.filter((q) => q.path === '/runners/verify');

/** rotate stores a new token whose delivery fails; the next apply verifies it (a heartbeat) and delivers it. */
async function deliverStoredToken(): Promise<string> {
  fake.inject({ method: 'POST', path: /\/variables$/, times: 1, fault: { kind: 'status', status: 403, body: '{"message":"403 Forbidden"}' } });
  const rotate = await cli(['rotate', '--auto-approve', '--tokens-out', 'tokens.json', ADDR]);
  expect(rotate.code, rotate.stdout + rotate.stderr).toBe(1);
  const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
  expect(apply.code, apply.stdout + apply.stderr).toBe(0);
  expect(verifies().length).toBeGreaterThan(0);
  expect(fake.variable({ project: 'acme/platform/api' }, 'POOL_TOKEN')?.value).toBe(fake.runnerToken(ID));
  // GitLab's side of that check: contacted, yet never_contacted (no host asked for a job), and a
  // manager named for runnerform (not <legacy>, the name an old gitlab-runner gets).
  expect(pool().contacted_at).not.toBeNull();
  const managers = (await (await fetch(`${fake.url}/api/v4/runners/${ID}/managers`, { headers: { 'PRIVATE-TOKEN': OWNER_TOKEN } })).json()) as { system_id: string }[];
  expect(managers.map((m) => m.system_id)).toEqual(['runnerform-verify']);
  return rotate.stdout + rotate.stderr + apply.stdout + apply.stderr;
}

describe("runnerform's own POST /runners/verify is not a host", () => {
  it('a plan that delivers and moves nothing verifies nothing: a drift check leaves contacted_at as it was', async () => {
    await deliverStoredToken();
    const before = pool().contacted_at;
    fake.resetStats();
    for (let i = 0; i < 2; i++) {
      const plan = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    }
    await fake.settled();
    expect(verifies()).toEqual([]);
    expect(pool().contacted_at).toBe(before);
  }, 120_000);

  it('health: no phantom manager, and the runner is still reported as never contacted', async () => {
    const out = await deliverStoredToken();
    const r = await cli(['health', '--format', 'json']);
    const report = JSON.parse(r.stdout) as {
      findings: { rule: string; address: string; system_id: string | null; message: string }[];
      runners: { address: string; managers: Record<string, number> | null }[];
    };
    expect(report.findings.filter((f) => f.system_id !== null)).toEqual([]);
    expect(report.findings.map((f) => [f.rule, f.address])).toContainEqual(['never_contacted', ADDR]);
    expect(report.findings.filter((f) => f.rule === 'unknown')).toEqual([]);
    expect(Object.values(report.runners.find((x) => x.address === ADDR)!.managers!).every((n) => n === 0)).toBe(true);
    expect(secretsIn(out + r.stdout + r.stderr)).toEqual([]);
  }, 120_000);

  it('the plan resets a lost token that only runnerform ever checked, instead of calling the runner contacted', async () => {
    await deliverStoredToken();
    // The token leaves the tokens file (delivered), then its variable is deleted.
    expect((await cli(['tokens', 'prune', '--tokens-out', 'tokens.json'])).code).toBe(0);
    const del = await fetch(`${fake.url}/api/v4/projects/${encodeURIComponent('acme/platform/api')}/variables/POOL_TOKEN`, {
      method: 'DELETE',
      headers: { 'PRIVATE-TOKEN': OWNER_TOKEN },
    });
    expect(del.status).toBe(204);
    const plan = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain(`~ token of ${ADDR} will be reset: its token never reached its destination`);
    expect(plan.stdout).not.toContain('it has contacted GitLab');
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(fake.variable({ project: 'acme/platform/api' }, 'POOL_TOKEN')?.value).toBe(fake.runnerToken(ID));
    expect(secretsIn(plan.stdout + plan.stderr + apply.stdout + apply.stderr)).toEqual([]);
  }, 120_000);

  it('a runner a host has used is still contacted: its lost token is not reset', async () => {
    await deliverStoredToken();
    fake.addManager(ID, { system_id: 's_host1', version: '18.6.0', contacted_at: new Date().toISOString() });
    expect((await cli(['tokens', 'prune', '--tokens-out', 'tokens.json'])).code).toBe(0);
    await fetch(`${fake.url}/api/v4/projects/${encodeURIComponent('acme/platform/api')}/variables/POOL_TOKEN`, { method: 'DELETE', headers: { 'PRIVATE-TOKEN': OWNER_TOKEN } });
    const plan = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(plan.stdout).not.toContain('will be reset');
    expect(plan.stdout + plan.stderr).toContain('it has contacted GitLab');
  }, 120_000);
});
