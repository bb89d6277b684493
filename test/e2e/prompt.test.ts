// The approval prompt needs a terminal: `script` gives the CLI a pseudo-terminal
// while the test types the answer on its stdin.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { CLI, OWNER_TOKEN, e2eSeed, tempDir, writeFile, writes } from './harness.js';

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let fake: FakeGitLab;
let dir: string;

beforeEach(async () => {
  fake = await startFakeGitLab(e2eSeed());
  dir = tempDir();
  writeFile(dir, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: docker\n        tag_list: [docker]\n');
});
afterEach(() => fake.close());

function applyOnTerminal(answer: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} apply --tokens-out tokens.json`;
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      cwd: dir,
      env: { ...process.env, GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      if (output.includes('Enter a value:')) child.stdin.end(`${answer}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe.skipIf(!hasScript)('apply on a terminal', () => {
  it("changes nothing unless the answer is exactly 'yes'", async () => {
    const r = await applyOnTerminal('y');
    expect(r.output).toContain("Only 'yes' will be accepted to approve.");
    expect(r.output).toContain('Apply cancelled. Nothing was changed.');
    expect(r.code).toBe(1);
    expect(writes(fake)).toEqual([]);
  });

  it("applies after 'yes'", async () => {
    const r = await applyOnTerminal('yes');
    expect(r.output).toContain('Apply complete: 1 created, 0 updated, 0 deleted.');
    expect(r.code).toBe(0);
    expect(writes(fake)).toEqual(['POST /user/runners']);
  });
});

/**
 * `apply | head -2` at a terminal: the reader of stdout quits after two lines of the plan, so the rest
 * of the plan and the prompt go nowhere. The pipe's last reader is gone (HEAD-DONE on the terminal)
 * before the test types "yes".
 */
function applyIntoHead(): Promise<{ output: string; stderr: string }> {
  writeFile(
    dir,
    'run.sh',
    `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} apply --tokens-out tokens.json 2>err.txt | (head -2; exec 0<&-; echo HEAD-DONE >&2)\n` +
      'echo "apply exit: ${PIPESTATUS[0]}"\n',
  );
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', 'bash run.sh', '/dev/null'], {
      cwd: dir,
      env: { ...process.env, GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN, NO_COLOR: '1' },
    });
    let output = '';
    child.stdin.on('error', () => {}); // the apply may have ended before the answer
    child.stdout.on('data', (d) => {
      const before = output;
      output += d;
      // Typed, as at a terminal (an end of input makes script(1) linger).
      if (!before.includes('HEAD-DONE') && output.includes('HEAD-DONE')) child.stdin.write('yes\n');
    });
    child.on('error', reject);
    child.on('close', () => resolve({ output, stderr: readFileSync(join(dir, 'err.txt'), 'utf8') }));
  });
}

describe.skipIf(!hasScript)('apply whose plan nobody could read', () => {
  it("refuses a 'yes' once standard output is gone (apply | head -2): nothing changed", async () => {
    const r = await applyIntoHead();
    expect(r.output).toContain('apply exit: 1');
    expect(r.stderr).toContain('Apply cancelled. Nothing was changed.');
    expect(r.stderr).toContain('standard output was closed before runnerform finished (EPIPE)');
    expect(writes(fake)).toEqual([]);
    expect(fake.runners().filter((x) => x.description === 'docker')).toEqual([]);
  });
});
