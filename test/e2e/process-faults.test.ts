// The process edges of an apply (issue 13, item 4 and the `> /dev/full` of item 14): stdout
// closed by its reader (`apply … | head -1`, EPIPE), stdout on a full device (ENOSPC) and a
// hang-up (SIGHUP: the terminal or SSH session went away). Output may be lost; the work in
// flight never is: every runner GitLab creates has its token stored and delivered.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { CLI, e2eSeed, groupRunnersYaml, OWNER_TOKEN, runCli, secretsIn, tempDir, tokensReceived, waitFor, writeFile } from './harness.js';

const NAMES = ['p1', 'p2', 'p3'];
const DESIRED = groupRunnersYaml(NAMES, { recordSink: true });
// One change at a time: a stop after the first create leaves the others not started.
const APPLY = ['apply', '--auto-approve', '--tokens-out', 'tokens.json', '--parallelism', '1'];
/** Matches a line of a JavaScript stack trace. */
const STACK = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  fake = await startFakeGitLab(e2eSeed());
  dir = tempDir();
  writeFile(dir, 'runners.yaml', DESIRED);
});
afterEach(async () => {
  // A gated delivery still waiting (a failed test) is released, so no child outlives the test.
  if (existsSync(join(dir, 'gate.arrived'))) writeFileSync(join(dir, 'gate'), '');
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exited: () => boolean;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Spawns the CLI; `gated`: every command delivery waits, its token read, until the file `gate` exists. */
function start(args: string[], opts: { gated?: boolean; stdout?: number } = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN };
  if (opts.gated) env.RECORD_SINK_GATE = join(dir, 'gate');
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], { cwd: dir, env, stdio: ['pipe', opts.stdout ?? 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end();
  let exited = false;
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      exited = true;
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, done, stderr: () => stderr, exited: () => exited };
}


/** The sink of the first runner has its token in hand (GitLab created it): a delivery is in flight. */
const deliveryInFlight = () => existsSync(join(dir, 'gate.arrived'));
const release = () => writeFileSync(join(dir, 'gate'), '');
const created = () => fake.runners().filter((r) => NAMES.includes(r.description ?? ''));
const delivered = () => tokensReceived(dir);
const journal = () => JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number | null; token?: string; delivered?: boolean }[];

/** Every runner GitLab has was created once, and its current token is in the journal and at its destination. */
function expectEveryTokenKept(count: number): void {
  const made = created();
  expect(made.map((r) => r.description).sort()).toEqual(NAMES.slice(0, count));
  const got = delivered();
  const stored = journal();
  for (const r of made) {
    expect(got.get(r.id), `${r.description} delivered`).toBe(fake.runnerToken(r.id));
    const entry = stored.find((e) => e.id === r.id);
    expect(entry?.token, `${r.description} stored`).toBe(fake.runnerToken(r.id));
    expect(entry?.delivered, `${r.description} marked delivered`).toBe(true);
  }
  expect(stored.filter((e) => e.id === null)).toEqual([]); // no intent left open
}

async function planSaysNoChanges(): Promise<void> {
  const plan = await runCli(['plan', '--tokens-out', 'tokens.json'], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
  expect(plan.code, plan.stderr).toBe(0);
  expect(plan.stdout).toContain('No changes.');
}

describe('stdout closed by its reader (apply … | head -1)', () => {
  it('finishes the apply (every create delivered and journaled), one line on stderr, no stack trace, exit 1', async () => {
    const run = start(APPLY, { gated: true });
    await waitFor(deliveryInFlight, 'the first delivery');
    // The reader goes away while the first runner's token is on its way to the destination.
    run.child.stdout!.destroy();
    release();
    const r = await run.done;
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).toContain('Error: standard output was closed before runnerform finished (EPIPE); the rest of the output was dropped, the work went on to the end.');
    expectEveryTokenKept(NAMES.length);
    expect(secretsIn(r.stderr)).toEqual([]);
    await planSaysNoChanges();
  }, 120_000);
});

describe('stdout closed by its reader after SIGTERM (a cancelled apply … | head -1)', () => {
  it('says the apply was stopping (changes in flight finished, no new change started), never that the work went on, exit 143', async () => {
    const run = start(APPLY, { gated: true });
    await waitFor(deliveryInFlight, 'the first delivery');
    run.child.kill('SIGTERM');
    await waitFor(() => run.stderr().includes('SIGTERM received: no new change starts') || run.exited(), 'the signal to be handled');
    // The reader goes away while the apply is stopping: the in-flight delivery then finishes.
    run.child.stdout!.destroy();
    release();
    const r = await run.done;
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toContain('the work went on');
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('Error:'));
    expect(errors).toEqual([
      'Error: standard output was closed before runnerform finished (EPIPE); the rest of the output was dropped. ' +
        'The apply was stopping after SIGTERM: the changes in flight finished, no new change started. Run `runnerform plan` to see what is left.',
    ]);
    // What the line says is what happened: the first runner made and kept, the others never started.
    expectEveryTokenKept(1);
    expect(secretsIn(r.stderr)).toEqual([]);
  }, 120_000);
});

describe('stdout and stderr closed by their reader (apply … 2>&1 | head -1)', () => {
  it('still finishes the apply and keeps every token, exit 1', async () => {
    const run = start(APPLY, { gated: true });
    await waitFor(deliveryInFlight, 'the first delivery');
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    release();
    const r = await run.done;
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expectEveryTokenKept(NAMES.length);
    await planSaysNoChanges();
  }, 120_000);
});

describe('stdout on a full device (> /dev/full)', () => {
  it('says so in one line on stderr, finishes the apply and keeps every token, exit 1', async () => {
    const full = openSync('/dev/full', 'w');
    let r;
    try {
      r = await start(APPLY, { stdout: full }).done;
    } finally {
      closeSync(full);
    }
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(STACK);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('Error:'));
    expect(errors).toEqual([
      'Error: cannot write to standard output (ENOSPC: no space left on device); the rest of the output was dropped, the work went on to the end. Run `runnerform plan` to see the result.',
    ]);
    expectEveryTokenKept(NAMES.length);
    await planSaysNoChanges();
  }, 120_000);
});

describe('SIGHUP while a create is being delivered', () => {
  it('is a SIGTERM: the change in flight finishes and delivers, nothing new starts, exit 129', async () => {
    const run = start(APPLY, { gated: true });
    await waitFor(deliveryInFlight, 'the first delivery');
    run.child.kill('SIGHUP');
    await waitFor(() => run.stderr().includes('SIGHUP received: no new change starts') || run.exited(), 'the signal to be handled');
    release();
    const r = await run.done;
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(129);
    expect(r.stdout).toContain('Apply interrupted by SIGHUP: 1 created');
    expect(r.stdout).toMatch(/Not started:\n {2}group\["acme\/platform"\]\.runner\["p2"\] \(create\)\n {2}group\["acme\/platform"\]\.runner\["p3"\] \(create\)\n/);
    expectEveryTokenKept(1);
    // The next apply makes the rest, and nothing twice.
    const again = await runCli(APPLY, { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(again.code, again.stderr).toBe(0);
    expectEveryTokenKept(NAMES.length);
  }, 120_000);
});
