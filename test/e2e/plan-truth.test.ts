// The plan tells the truth through the built CLI: a stored token to deliver is
// part of the plan (stdout, JSON, Markdown, saved plan and --detailed-exitcode
// agree), apply calls it a delivery and counts what happened, a destination GitLab
// will not let this token write is refused at plan time, live evidence (a missing
// CI/CD variable) wins over the journal, and a rotate says why it resets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, freshFakeAndDir, runCli, secretsIn, writeFile, writes } from './harness.js';

const RECORDER = fileURLToPath(new URL('../fixtures/sinks/record-sink.mjs', import.meta.url));
const ADDR = (d: string) => `group["acme/platform"].runner["${d}"]`;

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
});

const env = () => ({ GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN });
const cli = (args: string[]) => runCli(args, { cwd: dir, env: env() });
const runner = (d: string) => fake.runners().find((r) => r.description === d && r.group === 'acme/platform')!;
const received = (file: string) => readFileSync(join(dir, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stdin: string });

/** One runner whose token goes to a command recording it in `out`; `--fail` makes the command refuse it. */
function commandYaml(out: string, fail: boolean): string {
  const argv = JSON.stringify([process.execPath, RECORDER, out, ...(fail ? ['--fail'] : [])]);
  return `version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: broken\n        token:\n          command: ${argv}\n`;
}

function variableYaml(project: string): string {
  return `version: 1
groups:
  - path: acme/platform
    runners:
      - description: docker
        token:
          gitlab_variable:
            project: ${project}
            key: RUNNER_TOKEN_{description}
`;
}

describe('a stored token to deliver is part of the plan', () => {
  it('after a failed delivery: every output shows the delivery, and apply calls it a delivery (once), not an update', async () => {
    writeFile(dir, 'fail.yaml', commandYaml('first.jsonl', true));
    const first = await cli(['apply', '-f', 'fail.yaml', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    // The runner exists: it was created; its token did not reach its destination.
    expect(first.stdout).toContain('Apply failed: 1 created, 0 updated, 0 deleted; 1 delivery failed.');

    // The destination is fixed by pointing at another command: still a delivery of the stored token, not a move.
    writeFile(dir, 'fail.yaml', commandYaml('fixed.jsonl', false));
    const plan = await cli(['plan', '-f', 'fail.yaml', '--tokens-out', 'tokens.json', '--detailed-exitcode', '--out', 'plan.json']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).not.toContain('No changes');
    expect(plan.stdout).toContain(`# ${ADDR('broken')} will get its stored token delivered (same token, no reset)`);
    expect(plan.stdout).toContain('Plan: 0 to create, 0 to update, 0 to delete, 1 stored token to deliver (1 unchanged, 0 unmanaged).');
    const saved = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { deliveries: { runner_id: number; reason: string }[]; summary: { deliver: number } };
    expect(saved.deliveries).toEqual([expect.objectContaining({ runner_id: runner('broken').id, reason: 'undelivered' })]);
    expect(saved.summary.deliver).toBe(1);
    const md = await cli(['plan', '-f', 'fail.yaml', '--tokens-out', 'tokens.json', '--format', 'markdown']);
    expect(md.stdout).toContain('**Plan: 0 to create, 0 to update, 0 to delete, 1 stored token to deliver (1 unchanged, 0 unmanaged).**');
    expect(md.stdout).not.toContain('No changes');

    // The saved plan delivers a token kept in the tokens file: without that file it changes nothing.
    const bare = await cli(['apply', 'plan.json']);
    expect(bare.code, bare.stdout + bare.stderr).toBe(1);
    expect(bare.stderr).toContain(`the plan delivers a stored token (${ADDR('broken')}) kept in the tokens file it was made with: pass that file as --tokens-out. Nothing was changed.`);

    const token = fake.runnerToken(runner('broken').id);
    fake.resetStats();
    const apply = await cli(['apply', 'plan.json', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain(`${ADDR('broken')}: stored token delivered to command`);
    expect(apply.stdout).not.toContain('Modifying');
    expect(apply.stdout).toContain('Apply complete: 0 created, 0 updated, 0 deleted, 1 stored token delivered.');
    expect(received('fixed.jsonl').map((r) => r.stdin)).toEqual([`${token}\n`]); // delivered once, the same token
    expect(writes(fake)).toEqual([]);

    const after = await cli(['plan', '-f', 'fail.yaml', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toMatch(/^No changes\./);
    expect(secretsIn(first.stdout + plan.stdout + md.stdout + apply.stdout + after.stdout)).toEqual([]);
  }, 90_000);
});

describe('a token destination GitLab will not let this token write (issue 13 item 5)', () => {
  it('is refused at plan time by runnerform (GitLab would create it), in every format, and never created by apply', async () => {
    writeFile(dir, 'runners.yaml', variableYaml('acme/nope'));
    const plan = await cli(['plan', '--detailed-exitcode']);
    const own = 'runnerform will not create a runner whose token it cannot deliver (GitLab would create it): its token cannot be written to CI/CD variable RUNNER_TOKEN_DOCKER of acme/nope: Project acme/nope not found';
    expect(plan.stdout).toContain(`  # ${own}`);
    expect(plan.stdout).toContain(`${ADDR('docker')}: ${own}`);
    expect(plan.stdout).toContain('1 refused by runnerform (apply skips it).');
    expect(plan.stdout).not.toContain('GitLab will refuse');
    const json = JSON.parse((await cli(['plan', '--format', 'json'])).stdout);
    expect(json.changes[0]).toMatchObject({ action: 'create', refused_by: 'runnerform', refused: expect.stringContaining(own) });
    expect(json.warnings[0].message).toContain(own);
    const md = (await cli(['plan', '--format', 'markdown'])).stdout;
    expect(md).toContain(`  # ${own}`);
    expect(md).not.toContain('GitLab will refuse');

    fake.resetStats();
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(apply.stdout).toContain(`${ADDR('docker')}: FAILED: not sent: ${own}`);
    expect(apply.stdout).toContain('Apply failed: 0 created, 0 updated, 0 deleted; 1 failed.');
    expect(writes(fake)).toEqual([]);
    expect(fake.runners().some((r) => r.description === 'docker')).toBe(false);
  }, 60_000);
});

describe('live evidence wins over the journal (issue 13 item 12)', () => {
  it('a journal saying delivered while the variable is gone: the plan shows the redelivery (with --tokens-out) or the reset (without)', async () => {
    writeFile(dir, 'runners.yaml', variableYaml('acme/platform/api'));
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const id = runner('docker').id;
    const token = fake.runnerToken(id);
    expect(fake.variable({ project: 'acme/platform/api' }, 'RUNNER_TOKEN_DOCKER')!.value).toBe(token);

    // Someone deletes the variable: the journal still says delivered.
    const del = await fetch(`${fake.url}/api/v4/projects/acme%2Fplatform%2Fapi/variables/RUNNER_TOKEN_DOCKER`, {
      method: 'DELETE',
      headers: { 'PRIVATE-TOKEN': OWNER_TOKEN },
    });
    expect(del.status).toBe(204);

    const withJournal = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(withJournal.code, withJournal.stdout + withJournal.stderr).toBe(2);
    expect(withJournal.stdout).toContain(`# ${ADDR('docker')} will get its stored token delivered (same token, no reset)`);
    expect(withJournal.stdout).toContain('says it was delivered, but its CI/CD variable is absent or names another runner');
    const without = await cli(['plan', '--detailed-exitcode']);
    expect(without.code, without.stdout + without.stderr).toBe(2);
    expect(without.stdout).toContain(`~ token of ${ADDR('docker')} will be reset: its token never reached its destination`);

    fake.resetStats();
    const again = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('Apply complete: 0 created, 0 updated, 0 deleted, 1 stored token delivered.');
    expect(fake.runnerToken(id)).toBe(token); // no reset
    expect(fake.variable({ project: 'acme/platform/api' }, 'RUNNER_TOKEN_DOCKER')!.value).toBe(token);
    const settled = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(settled.code, settled.stdout).toBe(0);
  }, 90_000);
});

describe('rotate says why it resets', () => {
  it('an online runner whose token was delivered: the reason is the rotate, never "never reached its destination"', async () => {
    writeFile(dir, 'runners.yaml', variableYaml('acme/platform/api'));
    // Online, and its variable names it: its token was delivered and its host uses it.
    const id = fake.addRunner({ runner_type: 'group_type', group: 'acme/platform', description: 'docker', contacted_at: new Date().toISOString() });
    fake.addVariable({
      project: 'acme/platform/api',
      key: 'RUNNER_TOKEN_DOCKER',
      value: fake.runnerToken(id)!,
      masked: true,
      hidden: true,
      description: `runnerform: token of runner #${id} ${ADDR('docker')}`,
    });
    const rotate = await cli(['rotate', ADDR('docker'), '--auto-approve']);
    expect(rotate.code, rotate.stdout + rotate.stderr).toBe(0);
    expect(rotate.stdout).toContain(`~ token of ${ADDR('docker')} will be reset: runnerform rotate asks for a new one`);
    expect(rotate.stdout).not.toContain('never reached its destination');
    expect(rotate.stdout).not.toContain('--target');
    expect(rotate.stdout).toContain('# (id ' + id + ', status online');
    expect(rotate.stdout).toContain('Apply complete: 0 created, 0 updated, 0 deleted, 1 token reset.');
  }, 60_000);
});
