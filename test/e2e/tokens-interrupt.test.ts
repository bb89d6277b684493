// Cancelling an apply while creates are in flight (Ctrl-C, a CI job cancel): no
// new change starts, the changes in flight finish, and every runner GitLab
// created has its token stored; exit 130 / 143. A SIGKILL leaves the journal's
// intent behind, and the next apply resets and delivers exactly those tokens.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { CLI, OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';

const NAMES = ['r01', 'r02', 'r03', 'r04', 'r05', 'r06', 'r07', 'r08'];
const DESIRED = `version: 1
groups:
  - path: acme/platform
    runners:
${NAMES.map((n) => `      - description: ${n}\n        tag_list: [docker]\n`).join('')}`;

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
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.end();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, stderr: () => stderr };
}

const creates = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/user/runners').length;
async function waitFor(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const created = () => fake.runners().filter((r) => NAMES.includes(r.description ?? ''));
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
    await waitFor(() => creates() >= 3, 'creates in flight under latency');
    run.child.kill(signal);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(exitCode);
    expect(r.stdout).toContain(`Apply interrupted by ${signal}`);
    expect(r.stdout).toMatch(/Not started:\n(  group\["acme\/platform"\]\.runner\["r0\d"\] \(create\)\n)+/);
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
    await waitFor(() => creates() >= 3, 'creates in flight under latency');
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
