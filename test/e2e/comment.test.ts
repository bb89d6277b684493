// `plan --comment` keeps exactly one, up-to-date note on the merge request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { NOTE_MARKER, composeNote } from '../../src/render/note.js';
import { OWNER_TOKEN, describeRequest, e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';

let fake: FakeGitLab;
let dir: string;

beforeEach(async () => {
  fake = await startFakeGitLab({ ...e2eSeed(), merge_requests: [{ project: 'acme/platform/api', iid: 7 }] });
  dir = tempDir();
});
afterEach(() => fake.close());

const yaml = (tags: string) =>
  `version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: docker\n        tag_list: [${tags}]\n`;

function planComment(extraEnv: Record<string, string> = {}) {
  return runCli(['plan', '--comment', '--gitlab-report', 'report.json', '--detailed-exitcode'], {
    cwd: dir,
    env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN, CI_PROJECT_ID: '100', CI_MERGE_REQUEST_IID: '7', ...extraEnv },
  });
}

describe('plan --comment', () => {
  it('two runs leave exactly one note, holding the latest plan', async () => {
    writeFile(dir, 'runners.yaml', yaml('docker'));
    const first = await planComment();
    expect(first.code, first.stderr).toBe(2);
    expect(first.stderr).toContain('Plan comment created on merge request !7');
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).toEqual({ create: 1, update: 0, delete: 0 });

    writeFile(dir, 'runners.yaml', yaml('docker, large'));
    const second = await planComment();
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toContain('Plan comment updated on merge request !7');

    const notes = fake.notes('acme/platform/api', 7);
    expect(notes).toHaveLength(1);
    const body = notes[0]?.body ?? '';
    expect(body.startsWith(NOTE_MARKER)).toBe(true);
    expect(body).toContain('large');
    expect(secretsIn(body)).toEqual([]);
  });

  it('fails clearly outside a merge-request pipeline, before contacting GitLab', async () => {
    writeFile(dir, 'runners.yaml', yaml('docker'));
    const r = await runCli(['plan', '--comment'], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CI_MERGE_REQUEST_IID');
    expect(fake.requests.map(describeRequest)).toEqual([]);
  });
});

describe('composeNote', () => {
  it('keeps short plans whole, behind the marker', () => {
    expect(composeNote('hello')).toBe(`${NOTE_MARKER}\nhello`);
  });

  it('cuts long plans below the limit, closes open blocks and points to the job log', () => {
    const md = `## Plan\n<details><summary>x</summary>\n\n\`\`\`diff\n${'+ line\n'.repeat(5000)}\`\`\`\n</details>\n`;
    const note = composeNote(md, { limit: 2000, jobUrl: 'https://gitlab.example.com/job/1' });
    expect(note.length).toBeLessThanOrEqual(2000);
    expect(note).toContain('[job log](https://gitlab.example.com/job/1)');
    expect(note.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
    expect((note.match(/<details>/g) ?? []).length).toBe((note.match(/<\/details>/g) ?? []).length);
  });

  it('closes a longer fence with a run as long as the one that opened it', () => {
    const md = `<details>\n\n\`\`\`\`diff\n+ a \`\`\` b\n${'+ line\n'.repeat(5000)}\`\`\`\`\n</details>\n`;
    const note = composeNote(md, { limit: 2000 });
    expect(note).toMatch(/\n````\n<\/details>\n+\*\*The plan is too long/);
  });
});
