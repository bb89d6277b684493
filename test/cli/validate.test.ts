// `runnerform validate` spawned end to end from the build (npm test builds first).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');

function validate(args: string[], cwd = ROOT, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, 'validate', ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it)`);
});

describe('runnerform validate', () => {
  it('accepts the default runners.yaml: summary on stdout, exit 0', () => {
    expect(validate([])).toEqual({ code: 0, stdout: 'Valid: runners.yaml (2 groups, 1 project, 5 runners).\n', stderr: '' });
  });

  it('merges several -f files and directories', () => {
    const r = validate(['-f', 'examples/multi-file', '-f', 'examples/minimal.yaml']);
    expect(r).toEqual({
      code: 0,
      stdout: 'Valid: examples/multi-file, examples/minimal.yaml (4 files, 3 groups, 1 project, instance, 6 runners).\n',
      stderr: '',
    });
  });

  it('prints every problem as FILE:LINE:COL on stderr with a count, exit 1', () => {
    const file = 'test/fixtures/config/invalid/tags-invalid.yaml';
    const r = validate(['-f', file, '--file', 'test/fixtures/config/invalid/access-level-enum.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([
      `${file}:10:20: tag "docker,amd64" contains a comma; GitLab splits tags on commas, so list each tag separately`,
      `${file}:10:36: tag " linux" has leading or trailing whitespace`,
      `${file}:10:46: \`tag_list[2]\` must not be empty`,
      `${file}:10:50: \`tag_list[3]\` must be text, got 42`,
      // both fixtures declare acme/platform: the second place names the first
      `test/fixtures/config/invalid/access-level-enum.yaml:4:11: group \`acme/platform\` is declared more than once; it is already declared at ${file}:7:11`,
      'test/fixtures/config/invalid/access-level-enum.yaml:7:23: `access_level` must be one of `not_protected`, `ref_protected`, got "ref_protectd" (did you mean `ref_protected`?)',
      '6 problems found.',
      '',
    ]);
  });

  it('--format json prints the problems as a JSON array on stdout, exit 1', () => {
    const r = validate(['-f', 'test/fixtures/config/invalid/unknown-runner-key.yaml', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([
      {
        file: 'test/fixtures/config/invalid/unknown-runner-key.yaml',
        line: 8,
        column: 9,
        path: '/groups/0/runners/0/tag_lsit',
        message: 'unknown key `tag_lsit` (did you mean `tag_list`?)',
      },
      {
        file: 'test/fixtures/config/invalid/unknown-runner-key.yaml',
        line: 9,
        column: 9,
        path: '/groups/0/runners/0/tags',
        message: 'unknown key `tags` (did you mean `tag_list`?)',
      },
    ]);
  });

  it('--format json on a valid file prints an empty array, exit 0', () => {
    expect(validate(['--format', 'json'])).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('fails cleanly when the default runners.yaml is missing', () => {
    const dir = tempDir('runnerform-validate-');
    expect(validate([], dir)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'runners.yaml: cannot read: no such file or directory\n1 problem found.\n',
    });
  });

  it('never needs GitLab: works with no token and an unreachable URL', () => {
    const r = validate([], ROOT, { GITLAB_URL: 'http://127.0.0.1:9', GITLAB_TOKEN: '' });
    expect(r.code).toBe(0);
  });

  it('reports hostile input without a stack trace', () => {
    const dir = tempDir('runnerform-validate-');
    let bomb = 'version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++) bomb += `a${i}: &a${i} [${Array(10).fill(i === 1 ? '*a' : `*a${i - 1}`).join(', ')}]\n`;
    writeFileSync(join(dir, 'bomb.yaml'), bomb);
    writeFileSync(join(dir, 'nul.yaml'), Buffer.from([0x76, 0, 0xff, 0xfe]));
    const r = validate(['-f', 'bomb.yaml', '-f', 'nul.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bomb\.yaml:\d+:\d+: document too large: more than \d+ nodes once aliases are expanded/);
    expect(r.stderr).toContain('nul.yaml: not a text file (it contains NUL bytes)\n2 problems found.\n');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('never echoes a token found in the file', () => {
    const dir = tempDir('runnerform-validate-');
    const token = 'glpat-ValidateCliSecret0123';
    writeFileSync(join(dir, 'runners.yaml'), `version: 1\ngroups:\n  - path: a\n    runners:\n      - description: x\n        access_level: ${token}\n`);
    for (const format of ['text', 'json']) {
      const r = validate(['--format', format], dir);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain('glpat-[REDACTED]');
      expect(r.stdout + r.stderr).not.toContain(token);
    }
  });

  it('rejects an unknown --format', () => {
    const r = validate(['--format', 'xml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('xml');
  });
});
