// Same input and same GitLab → byte-identical plan output, also from another
// process in another time zone and locale (where Date, toLocaleString or
// localeCompare would show through).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, tempDir, writeFile } from './harness.js';

const DESIRED = `version: 1
groups:
  - path: acme/platform
    runners:
      - description: Zeta
        tag_list: [b, A, a, B]
      - description: alpha
      - description: Ärger
projects:
  - path: acme/platform/api
    runners:
      - description: istanbul-I
        tag_list: [ı, i, İ, I]
`;

const SETTINGS = [
  { TZ: 'UTC', LC_ALL: 'C', LANG: 'C' },
  { TZ: 'Pacific/Chatham', LC_ALL: 'tr_TR.UTF-8', LANG: 'tr_TR.UTF-8' },
];

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  fake = await startFakeGitLab(e2eSeed());
  dir = tempDir();
  writeFile(dir, 'runners.yaml', DESIRED);
});
afterEach(async () => {
  await fake.close();
});

describe('plan output', () => {
  it('is byte-identical from separate processes in different time zones and locales', async () => {
    const outputs = [];
    for (const [i, settings] of SETTINGS.entries()) {
      const env = { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN, ...settings };
      const text = await runCli(['plan', '-o', `plan-${i}.json`], { cwd: dir, env });
      expect(text.code, text.stderr).toBe(0);
      const markdown = await runCli(['plan', '--format', 'markdown'], { cwd: dir, env });
      outputs.push({ text: text.stdout, markdown: markdown.stdout, file: readFileSync(join(dir, `plan-${i}.json`), 'utf8') });
    }
    expect(outputs[0]?.text).toContain('Plan: 4 to create');
    expect(outputs[1]).toEqual(outputs[0]);
  }, 90_000);
});
