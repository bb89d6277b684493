// Adversarial review of issue 8 (token destinations, journal, interrupts, rotate,
// rename in place): each test is a way found to lose a token, deliver it twice or
// leave one behind. Spawned CLI against the in-process fake over real HTTP; real
// child processes for `command` destinations.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import type { Seed } from '../fake-gitlab/seed.js';
import { CLI, OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';

const RECORDER = fileURLToPath(new URL('../fixtures/sinks/record-sink.mjs', import.meta.url));
const ADDR = (d: string) => `group["acme/platform"].runner["${d}"]`;
const VAR_DEST = 'gitlab_variable: { project: acme/platform/api, key: "RUNNER_TOKEN_{description}" }';
const cmdDest = (out: string) => `command: ${JSON.stringify([process.execPath, RECORDER, out])}`;

let fake: FakeGitLab;
let dir: string;
async function start(seed: Seed = e2eSeed()): Promise<void> {
  fake = await startFakeGitLab(seed);
}
beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN, ...extra });
const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: dir, env: env(extra) });
const runner = (d: string) => fake.runners().find((r) => r.description === d && r.group === 'acme/platform');
const received = (file: string) =>
  existsSync(join(dir, file))
    ? readFileSync(join(dir, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stdin: string; env: Record<string, string> })
    : [];
const journal = () => JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number | null; token?: string; description: string; delivered?: boolean }[];
const resets = () => fake.requests.filter((r) => r.method === 'POST' && /reset_authentication_token/.test(r.path)).map((r) => r.path);

function yaml(runners: string): string {
  return `version: 1\ngroups:\n  - path: acme/platform\n    runners:\n${runners}`;
}

describe('review: a stored token waiting for delivery', () => {
  it('is shown by plan, and --detailed-exitcode says apply has work (a CI "apply only when plan says 2" would never deliver it)', async () => {
    await start();
    writeFile(dir, 'runners.yaml', yaml(`      - description: a\n        tag_list: [x]\n        token:\n          ${cmdDest('a.jsonl')}\n`));
    // The destination is down: the token is stored in the journal, not delivered.
    const first = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { RECORD_SINK_EXIT: '3' });
    expect(first.code, first.stdout + first.stderr).toBe(1);
    expect(journal().find((e) => e.description === 'a')?.delivered).toBe(false);

    const plan = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(secretsIn(plan.stdout + plan.stderr)).toEqual([]);
    // Before: "No changes", exit 0 — a pipeline that applies only on exit 2 never delivered the token.
    // Then: exit 2 under "No changes" (the delivery was counted by the CLI only). Now the plan itself carries it.
    expect(plan.stdout).toContain('# group["acme/platform"].runner["a"] will get its stored token delivered (same token, no reset)');
    expect(plan.stdout).toContain('1 stored token to deliver');
    expect(plan.stdout).not.toContain('No changes');
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
  }, 60_000);
});

describe('review: rename in place with a {description}-keyed CI/CD variable', () => {
  it('converges in one apply: the plan after the rename has no changes', async () => {
    const seed = e2eSeed();
    seed.runners!.push({ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'idle-old', tag_list: ['x'] });
    seed.variables = [
      {
        project: 'acme/platform/api',
        key: 'RUNNER_TOKEN_IDLE_OLD',
        value: 'glrt-t2_placeholder0000000000',
        hidden: true,
        masked: true,
        protected: true,
        description: 'runnerform: token of runner #50 group["acme/platform"].runner["idle-old"]',
      },
    ];
    await start(seed);
    writeFile(dir, 'runners.yaml', yaml(`      - description: idle-new\n        renamed_from: idle-old\n        tag_list: [x]\n        token:\n          ${VAR_DEST}\n`));
    const plan1 = await cli(['plan']);
    expect(plan1.stdout).toContain('~ description = "idle-old" -> "idle-new"');
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const plan2 = await cli(['plan', '--detailed-exitcode']);
    // Before the fix plan 2 said "token of … will be reset": the rename plan had not said so; it took two applies.
    expect(plan2.stdout).not.toContain('will be reset');
    expect(plan2.code, plan2.stdout).toBe(0);
  }, 60_000);
});

describe('review: rename in place with a {description}-keyed CI/CD variable and a journal', () => {
  it('converges in one apply too: the journal holding the token delivered to the old key does not block the new key', async () => {
    await start();
    const desired = (runner: string) => yaml(`${runner}        tag_list: [x]\n        token:\n          ${VAR_DEST}\n`);
    writeFile(dir, 'runners.yaml', desired('      - description: j-old\n'));
    const created = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const id = runner('j-old')!.id;
    writeFile(dir, 'runners.yaml', desired('      - description: j-new\n        renamed_from: j-old\n'));
    const plan1 = await cli(['plan', '--tokens-out', 'tokens.json']);
    expect(plan1.stdout).toContain('~ description = "j-old" -> "j-new"');
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(runner('j-new')!.id).toBe(id);
    expect(fake.variable({ project: 'acme/platform/api' }, 'RUNNER_TOKEN_J_NEW')?.value === fake.runnerToken(id)).toBe(true);
    const plan2 = await cli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode']);
    expect(plan2.code, plan2.stdout).toBe(0);
  }, 90_000);
});

describe('review: an interrupted create, then a rename before the next apply', () => {
  it('still resets and delivers the orphaned token', async () => {
    const seed = e2eSeed();
    seed.runners!.push({ id: 60, runner_type: 'group_type', group: 'acme/platform', description: 'build', tag_list: ['x'] });
    await start(seed);
    // What a SIGKILL between the create request and storing its answer leaves: an open intent.
    const intentAt = new Date(Date.now() - 10_000).toISOString();
    writeFileSync(
      join(dir, 'tokens.json'),
      JSON.stringify([
        {
          scope: { type: 'group', id: 11, path: 'acme/platform' },
          description: 'build',
          id: null,
          token_expires_at: null,
          written_at: intentAt,
          intent_at: intentAt,
          address: ADDR('build'),
          destination: null,
          delivered: false,
        },
      ]),
      { mode: 0o600 },
    );
    writeFile(dir, 'runners.yaml', yaml(`      - description: build-amd64\n        renamed_from: build\n        tag_list: [x]\n`));
    const plan = await cli(['plan', '--tokens-out', 'tokens.json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('will be reset: created by an interrupted apply');
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(journal().find((e) => e.id === 60)?.token === fake.runnerToken(60)).toBe(true);
  }, 60_000);
});

describe('review: rotate with a CI/CD variable destination, without --tokens-out', () => {
  const seedWith70 = () => {
    const seed = e2eSeed();
    seed.runners!.push({ id: 70, runner_type: 'group_type', group: 'acme/platform', description: 'fresh', tag_list: ['x'] });
    return seed;
  };
  const variableHolds = (id: number) => fake.variable({ project: 'acme/platform/api' }, 'RUNNER_TOKEN_FRESH')?.value === fake.runnerToken(id);
  const rotateOnce = async () => {
    writeFile(dir, 'runners.yaml', yaml(`      - description: fresh\n        tag_list: [x]\n        token:\n          ${VAR_DEST}\n`));
    const ok = await cli(['rotate', '--auto-approve', ADDR('fresh')]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(variableHolds(70)).toBe(true);
  };

  it('killed between the reset and the variable write: the next plan resets the never-contacted runner', async () => {
    await start(seedWith70());
    await rotateOnce();
    // Every request now waits: the kill lands after GitLab got the reset, before the variable is written.
    fake.setLatencyMs(1_500);
    const before = resets().length;
    const child = spawn(process.execPath, [CLI, 'rotate', '--auto-approve', ADDR('fresh')], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env() } });
    child.stdin.end();
    const closed = new Promise((resolve) => child.on('close', resolve));
    const until = Date.now() + 60_000;
    while (resets().length === before && Date.now() < until) await sleep(20);
    expect(resets().length).toBe(before + 1);
    child.kill('SIGKILL');
    await closed;
    await fake.settled(); // GitLab carries out the reset it received
    fake.setLatencyMs(0);
    expect(variableHolds(70)).toBe(false); // the token GitLab now accepts reached nobody
    // The issue: a token not delivered is delivered by the next apply — through a reset when there is no
    // journal and the runner has never contacted GitLab.
    const plan = await cli(['plan']);
    expect(plan.stdout).toContain(`token of ${ADDR('fresh')} will be reset`);
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(variableHolds(70)).toBe(true);
  }, 90_000);

  it('whose variable GitLab refuses to write resets nothing: the old token keeps working', async () => {
    await start(seedWith70());
    await rotateOnce();
    fake.inject({ method: 'PUT', path: /\/variables\/RUNNER_TOKEN_FRESH/, times: 10, fault: { kind: 'status', status: 403 } });
    const failed = await cli(['rotate', '--auto-approve', ADDR('fresh')]);
    expect(failed.code).toBe(1);
    expect(secretsIn(failed.stdout + failed.stderr)).toEqual([]);
    expect(variableHolds(70)).toBe(true);
  }, 60_000);
});

describe('review: the journal across processes', () => {
  it('a temporary journal file left by a crash mid-write (it holds tokens) is removed by the next apply', async () => {
    await start();
    writeFile(dir, 'runners.yaml', yaml(`      - description: a\n        tag_list: [x]\n`));
    // SIGKILL between open(tmp) and rename(tmp, tokens.json) leaves this behind; fixed on tokens-apply (1c71cf7).
    writeFileSync(join(dir, '.tokens.json.99999999.7.tmp'), JSON.stringify([{ id: 1, token: 'glrt-t2_leftover000000000000' }]), { mode: 0o600 });
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('two applies sharing one --tokens-out never lose a token: every created runner has its token in the file, or the second apply refuses', async () => {
    await start();
    fake.setLatencyMs(150);
    writeFile(dir, 'runners.yaml', yaml(['a', 'b'].map((d) => `      - description: ${d}\n        tag_list: [x]\n`).join('')));
    const [ra, rb] = await Promise.all([
      cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json', '--target', ADDR('a')]),
      cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json', '--target', ADDR('b')]),
    ]);
    const stored = journal();
    for (const d of ['a', 'b']) {
      const r = runner(d);
      if (!r) continue; // refused before creating: nothing to lose
      expect(stored.find((e) => e.id === r.id)?.token === fake.runnerToken(r.id), `${d}: ${ra.stderr} ${rb.stderr}`).toBe(true);
    }
    expect([ra.code, rb.code]).toContain(0);
  }, 60_000);
});

describe('review: a stored, undelivered token of a runner that no longer exists', () => {
  it('is not delivered (it is void) and does not fail every later apply', async () => {
    await start();
    writeFile(dir, 'runners.yaml', yaml(`      - description: a\n        tag_list: [x]\n        token:\n          ${cmdDest('a.jsonl')}\n`));
    const first = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { RECORD_SINK_EXIT: '3' });
    expect(first.code).toBe(1);
    const old = runner('a')!;
    // Someone deletes the runner in GitLab's UI; the next apply creates it again.
    const del = await fetch(`${fake.url}/api/v4/runners/${old.id}`, { method: 'DELETE', headers: { 'PRIVATE-TOKEN': OWNER_TOKEN } });
    expect(del.status).toBe(204);
    const again = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const fresh = runner('a')!;
    expect(fresh.id).not.toBe(old.id);
    // Only the new runner's token reached the destination in this apply: a void token is no delivery.
    const ids = received('a.jsonl').slice(1).map((r) => Number(r.env.RUNNERFORM_RUNNER_ID));
    expect(ids).toEqual([fresh.id]);
  }, 60_000);
});
