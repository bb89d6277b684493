// The tokens file on a filesystem that fills up, or is read only: a real tmpfs mounted in
// a private mount namespace (`unshare -m`, as root). A full disk makes write(2) return
// short without an error; the tokens file must never be installed cut off, apply must
// say which runner's token was not kept and how to get one, and exit non-zero.
// Skipped, with a message, where this process may not make a mount namespace.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { CLI, freshFakeAndDir, groupRunnersYaml, OWNER_TOKEN, runCli, secretsIn, type CliResult, writeFile } from './harness.js';

const CAN_MOUNT = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=8k tmpfs /mnt'], { encoding: 'utf8' }).status === 0;
if (!CAN_MOUNT) console.warn('tokens-full-disk.test.ts skipped: this process cannot mount a tmpfs in a private mount namespace (needs root and `unshare -m`)');

const NAMES = Array.from({ length: 40 }, (_, i) => `disk-${String(i).padStart(2, '0')}`);
const DESIRED = groupRunnersYaml(NAMES, { tagged: true });

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
});

/**
 * Runs the CLI with `mnt` on a fresh tmpfs of `size` (prepared by `setup`, a shell line run
 * in it first); afterwards the tmpfs's files are copied to `out` (the mount ends with the namespace).
 */
function runOnTmpfs(size: string, setup: string, args: string[], out: string): Promise<CliResult> {
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt, { recursive: true });
  mkdirSync(out, { recursive: true });
  const script = `mount -t tmpfs -o size=${size},mode=0700 tmpfs "$1" || exit 99; (cd "$1" && ${setup}) || exit 98; shift 2; "$@"; rc=$?; cp -a "${mnt}/." "${out}/"; exit $rc`;
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-m', 'sh', '-c', script, 'sh', mnt, out, process.execPath, CLI, ...args], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

const created = () => fake.runners().filter((r) => NAMES.includes(r.description ?? ''));

describe.skipIf(!CAN_MOUNT)('tokens file on a full filesystem (tmpfs, 16 KiB)', () => {
  it('a short write fails loudly: the file is never cut off, each runner whose token was not kept is named with how to get one, exit 1', async () => {
    writeFile(dir, 'runners.yaml', DESIRED);
    const out = join(dir, 'out');
    const r = await runOnTmpfs('16k', 'true', ['apply', '--auto-approve', '--parallelism', '1', '--tokens-out', join(dir, 'mnt', 'tokens.json')], out);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).not.toMatch(/Apply complete/);
    expect(r.stdout).toMatch(/^Apply failed: \d+ created, 0 updated, 0 deleted; 1 failed, \d+ not started\.$/m);
    // What is on disk is whole JSON (the last write that succeeded), and no temporary file is left.
    expect(readdirSync(out).filter((f) => !f.endsWith('.lock'))).toEqual(['tokens.json']);
    const stored = JSON.parse(readFileSync(join(out, 'tokens.json'), 'utf8')) as { id: number | null; token?: string; description: string }[];
    const made = created();
    expect(made.length).toBeGreaterThan(0);
    expect(made.length).toBeLessThan(NAMES.length); // the disk filled up before the end
    // Every runner GitLab made has its token in the file, or apply said it did not keep it and how to get one.
    const notKept = made.filter((m) => stored.find((e) => e.id === m.id)?.token !== fake.runnerToken(m.id));
    // The write that hits the full disk is the one storing a token (that runner is named, with how to
    // get a new token) or the intent before a create (then nothing was sent for that runner).
    expect(notKept.length).toBeLessThanOrEqual(1);
    for (const m of notKept) {
      expect(r.stdout).toContain(`the runner was created (id ${m.id}) but its token could not be written: ENOSPC: no space left on device, write.`);
      expect(r.stdout).toContain(`Get a new token with \`runnerform rotate group["acme/platform"].runner["${m.description}"]\``);
    }
    if (notKept.length === 0) expect(r.stdout).toMatch(/could not write to the tokens file .*ENOSPC.*Nothing was sent to GitLab for/);
    expect(secretsIn(r.stdout + r.stderr)).toEqual([]);

    // Off the full disk, the next apply finds every runner the file does not hold a token for
    // through its intent, resets it, and creates the rest: every runner ends with its token kept.
    mkdirSync(join(dir, 'after'));
    const copy = join(dir, 'after', 'tokens.json');
    writeFile(join(dir, 'after'), 'tokens.json', readFileSync(join(out, 'tokens.json'), 'utf8'));
    const again = await runCli(['apply', '--auto-approve', '--tokens-out', copy], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(again.code, again.stderr).toBe(0);
    const final = JSON.parse(readFileSync(copy, 'utf8')) as { id: number | null; token?: string }[];
    expect(created().map((m) => m.description).sort()).toEqual(NAMES);
    for (const m of created()) expect(final.find((e) => e.id === m.id)?.token, m.description).toBe(fake.runnerToken(m.id));
  }, 180_000);

  it('a read-only filesystem: apply refuses before GitLab is asked to change anything, and the file is unchanged', async () => {
    writeFile(dir, 'runners.yaml', DESIRED);
    const out = join(dir, 'out');
    const r = await runOnTmpfs('64k', `echo '[]' > tokens.json && mount -o remount,ro "$1"`, ['apply', '--auto-approve', '--tokens-out', join(dir, 'mnt', 'tokens.json')], out);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/EROFS/);
    expect(r.stderr).toContain('Nothing was changed.');
    expect(fake.requests.filter((q) => q.method !== 'GET' && !q.path.endsWith('/graphql'))).toEqual([]);
    expect(readFileSync(join(out, 'tokens.json'), 'utf8')).toBe('[]\n');
  }, 60_000);
});
