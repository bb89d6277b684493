// A delivery that fails after GitLab created the runner (issue 13, item 5, the apply's
// side): the token is kept — in the journal, or as a reset the next plan shows — and the
// summary counts the runner as created and its delivery as failed; the exit is non-zero.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, freshFakeAndDir, runCli, secretsIn, writeFile } from './harness.js';

const RECORDER = fileURLToPath(new URL('../fixtures/sinks/record-sink.mjs', import.meta.url));
const ADDR = 'group["acme/platform"].runner["lone"]';

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
});
const env = () => ({ GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN });
const lone = () => fake.runners().find((r) => r.description === 'lone');
const desired = (token: string) => `version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: lone\n        token:\n${token}`;

describe('a delivery that fails after the create', () => {
  it('keeps the token in the journal; the summary says "1 created, … 1 delivery failed"; exit 1; the next apply delivers the same token', async () => {
    writeFile(dir, 'runners.yaml', desired(`          command: ${JSON.stringify([process.execPath, RECORDER, 'out.jsonl', '--fail'])}\n`));
    const apply = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: env() });
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(apply.stdout).not.toContain('Apply complete');
    expect(apply.stdout).toContain('Apply failed: 1 created, 0 updated, 0 deleted; 1 delivery failed.');
    const runner = lone()!;
    const journal = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number; token: string; delivered: boolean }[];
    expect(journal.find((e) => e.id === runner.id)).toMatchObject({ token: fake.runnerToken(runner.id), delivered: false });

    // The next plan has work to do for it, and once the destination works the next apply delivers the same token.
    const plan = await runCli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode'], { cwd: dir, env: env() });
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout + plan.stderr).toContain(ADDR);
    const token = fake.runnerToken(runner.id);
    writeFile(dir, 'runners.yaml', desired(`          command: ${JSON.stringify([process.execPath, RECORDER, 'out.jsonl'])}\n`));
    const again = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: env() });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(fake.runnerToken(runner.id)).toBe(token);
    const received = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { stdin: string }).stdin);
    expect(received.at(-1)).toBe(`${token}\n`);
    expect(fake.runners().filter((r) => r.description === 'lone')).toHaveLength(1);
    expect(secretsIn(apply.stdout + apply.stderr + plan.stdout + plan.stderr + again.stdout + again.stderr)).toEqual([]);
  }, 60_000);

  it('without --tokens-out, to a CI/CD variable GitLab refuses to write: "1 delivery failed", exit 1, and the next plan resets the runner', async () => {
    writeFile(dir, 'runners.yaml', desired('          gitlab_variable:\n            project: acme/platform/api\n            key: RUNNER_TOKEN\n'));
    // The variable cannot be written after the runner was made (a role lost between plan and apply).
    fake.inject({ method: 'POST', path: /\/variables$/, times: 1, fault: { kind: 'status', status: 403, body: '{"message":"403 Forbidden"}' } });
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env() });
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(apply.stdout).toContain('Apply failed: 1 created, 0 updated, 0 deleted; 1 delivery failed.');
    expect(apply.stdout).toContain(`run \`runnerform rotate ${ADDR}\` once the destination works`);
    const runner = lone()!;

    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env: env() });
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain(`token of ${ADDR} will be reset`);
    const again = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env() });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(fake.variable({ project: 'acme/platform/api' }, 'RUNNER_TOKEN')?.value).toBe(fake.runnerToken(runner.id));
    expect(fake.runners().filter((r) => r.description === 'lone')).toHaveLength(1);
  }, 60_000);
});
