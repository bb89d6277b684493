// The command destination with real child processes: the token goes to stdin and
// nowhere else; a failure carries the exit status and the redacted stderr tail.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { commandSink } from '../../src/apply/sinks/command.js';
import { tempDir } from '../e2e/harness.js';

const RECORDER = fileURLToPath(new URL('../fixtures/sinks/record-sink.mjs', import.meta.url));
const TOKEN = 'glrt-t1_commandsinktoken0000000';
const PAT = 'glpat-parent-process-token-000000';
const token = {
  runner_id: 42,
  address: 'group["acme/platform"].runner["gpu a100"]',
  description: 'gpu a100',
  scope: { type: 'group' as const, id: 11, path: 'acme/platform' },
  token: TOKEN,
  tokenExpiresAt: '2027-01-01T00:00:00.000Z',
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function outFile(): string {
  const d = tempDir();
  dirs.push(d);
  return join(d, 'received.jsonl');
}
const received = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stdin: string; argv: string[]; env: Record<string, string> });

describe('command sink', () => {
  it('writes the token and a newline to stdin, expands placeholders, and keeps credentials out of argv and env', async () => {
    const out = outFile();
    const sink = commandSink(
      { kind: 'command', argv: [process.execPath, RECORDER, out, 'secret/runners/{description}', 'id={id}', '{scope}'] },
      { env: { PATH: process.env.PATH, GITLAB_TOKEN: PAT, OTHER_SECRET: `x ${PAT}`, VAULT_ADDR: 'http://127.0.0.1:8200' } },
    );
    await sink.deliver(token);
    const [got] = received(out);
    assert.ok(got, 'the command recorded no delivery');
    expect(got.stdin).toBe(`${TOKEN}\n`);
    expect(got.argv.slice(3)).toEqual(['secret/runners/gpu a100', 'id=42', 'acme/platform']);
    expect(got.env).toMatchObject({
      VAULT_ADDR: 'http://127.0.0.1:8200',
      RUNNERFORM_RUNNER_ID: '42',
      RUNNERFORM_RUNNER_ADDRESS: token.address,
      RUNNERFORM_RUNNER_DESCRIPTION: 'gpu a100',
      RUNNERFORM_SCOPE: 'acme/platform',
      RUNNERFORM_TOKEN_EXPIRES_AT: '2027-01-01T00:00:00.000Z',
    });
    expect(got.env.GITLAB_TOKEN).toBeUndefined();
    expect(got.env.OTHER_SECRET).toBeUndefined();
    const outside = JSON.stringify({ argv: got.argv, env: got.env });
    expect(outside).not.toContain(TOKEN);
    expect(outside).not.toContain(PAT);
    expect(sink.describe(token)).toContain('"secret/runners/gpu a100"');
  });

  it('fails with the exit status and the stderr tail, token redacted', async () => {
    const out = outFile();
    const sink = commandSink({ kind: 'command', argv: [process.execPath, RECORDER, out] }, { env: { PATH: process.env.PATH, RECORD_SINK_EXIT: '3' } });
    const err = (await sink.deliver(token).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/exited with status 3; its stderr ends: refused: glrt-\[REDACTED\] is not welcome here/);
    expect(err.message).not.toContain(TOKEN);
  });

  it('kills a command that does not exit in time', async () => {
    const out = outFile();
    const sink = commandSink(
      { kind: 'command', argv: [process.execPath, RECORDER, out] },
      { env: { PATH: process.env.PATH, RECORD_SINK_SLEEP_MS: '30000' }, timeoutMs: 500 },
    );
    await expect(sink.deliver(token)).rejects.toThrow(/did not exit within 1 s \(killed\)/);
  });

  it('says when the command cannot be run', async () => {
    const sink = commandSink({ kind: 'command', argv: ['/nonexistent/runnerform-sink'] });
    await expect(sink.deliver(token)).rejects.toThrow(/the command cannot be run: ENOENT/);
  });
});
