// Cancelling an apply while creates are in flight (Ctrl-C, a CI job cancel): no
// new change starts, the changes in flight finish, and every runner GitLab
// created has its token stored; exit 130 / 143. A SIGKILL leaves the journal's
// intent behind, and the next apply resets and delivers exactly those tokens.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { CLI, createsInFlight, createsReceived, e2eSeed, groupRunnersYaml, OWNER_TOKEN, runCli, secretsIn, tempDir, tokensReceived, waitFor, writeFile } from './harness.js';

const NAMES = ['r01', 'r02', 'r03', 'r04', 'r05', 'r06', 'r07', 'r08'];
// Every token goes to a command (a real child process) and, as the journal, to tokens.json.
const DESIRED = groupRunnersYaml(NAMES, { tagged: true, recordSink: true });

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  fake = await startFakeGitLab(e2eSeed());
  dir = tempDir();
  writeFile(dir, 'runners.yaml', DESIRED);
});
afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ...process.env, NO_COLOR: '1', GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN });

/** Spawns the CLI and keeps the handle, so a test can signal it. */
function start(args: string[]): {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: env() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, stderr: () => stderr };
}

const creates = () => createsReceived(fake);
const inFlightCreates = () => createsInFlight(fake);
const created = () => fake.runners().filter((r) => NAMES.includes(r.description ?? ''));
const delivered = () => tokensReceived(dir);
const tokensFile = () => JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number | null; token?: string; description: string }[];

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('apply interrupted by %s with creates in flight', (signal, exitCode) => {
  it(`finishes the creates in flight, stores every created runner's token, starts nothing new, exits ${exitCode}`, async () => {
    const run = start(['apply', '--auto-approve', '--tokens-out', 'tokens.json', '--parallelism', '2']);
    await waitFor(() => creates() >= 1, 'the first create');
    // Every create now waits: the signal arrives while two are in flight.
    fake.setLatencyMs(700);
    await waitFor(() => creates() >= 3 && inFlightCreates() >= 1, 'creates in flight under latency');
    run.child.kill(signal);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(exitCode);
    expect(r.stdout).toContain(`Apply interrupted by ${signal}`);
    expect(r.stdout).toMatch(/Not started:\n( {2}group\["acme\/platform"\]\.runner\["r0\d"\] \(create\)\n)+/);
    expect(r.stderr).toContain(`${signal} received: no new change starts`);
    const made = created();
    expect(made.length).toBeGreaterThanOrEqual(3);
    expect(made.length).toBeLessThan(NAMES.length);
    // Every runner GitLab created has its current token in the file.
    const stored = tokensFile();
    for (const runner of made) {
      expect(stored.find((e) => e.id === runner.id)?.token, runner.description).toBe(fake.runnerToken(runner.id));
    }
    expect(stored.filter((e) => !e.token)).toEqual([]); // no intent left open
    // ... and delivered: the command of each received its current token.
    const got = delivered();
    for (const runner of made) expect(got.get(runner.id), runner.description).toBe(fake.runnerToken(runner.id));
    expect(secretsIn(r.stdout + r.stderr)).toEqual([]);
    // The next apply creates the rest, and nothing twice.
    const again = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(again.code, again.stderr).toBe(0);
    expect(created().map((r) => r.description).sort()).toEqual(NAMES);
  }, 120_000);
});

describe('a second signal', () => {
  it('stops at once, after writing the tokens in hand', async () => {
    const run = start(['apply', '--auto-approve', '--tokens-out', 'tokens.json', '--parallelism', '2']);
    await waitFor(() => creates() >= 1, 'the first create');
    fake.setLatencyMs(3_000);
    await waitFor(() => creates() >= 3 && inFlightCreates() >= 1, 'creates in flight under latency');
    run.child.kill('SIGINT');
    await waitFor(() => run.stderr().includes('SIGINT received: no new change starts'), 'the first signal to be handled');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('SIGINT received again: stopping at once. Tokens in hand were written to tokens.json.');
    expect(r.stdout).not.toContain('Apply interrupted'); // it did not wait for the summary
    // The creates still in flight left their intents: the evidence the next plan reads.
    expect(tokensFile().filter((e) => e.id === null).length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});

describe('apply killed with SIGKILL while creates are in flight', () => {
  it('leaves intents; the next apply resets and delivers exactly the orphaned tokens, never one of a runner that contacted GitLab', async () => {
    const run = start(['apply', '--auto-approve', '--tokens-out', 'tokens.json', '--parallelism', '2']);
    await waitFor(() => creates() >= 1, 'the first create');
    fake.setLatencyMs(1_000);
    await waitFor(() => creates() >= 3 && inFlightCreates() >= 1, 'creates in flight under latency');
    run.child.kill('SIGKILL');
    await run.done;
    await fake.settled(); // the creates in flight land in GitLab after the process died
    fake.setLatencyMs(0);

    const journal = tokensFile();
    const storedIds = new Set(journal.filter((e) => e.token).map((e) => e.id));
    const orphans = created().filter((r) => !storedIds.has(r.id));
    expect(orphans.length).toBeGreaterThanOrEqual(1);
    // Every orphan left an intent. An intent may also name a runner whose POST the kill
    // stopped after the intent was written and before GitLab read it: no runner, nothing to reset.
    const intents = journal.filter((e) => e.id === null).map((e) => e.description);
    const unsent = intents.filter((d) => !created().some((r) => r.description === d));
    expect(intents.filter((d) => !unsent.includes(d)).sort()).toEqual(orphans.map((r) => r.description).sort());

    // One orphan's host got a token some other way and contacted GitLab: it must never be reset.
    let contacted: { id: number; description: string } | null = null;
    if (orphans.length >= 2) {
      const victim = orphans.pop()!;
      const del = await fetch(`${fake.url}/api/v4/runners/${victim.id}`, { method: 'DELETE', headers: { 'PRIVATE-TOKEN': OWNER_TOKEN } });
      expect(del.status).toBe(204);
      const id = fake.addRunner({ runner_type: 'group_type', group: 'acme/platform', description: victim.description, tag_list: ['docker'], contacted_at: new Date().toISOString() });
      contacted = { id, description: victim.description! };
    }
    const storedBefore = new Map(created().filter((r) => storedIds.has(r.id)).map((r) => [r.id, fake.runnerToken(r.id)]));

    const plan = await runCli(['plan', '--tokens-out', 'tokens.json'], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(plan.code, plan.stderr).toBe(0);
    for (const o of orphans) {
      expect(plan.stdout).toContain(`token of group["acme/platform"].runner["${o.description}"] will be reset: created by an interrupted apply, its token was never stored`);
    }
    for (const d of unsent) expect(plan.stdout).toContain(`# group["acme/platform"].runner["${d}"] will be created`);
    if (contacted) expect(plan.stdout).toContain('runnerform rotate');

    fake.resetStats();
    const again = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const resetPaths = fake.requests.filter((r) => r.method === 'POST' && /reset_authentication_token/.test(r.path)).map((r) => r.path).sort();
    expect(resetPaths).toEqual(orphans.map((o) => `/runners/${o.id}/reset_authentication_token`).sort());
    // Every runner has its current token stored, except the one whose host has it; stored tokens were not touched.
    const after = tokensFile();
    const got = delivered();
    for (const r of created()) {
      if (r.id === contacted?.id) {
        expect(after.some((e) => e.id === r.id && e.token)).toBe(false);
        continue;
      }
      expect(after.find((e) => e.id === r.id)?.token, r.description).toBe(fake.runnerToken(r.id));
      expect(got.get(r.id), `${r.description} delivered`).toBe(fake.runnerToken(r.id));
    }
    for (const [id, token] of storedBefore) expect(fake.runnerToken(id)).toBe(token);
    // Every intent is settled, except one whose POST never reached GitLab: it names no runner and is kept
    // (runnerform cannot tell an unsent POST from one GitLab may still carry out, and the intent is what
    // tells a later plan that such a runner's token was never stored). It changes nothing: the next plan
    // has nothing to do.
    expect(after.filter((e) => e.id === null && e.description !== contacted?.description && !unsent.includes(e.description))).toEqual([]);
    expect(created().map((r) => r.description).sort()).toEqual(NAMES);
    const settled = await runCli(['plan', '--tokens-out', 'tokens.json', '--detailed-exitcode'], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(settled.code, settled.stdout + settled.stderr).toBe(0);
    expect(secretsIn(plan.stdout + plan.stderr + again.stdout + again.stderr)).toEqual([]);
  }, 120_000);
});

describe('SIGKILL with CI/CD variable destinations and no journal', () => {
  it('the next apply resets exactly the runners whose variable does not name them, and fills the variables', async () => {
    writeFile(
      dir,
      'runners.yaml',
      DESIRED.replace(
        /defaults:\n {2}token:\n {4}command: .*\n/,
        'defaults:\n  token:\n    gitlab_variable:\n      project: acme/platform/api\n      key: RUNNER_TOKEN_{description}\n',
      ),
    );
    const run = start(['apply', '--auto-approve', '--parallelism', '2']);
    await waitFor(() => creates() >= 1, 'the first create');
    fake.setLatencyMs(1_000);
    await waitFor(() => creates() >= 3 && inFlightCreates() >= 1, 'creates in flight under latency');
    run.child.kill('SIGKILL');
    await run.done;
    await fake.settled();
    fake.setLatencyMs(0);

    const variable = (d: string) => fake.variable({ project: 'acme/platform/api' }, `RUNNER_TOKEN_${d.toUpperCase()}`);
    const orphans = created().filter((r) => variable(r.description!)?.value !== fake.runnerToken(r.id));
    expect(orphans.length).toBeGreaterThanOrEqual(1);
    const good = created().filter((r) => !orphans.some((o) => o.id === r.id));
    const goodTokens = new Map(good.map((r) => [r.id, fake.runnerToken(r.id)]));

    fake.resetStats();
    const again = await runCli(['apply', '--auto-approve'], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const resetPaths = fake.requests.filter((r) => r.method === 'POST' && /reset_authentication_token/.test(r.path)).map((r) => r.path).sort();
    expect(resetPaths).toEqual(orphans.map((o) => `/runners/${o.id}/reset_authentication_token`).sort());
    for (const r of created()) {
      const v = variable(r.description!)!;
      expect(v.value, r.description).toBe(fake.runnerToken(r.id));
      expect(v.description).toBe(`runnerform: token of runner #${r.id} group["acme/platform"].runner["${r.description}"]`);
    }
    for (const [id, token] of goodTokens) expect(fake.runnerToken(id)).toBe(token);
    expect(existsSync(join(dir, 'tokens.json'))).toBe(false);
    expect(secretsIn(again.stdout + again.stderr)).toEqual([]);
  }, 120_000);
});
