// A token the tokens file holds that GitLab no longer accepts: it was reset without the file
// (`rotate` without --tokens-out). The plan asks GitLab (POST /runners/verify) before it
// delivers or moves a stored token; a dead one is never delivered over the working one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, freshFakeAndDir, runCli, secretsIn, writeFile } from './harness.js';

const ADDR = 'group["acme/platform"].runner["pool"]';
const desired = (key: string) =>
  `version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: pool\n        token:\n          gitlab_variable:\n            project: acme/platform/api\n            key: ${key}\n`;

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
});
const cli = (args: string[]) => runCli(args, { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
const pool = () => fake.runners().find((r) => r.description === 'pool')!;
const variable = (key: string) => fake.variable({ project: 'acme/platform/api' }, key)?.value;
const stored = () => (JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number; token?: string }[]).filter((e) => e.id === pool().id);

describe('a stored token reset since without the tokens file', () => {
  it('is not delivered over the working token: the plan has nothing to do, and the variable keeps the live token', async () => {
    writeFile(dir, 'runners.yaml', desired('POOL_TOKEN'));
    fake.inject({ method: 'POST', path: /\/variables$/, times: 1, fault: { kind: 'status', status: 403, body: '{"message":"403 Forbidden"}' } });
    const first = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(first.code).toBe(1); // delivery failed: the file holds T1, undelivered
    const rotate = await cli(['rotate', '--auto-approve', ADDR]);
    expect(rotate.code, rotate.stdout + rotate.stderr).toBe(0);
    const live = fake.runnerToken(pool().id)!;
    expect(variable('POOL_TOKEN')).toBe(live);
    expect(stored().at(-1)?.token).not.toBe(live);

    const plan = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).not.toContain('stored token delivered');
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(variable('POOL_TOKEN')).toBe(live);
    expect(fake.runnerToken(pool().id)).toBe(live);
    // Only the configured GitLab was asked, and the token never reached the output.
    expect(fake.requests.filter((q) => q.path === '/runners/verify').length).toBeGreaterThan(0);
    expect(secretsIn(first.stdout + first.stderr + rotate.stdout + rotate.stderr + plan.stdout + plan.stderr + apply.stdout + apply.stderr)).toEqual([]);
  }, 120_000);

  it('is not moved to a new destination: the plan resets the never-contacted runner and the new variable gets the live token', async () => {
    writeFile(dir, 'runners.yaml', desired('POOL_TOKEN'));
    expect((await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'])).code).toBe(0);
    expect((await cli(['rotate', '--auto-approve', ADDR])).code).toBe(0);
    writeFile(dir, 'runners.yaml', desired('POOL_TOKEN_V2'));

    const plan = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).not.toContain('token moved');
    // What is known, not "never reached its destination": the stored token is dead (reset since without the file).
    expect(plan.stdout).toContain(
      `~ token of ${ADDR} will be reset: the token the tokens file holds no longer works (GitLab refuses it: most likely reset since without this tokens file), ` +
        'so it cannot be delivered or moved; it has never contacted GitLab, so a new token goes to its destination. ' +
        'Pass the tokens file (--tokens-out) to every apply and rotate so it keeps the working token',
    );
    expect(plan.stdout).not.toContain('never reached its destination');
    const json = JSON.parse((await cli(['plan', '--tokens-out', 'tokens.json', '--format', 'json'])).stdout);
    expect(json.changes[0]).toMatchObject({ action: 'token-reset', reason: 'dead_stored_token' });
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(variable('POOL_TOKEN_V2')).toBe(fake.runnerToken(pool().id));
    const after = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(after.code, after.stdout).toBe(0);
  }, 120_000);

  it('a verify GitLab cannot answer is unknown, not dead: the plan says so and delivers the stored token as before', async () => {
    writeFile(dir, 'runners.yaml', desired('POOL_TOKEN'));
    fake.inject({ method: 'POST', path: /\/variables$/, times: 1, fault: { kind: 'status', status: 403, body: '{"message":"403 Forbidden"}' } });
    expect((await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'])).code).toBe(1);
    fake.inject({ method: 'POST', path: '/runners/verify', times: 20, fault: { kind: 'status', status: 500, body: '{"message":"500 Internal Server Error"}' } });
    const plan = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stderr).toContain(`Note: the plan cannot tell whether GitLab still accepts the stored token of runner ${pool().id}:`);
    expect(plan.stdout).toContain('stored token');
    expect(secretsIn(plan.stdout + plan.stderr)).toEqual([]);
  }, 120_000);

  it('a 403 that is not GitLab\'s own answer (a proxy, a firewall) is unknown, not dead: the token stays in the file and is delivered', async () => {
    writeFile(dir, 'runners.yaml', desired('POOL_TOKEN'));
    fake.inject({ method: 'POST', path: /\/variables$/, times: 1, fault: { kind: 'status', status: 403, body: '{"message":"403 Forbidden"}' } });
    expect((await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'])).code).toBe(1);
    const stored = fake.runnerToken(pool().id)!;
    fake.inject({ method: 'POST', path: '/runners/verify', times: 20, fault: { kind: 'status', status: 403, body: '<html><body>Request blocked by the web application firewall</body></html>' } });
    const plan = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stderr).toContain(`Note: the plan cannot tell whether GitLab still accepts the stored token of runner ${pool().id}:`);
    expect(plan.stdout).not.toContain('no longer works');
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(variable('POOL_TOKEN')).toBe(stored);
    expect(secretsIn(plan.stdout + plan.stderr + apply.stdout + apply.stderr)).toEqual([]);
  }, 120_000);

  it('a saved plan made before the reset does not deliver the dead token: the delivery fails, the variable keeps the live token', async () => {
    writeFile(dir, 'runners.yaml', desired('POOL_TOKEN'));
    fake.inject({ method: 'POST', path: /\/variables$/, times: 1, fault: { kind: 'status', status: 403, body: '{"message":"403 Forbidden"}' } });
    expect((await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'])).code).toBe(1);
    const plan = await cli(['plan', '--tokens-out', 'tokens.json', '--out', 'plan.json', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2); // the stored token's delivery
    expect((await cli(['rotate', '--auto-approve', ADDR])).code).toBe(0);
    const live = fake.runnerToken(pool().id)!;

    const apply = await cli(['apply', 'plan.json', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(apply.stdout).toContain(`GitLab no longer accepts the stored token of runner ${pool().id}`);
    expect(variable('POOL_TOKEN')).toBe(live);
    expect(fake.runnerToken(pool().id)).toBe(live);
    expect(secretsIn(apply.stdout + apply.stderr)).toEqual([]);
  }, 120_000);
});
