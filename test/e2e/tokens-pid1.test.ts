// runnerform as a container's entrypoint is pid 1 on every run. A run killed there leaves
// a lock naming pid 1 (and maybe a temporary file of the journal); the next run, pid 1
// again, must see that the lock is not its own, take it over, and take the temporary
// file's tokens over too: never "another runnerform (pid 1)", never a deleted token.
// Real pid namespaces (`unshare --pid --fork`); skipped, with a message, where not allowed.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { CLI, createsInFlight, createsReceived, freshFakeAndDir, groupRunnersYaml, OWNER_TOKEN, secretsIn, waitFor, writeFile } from './harness.js';

const PID_NS = ['--pid', '--fork', '--kill-child', '--mount-proc'];
const CAN_UNSHARE = spawnSync('unshare', [...PID_NS, 'sh', '-c', 'test $$ = 1']).status === 0;
if (!CAN_UNSHARE) console.warn('tokens-pid1.test.ts skipped: this process cannot make a pid namespace (needs root and `unshare --pid --fork --mount-proc`)');

const NAMES = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
const DESIRED = groupRunnersYaml(NAMES, { tagged: true });

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
  writeFile(d, 'runners.yaml', DESIRED);
});

/** The CLI as pid 1 of a new pid namespace; `kill` SIGKILLs it (unshare --kill-child passes it on). */
function startAsPid1(args: string[]) {
  const child = spawn('unshare', [...PID_NS, process.execPath, CLI, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end();
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => child.on('close', (code) => res({ code, stdout, stderr })));
  return { child, done };
}


const inFlightCreates = () => createsInFlight(fake);
const creates = () => createsReceived(fake);
type Entry = { id: number | null; token?: string; description: string };
const tokensFile = () => JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as Entry[];

describe.skipIf(!CAN_UNSHARE)('runnerform as pid 1, killed, then run again as pid 1', () => {
  it('takes over its earlier self\'s lock and temporary file: no "another runnerform (pid 1)", every token kept', async () => {
    // Every request is slow enough that the test sees each create arrive (under load an unslowed CLI
    // could finish every create before the test looked).
    fake.setLatencyMs(300);
    const first = startAsPid1(['apply', '--auto-approve', '--parallelism', '1', '--tokens-out', 'tokens.json']);
    await waitFor(() => creates() >= 2, 'two creates');
    fake.setLatencyMs(2_000); // the next create is in flight when the kill comes
    // Killed while GitLab holds a create it has read but not answered: it carries it out all the same.
    await waitFor(() => creates() >= 3 && inFlightCreates() >= 1, 'a create in flight');
    first.child.kill('SIGKILL');
    await first.done;
    // GitLab carries out the create whose answer the kill lost (the next run resets that runner's token).
    await fake.settled();
    fake.setLatencyMs(0);
    expect(readdirSync(dir)).toContain('tokens.json.lock');

    // Killed between the fsync and the rename of a journal write: its temporary file holds a token
    // the tokens file does not (here the acme-wide runner's, put there by hand, named as a pid-1 process names it).
    const acmeWide = fake.runners().find((r) => r.description === 'acme-wide')!;
    const leftover = [
      ...tokensFile(),
      { scope: { type: 'group', id: 10, path: 'acme' }, description: 'acme-wide', id: acmeWide.id, token: fake.runnerToken(acmeWide.id), token_expires_at: null, written_at: new Date().toISOString() },
    ];
    writeFileSync(join(dir, '.tokens.json.1.1.tmp'), JSON.stringify(leftover, null, 2), { mode: 0o600 });

    const second = await startAsPid1(['apply', '--auto-approve', '--tokens-out', 'tokens.json']).done;
    expect(second.stderr).not.toContain('another runnerform');
    expect(second.code, second.stderr + second.stdout).toBe(0);
    expect(secretsIn(second.stdout + second.stderr)).toEqual([]);
    // Every declared runner exists once, and its current token is in the file.
    const made = fake.runners().filter((r) => NAMES.includes(r.description ?? ''));
    expect(made.map((r) => r.description).sort()).toEqual(NAMES);
    const stored = tokensFile();
    for (const r of made) expect(stored.find((e) => e.id === r.id)?.token, r.description).toBe(fake.runnerToken(r.id));
    // The temporary file's token was taken over, not deleted; the file itself is gone, and the lock released.
    expect(stored.find((e) => e.id === acmeWide.id)?.token).toBe(fake.runnerToken(acmeWide.id));
    expect(readdirSync(dir).sort()).toEqual(['runners.yaml', 'tokens.json']);
  }, 180_000);
});
