// `runnerform tokens prune`: the tokens file holds runner tokens in plaintext; prune drops
// those already delivered to their destination and keeps what recovery needs (tokens not
// yet delivered, intents, and, unless --include-file-only, tokens the file is the only home of).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, freshFakeAndDir, runCli, secretsIn, writeFile, writes } from './harness.js';

const RECORDER = fileURLToPath(new URL('../fixtures/sinks/record-sink.mjs', import.meta.url));
const command = (...extra: string[]) => JSON.stringify([process.execPath, RECORDER, 'received.jsonl', ...extra]);
const DESIRED = `version: 1
groups:
  - path: acme/platform
    runners:
      - description: delivered-1
        token:
          command: ${command()}
      - description: delivered-2
        token:
          command: ${command()}
      - description: refused
        token:
          command: ${command('--fail')}
      - description: file-only
`;

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
  writeFile(d, 'runners.yaml', DESIRED);
});

const cli = (args: string[]) => runCli(args, { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
type Entry = { id: number | null; token?: string; description: string; delivered?: boolean };
const entries = () => JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as Entry[];
const idOf = (description: string) => fake.runners().find((r) => r.description === description)!.id;

describe('runnerform tokens prune', () => {
  it('drops delivered tokens, keeps the undelivered one and the file-only one; the next plan is unchanged', async () => {
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code).toBe(1); // the refused destination
    expect(entries()).toHaveLength(4);
    const planBefore = await cli(['plan', '--tokens-out', 'tokens.json']);

    const r = await cli(['tokens', 'prune', '--tokens-out', 'tokens.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Dropped 2 delivered tokens from tokens.json.');
    expect(r.stdout).toContain(`runner ${idOf('delivered-1')} (group["acme/platform"].runner["delivered-1"])`);
    expect(r.stdout).toContain('Kept 2 entries: 1 token(s) not yet delivered, 0 open intent(s), 1 token(s) whose only destination is this file.');
    expect(secretsIn(r.stdout + r.stderr)).toEqual([]);
    expect(entries().map((e) => e.description).sort()).toEqual(['file-only', 'refused']);
    expect(entries().find((e) => e.description === 'refused')).toMatchObject({ id: idOf('refused'), token: fake.runnerToken(idOf('refused')), delivered: false });
    expect(entries().find((e) => e.description === 'file-only')?.token).toBe(fake.runnerToken(idOf('file-only')));
    // Nothing recovery needs was dropped: the plan says what it said before pruning.
    const planAfter = await cli(['plan', '--tokens-out', 'tokens.json']);
    expect(planAfter.code).toBe(planBefore.code);
    expect(planAfter.stdout).toBe(planBefore.stdout);
    expect(planAfter.stderr).toBe(planBefore.stderr);
    expect(writes(fake).length).toBe(4); // the four creates only

    const all = await cli(['tokens', 'prune', '--tokens-out', 'tokens.json', '--include-file-only']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('Dropped 1 delivered token from tokens.json.');
    expect(entries().map((e) => e.description)).toEqual(['refused']);
  }, 120_000);

  it('keeps a token whose delivery failed once its runner is declared without a destination: the file became its only home', async () => {
    const withDest = `version: 1
groups:
  - path: acme/platform
    runners:
      - description: refused
        token:
          command: ${command('--fail')}
      - description: other
`;
    writeFile(dir, 'runners.yaml', withDest);
    const first = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(first.code).toBe(1); // the refused destination: the file holds the only copy
    // The user drops the runner's token: (the file is its home now); an unrelated change is applied.
    writeFile(dir, 'runners.yaml', withDest.replace(/ {8}token:\n {10}command: .*\n/, '').replace('- description: other', '- description: other\n        tag_list: [z]'));
    const second = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(second.code, second.stderr).toBe(0);
    const entry = entries().find((e) => e.description === 'refused') as Entry & { destination?: unknown };
    expect(entry).toMatchObject({ token: fake.runnerToken(idOf('refused')), delivered: true, destination: null });

    const pruned = await cli(['tokens', 'prune', '--tokens-out', 'tokens.json']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(entries().find((e) => e.description === 'refused')?.token).toBe(fake.runnerToken(idOf('refused')));
  }, 120_000);

  it('refuses while an apply holds the tokens file, on a path that is not a regular file, and where there is no tokens file', async () => {
    writeFile(dir, 'tokens.json.lock', JSON.stringify({ pid: process.pid, start: null, nonce: 'this-test' }) + '\n');
    writeFile(dir, 'tokens.json', '[]\n');
    const held = await cli(['tokens', 'prune', '--tokens-out', 'tokens.json']);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain(`another runnerform (pid ${process.pid}) is using the tokens file`);
    const odd = await cli(['tokens', 'prune', '--tokens-out', dir]);
    expect(odd.code).toBe(1);
    expect(odd.stderr).toContain(`--tokens-out ${dir} is a directory, not a regular file`);
    expect(odd.stderr).toContain('Nothing was pruned.');
    const none = await cli(['tokens', 'prune', '--tokens-out', 'absent.json']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('there is no tokens file at absent.json. Nothing was pruned.');
    expect(existsSync(join(dir, 'absent.json'))).toBe(false);
  }, 60_000);
});
