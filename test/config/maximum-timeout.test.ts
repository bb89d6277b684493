// `maximum_timeout` is bounded by GitLab's column: `ci_runners.maximum_timeout integer`
// (4 bytes, db/structure.sql). A larger value validated, and the create then failed
// server-side with a 5xx that apply must treat as "may have been created".
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../temp.js';

const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const dir = tempDir('runnerform-timeout-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function validate(yaml: string) {
  const file = join(dir, 'runners.yaml');
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [CLI, 'validate', '-f', 'runners.yaml'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('maximum_timeout', () => {
  it('is refused above 2147483647 with FILE:LINE:COL, and accepted at it', () => {
    const r = validate(
      'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n' +
        '      - description: big\n        maximum_timeout: 2147483648\n' +
        '      - description: huge\n        maximum_timeout: 100000000000000000000\n' +
        '      - description: ok\n        maximum_timeout: 2147483647\n',
    );
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      'runners.yaml:6:26: `maximum_timeout` must be <= 2147483647',
      'runners.yaml:8:26: `maximum_timeout` must be <= 2147483647',
      '2 problems found.',
      '',
    ]);
  });

  it('accepts the largest value GitLab stores', () => {
    const r = validate('version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: ok\n        maximum_timeout: 2147483647\n');
    expect(r.code, r.stderr).toBe(0);
  });
});
