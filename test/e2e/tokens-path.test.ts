// What --tokens-out may name. A regular file or nothing: used. A symlink: followed, and
// the tokens file written at its target (tokens meant for a persistent mount stay there).
// A FIFO, a character device, a directory or a socket: refused, naming the path, before
// GitLab is asked anything; plan and apply never block on a FIFO.
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { CLI, OWNER_TOKEN, freshFakeAndDir, writeFile, type CliResult } from './harness.js';

const DESIRED = `version: 1
groups:
  - path: acme/platform
    runners:
      - description: path-check
        tag_list: [docker]
`;

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
  writeFile(d, 'runners.yaml', DESIRED);
});

/** Runs the CLI; a run still going after `ms` is killed (a FIFO once blocked plan and apply forever). */
function run(args: string[], ms = 30_000): Promise<CliResult & { timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN },
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin.end();
  });
}

const IS_ROOT = process.getuid?.() === 0;

/** Makes the odd file at `path`; returns a closer for what must be closed (a listening socket). */
async function make(kind: string, path: string): Promise<(() => Promise<void>) | null> {
  if (kind === 'FIFO') expect(spawnSync('mkfifo', [path]).status).toBe(0);
  if (kind === 'character device') expect(spawnSync('mknod', [path, 'c', '1', '3']).status).toBe(0); // as /dev/null
  if (kind === 'directory') mkdirSync(path);
  if (kind === 'socket') {
    const server: Server = createServer();
    await new Promise<void>((res) => server.listen(path, res));
    return () => new Promise((res) => server.close(() => res()));
  }
  return null;
}

function kindOf(path: string): string {
  const s = lstatSync(path);
  return s.isFIFO() ? 'FIFO' : s.isCharacterDevice() ? 'character device' : s.isDirectory() ? 'directory' : s.isSocket() ? 'socket' : s.isFile() ? 'file' : 'other';
}

const KINDS: [string, string][] = [
  ['FIFO', 'a FIFO (named pipe)'],
  ['character device', 'a character device'],
  ['directory', 'a directory'],
  ['socket', 'a socket'],
];

describe('--tokens-out naming something else than a regular file', () => {
  for (const [kind, said] of KINDS) {
    it.skipIf(kind === 'character device' && !IS_ROOT)(`${kind}: plan and apply refuse at once, naming it, before any request to GitLab; it stays a ${kind}`, async () => {
      const path = join(dir, 'tokens.json');
      const close = await make(kind, path);
      try {
        for (const args of [
          ['plan', '--tokens-out', path],
          ['apply', '--auto-approve', '--tokens-out', path],
        ]) {
          const r = await run(args);
          expect(r.timedOut, `${args[0]} blocked`).toBe(false);
          expect(r.code, r.stderr).toBe(1);
          expect(r.stderr).toContain(`--tokens-out ${path} is ${said}, not a regular file`);
          expect(r.stderr).toContain('Nothing was changed.');
        }
        expect(fake.requests).toEqual([]);
        expect(kindOf(path)).toBe(kind);
        expect(readdirSync(dir).sort()).toEqual(['runners.yaml', 'tokens.json']);
      } finally {
        await close?.();
      }
    }, 90_000);
  }

  it('a symlink whose target is a FIFO is refused too, naming the target', async () => {
    const fifo = join(dir, 'pipe');
    await make('FIFO', fifo);
    symlinkSync(fifo, join(dir, 'tokens.json'));
    const r = await run(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--tokens-out tokens.json (the symbolic link's target ${fifo}) is a FIFO (named pipe), not a regular file`);
    expect(fake.requests).toEqual([]);
  }, 60_000);
});

describe('--tokens-out naming a symlink', () => {
  it('is followed: the tokens are written at its target (in another directory; the target does not exist yet), and the link stays a link', async () => {
    const persistent = join(dir, 'persistent');
    mkdirSync(persistent);
    symlinkSync(join(persistent, 'tokens.json'), join(dir, 'tokens.json')); // dangling until the first write
    const r = await run(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, 'tokens.json')).isSymbolicLink()).toBe(true);
    const runner = fake.runners().find((x) => x.description === 'path-check')!;
    const stored = JSON.parse(readFileSync(join(persistent, 'tokens.json'), 'utf8')) as { id: number; token: string }[];
    expect(stored).toMatchObject([{ id: runner.id, token: fake.runnerToken(runner.id) }]);
    expect((lstatSync(join(persistent, 'tokens.json')).mode & 0o777).toString(8)).toBe('600');
    // No token-bearing file next to the link; the lock and temporary files live by the target.
    expect(readdirSync(dir).sort()).toEqual(['persistent', 'runners.yaml', 'tokens.json']);
    expect(readdirSync(persistent)).toEqual(['tokens.json']);
    // The next run reads through the link: nothing to do.
    const again = await run(['plan', '--detailed-exitcode', '--tokens-out', 'tokens.json']);
    expect(again.code, again.stderr).toBe(0);
  }, 60_000);

  it('an existing target keeps its entries', async () => {
    const persistent = join(dir, 'persistent');
    mkdirSync(persistent);
    const kept = { scope: { type: 'group', id: 12, path: 'acme/data' }, description: 'elsewhere', id: 999, token: 'glrt-kept-000000000000', token_expires_at: null, written_at: 't0' };
    writeFileSync(join(persistent, 'tokens.json'), JSON.stringify([kept]), { mode: 0o600 });
    symlinkSync('persistent/tokens.json', join(dir, 'tokens.json')); // relative to the link's directory
    const r = await run(['apply', '--auto-approve', '--tokens-out', join(dir, 'tokens.json')]);
    expect(r.code, r.stderr).toBe(0);
    const stored = JSON.parse(readFileSync(join(persistent, 'tokens.json'), 'utf8')) as { id: number }[];
    expect(stored.map((e) => e.id)).toContain(999);
    expect(stored).toHaveLength(2);
    expect(lstatSync(join(dir, 'tokens.json')).isSymbolicLink()).toBe(true);
  }, 60_000);
});
