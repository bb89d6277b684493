// Where tokens go, through the built CLI: a CI/CD variable (masked and hidden,
// naming its runner) and a command's stdin (a real child process). Tokens never
// appear in argv, the child's environment, stdout, stderr or plan files; a
// failing command fails only its change and the next apply delivers its token.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, freshFakeAndDir, runCli, secretsIn, writeFile, writes } from './harness.js';

const RECORDER = fileURLToPath(new URL('../fixtures/sinks/record-sink.mjs', import.meta.url));
const ADDR = (d: string) => `group["acme/platform"].runner["${d}"]`;

function desired(opts: { failBroken: boolean }): string {
  const cmd = (out: string, ...extra: string[]) => JSON.stringify([process.execPath, RECORDER, out, 'secret/runners/{description}', '{id}', '{scope}', ...extra]);
  return `version: 1
defaults:
  token:
    gitlab_variable:
      project: acme/platform/api
      key: RUNNER_TOKEN_{description}
groups:
  - path: acme/platform
    runners:
      - description: docker-amd64
        tag_list: [docker]
      - description: gpu-a100
        tag_list: [gpu]
        token:
          command: ${cmd('received.jsonl')}
      - description: broken
        tag_list: [x]
        token:
          command: ${cmd('broken.jsonl', ...(opts.failBroken ? ['--fail'] : []))}
`;
}

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
});

const env = () => ({ GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN });
const runner = (d: string) => fake.runners().find((r) => r.description === d && r.group === 'acme/platform')!;
const lines = (file: string) =>
  readFileSync(join(dir, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stdin: string; argv: string[]; env: Record<string, string> });

describe('token destinations', () => {
  it('delivers to a CI/CD variable and to a command; a failing command fails only its change; the next apply delivers it', async () => {
    writeFile(dir, 'runners.yaml', desired({ failBroken: true }));
    const plan = await runCli(['plan', '--out', 'plan.json'], { cwd: dir, env: env() });
    expect(plan.code, plan.stderr).toBe(0);

    const apply = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: env() });
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(apply.stdout).toContain(`${ADDR('docker-amd64')}: Creation complete`);
    expect(apply.stdout).toContain(`${ADDR('gpu-a100')}: Creation complete`);
    expect(apply.stdout).toMatch(/runner\["broken"\]: FAILED: runner \d+ has a new token, but delivering it to command .* exited with status 3; its stderr ends: refused: glrt-\[REDACTED\]/);
    expect(apply.stdout).toContain('The token is kept in tokens.json; the next apply delivers it again.');
    // What happened: three runners were created; one token did not reach its destination.
    expect(apply.stdout).toContain('Apply failed: 3 created, 0 updated, 0 deleted; 1 delivery failed.');

    // The CI/CD variable: masked and hidden, protected, the runner's current token, a description naming it.
    const docker = runner('docker-amd64');
    const v = fake.variable({ project: 'acme/platform/api' }, 'RUNNER_TOKEN_DOCKER_AMD64')!;
    expect(v).toMatchObject({ masked: true, hidden: true, protected: true, environment_scope: '*' });
    expect(v.value).toBe(fake.runnerToken(docker.id));
    expect(v.description).toBe(`runnerform: token of runner #${docker.id} ${ADDR('docker-amd64')}`);

    // The command: the token on stdin, placeholders expanded, nothing secret in argv or env.
    const gpu = runner('gpu-a100');
    const [got] = lines('received.jsonl');
    assert.ok(got, 'the command recorded no delivery');
    expect(got.stdin).toBe(`${fake.runnerToken(gpu.id)}\n`);
    expect(got.argv.slice(3)).toEqual(['secret/runners/gpu-a100', String(gpu.id), 'acme/platform']);
    expect(got.env).toMatchObject({ RUNNERFORM_RUNNER_ID: String(gpu.id), RUNNERFORM_RUNNER_ADDRESS: ADDR('gpu-a100'), RUNNERFORM_SCOPE: 'acme/platform' });
    expect(secretsIn(JSON.stringify([got.argv, got.env]))).toEqual([]);
    for (const out of [apply.stdout, apply.stderr, plan.stdout, plan.stderr, readFileSync(join(dir, 'plan.json'), 'utf8')]) {
      expect(secretsIn(out)).toEqual([]);
    }

    // The broken destination got the token, refused it; the journal keeps it, undelivered.
    const broken = runner('broken');
    const journal = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number; token: string; delivered: boolean }[];
    expect(journal.find((e) => e.id === broken.id)).toMatchObject({ token: fake.runnerToken(broken.id), delivered: false });
    expect(journal.filter((e) => e.id !== broken.id).every((e) => e.delivered)).toBe(true);

    // Fixed destination: the next apply delivers the stored token, resets nothing, creates nothing.
    writeFile(dir, 'runners.yaml', desired({ failBroken: false }));
    const tokenBefore = fake.runnerToken(broken.id);
    fake.resetStats();
    const again = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: env() });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain(`${ADDR('broken')}: stored token delivered to command`);
    expect(again.stdout).toContain('Apply complete: 0 created, 0 updated, 0 deleted, 1 stored token delivered.');
    expect(again.stdout).not.toContain('Modifying');
    expect(fake.runnerToken(broken.id)).toBe(tokenBefore);
    expect(writes(fake)).toEqual([]); // no create, no reset, no variable write: only the command ran again
    const deliveries = lines('broken.jsonl');
    expect(deliveries.at(-1)!.stdin).toBe(`${tokenBefore}\n`);
    expect(secretsIn(again.stdout + again.stderr)).toEqual([]);
  }, 60_000);

  it('needs no --tokens-out when every new token has a destination, and asks for it otherwise', async () => {
    writeFile(dir, 'runners.yaml', desired({ failBroken: false }));
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env() });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(existsSync(join(dir, 'tokens.json'))).toBe(false);
    expect(fake.variable({ project: 'acme/platform/api' }, 'RUNNER_TOKEN_DOCKER_AMD64')!.value).toBe(fake.runnerToken(runner('docker-amd64').id));

    writeFile(dir, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: bare\n');
    const bare = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env() });
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('no `token:` destination (group["acme/platform"].runner["bare"])');
    expect(bare.stderr).toContain('Nothing was changed.');
  }, 60_000);

  it('a saved plan carries the destinations: apply PLANFILE delivers where the file said', async () => {
    writeFile(dir, 'runners.yaml', desired({ failBroken: false }));
    const plan = await runCli(['plan', '--out', 'plan.json'], { cwd: dir, env: env() });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('# token → CI/CD variable RUNNER_TOKEN_DOCKER_AMD64 of acme/platform/api');
    const apply = await runCli(['apply', 'plan.json'], { cwd: dir, env: env() });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(fake.variable({ project: 'acme/platform/api' }, 'RUNNER_TOKEN_DOCKER_AMD64')!.value).toBe(fake.runnerToken(runner('docker-amd64').id));
    expect(lines('received.jsonl')[0]?.stdin).toBe(`${fake.runnerToken(runner('gpu-a100').id)}\n`);
    expect(secretsIn(apply.stdout + apply.stderr + readFileSync(join(dir, 'plan.json'), 'utf8'))).toEqual([]);
  }, 60_000);
});
