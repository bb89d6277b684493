// A `command` destination's stderr is text from another program: when the
// delivery fails, apply prints its tail and the tokens file keeps it. Control
// characters (an OSC title, a screen clear) must reach neither raw.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, freshFakeAndDir, runCli, writeFile } from './harness.js';

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
});

/** Writes "x", an OSC title, a BEL, a screen clear and "y" to stderr, then fails. */
const HOSTILE = `process.stderr.write('x\\u001b]0;TITLE\\u0007\\u001b[2Jy'); process.exit(1)`;

describe('a failing command destination', () => {
  it('shows the control characters of its stderr as escapes, on stdout and in the tokens file', async () => {
    writeFile(
      dir,
      'runners.yaml',
      `version: 1
groups:
  - path: acme/platform
    runners:
      - description: hostile
        tag_list: [x]
        token:
          command: ${JSON.stringify([process.execPath, '-e', HOSTILE])}
`,
    );
    const apply = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    const failed = apply.stdout.split('\n').find((l) => l.includes('FAILED'));
    expect(failed).toContain('its stderr ends: x\\u001b]0;TITLE\\u0007\\u001b[2Jy');
    const raw = /[\u0000-\u0009\u000b-\u001f\u007f]/;
    expect(apply.stdout).not.toMatch(raw);
    expect(apply.stderr).not.toMatch(raw);
    const [entry] = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { delivery_error?: string }[];
    expect(entry?.delivery_error).toContain('x\\u001b]0;TITLE\\u0007\\u001b[2Jy');
    expect(entry?.delivery_error).not.toMatch(raw);
  });
});
