// The CLI entry point, compiled on the fly (only the fake's own files) and run as a process.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
let outDir: string;
let child: ChildProcess;
let stdout = '';
let stderr = '';

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'fake-gitlab-main-'));
  execFileSync(
    join(root, 'node_modules/.bin/tsc'),
    ['--ignoreConfig', '--outDir', outDir, '--rootDir', root, '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
      '--strict', '--skipLibCheck', '--types', 'node', join(root, 'test/fake-gitlab/main.ts')],
    { cwd: root, stdio: 'pipe' },
  );
  // The compiled fake imports packages (graphql): let it resolve them from the repository.
  symlinkSync(join(root, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  child = spawn(process.execPath, [join(outDir, 'test/fake-gitlab/main.js'), '--seed', join(root, 'test/fixtures/seeds/demo.json'), '--port', '0']);
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((ok, fail) => {
    const timer = setInterval(() => {
      if (stdout.includes('\n')) {
        clearInterval(timer);
        ok();
      }
      if (child.exitCode !== null) {
        clearInterval(timer);
        fail(new Error(`fake exited: ${stderr}`));
      }
    }, 20);
  });
}, 60_000);

afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGTERM');
  rmSync(outDir, { recursive: true, force: true });
});

describe('main.ts', () => {
  it('prints one line with its URL, serves the demo seed, never prints a token, stops on SIGTERM', async () => {
    const m = /^fake GitLab listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(stdout);
    expect(m).not.toBeNull();
    const url = m![1];
    const get = (path: string, token: string) => fetch(`${url}/api/v4${path}`, { headers: { 'PRIVATE-TOKEN': token } });
    const owner = await get('/user', 'glpat-demo-owner-token-0000000');
    expect(await owner.json()).toMatchObject({ username: 'platform-owner' });
    const admin = await get('/user', 'glpat-demo-admin-token-000000');
    expect(await admin.json()).toMatchObject({ username: 'admin', is_admin: true });
    const list = await get('/groups/acme%2Fplatform/runners?type=group_type', 'glpat-demo-owner-token-0000000');
    const ids = ((await list.json()) as { id: number }[]).map((r) => r.id);
    expect(ids).toContain(2); // inherited from acme
    const created = await fetch(`${url}/api/v4/user/runners`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': 'glpat-demo-owner-token-0000000', 'content-type': 'application/json' },
      body: JSON.stringify({ runner_type: 'group_type', group_id: 11 }),
    });
    expect(created.status).toBe(201);
    const notes = await get('/projects/acme%2Fplatform%2Fapi/merge_requests/1/notes', 'glpat-demo-owner-token-0000000');
    expect(notes.status).toBe(200);

    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).not.toMatch(/glpat-|glrt-/);
    expect(stderr).not.toMatch(/glpat-|glrt-/);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });
});
