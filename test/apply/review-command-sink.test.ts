// Adversarial review of the command destination (issue 8): real child processes.
import { describe, expect, it } from 'vitest';
import { commandSink } from '../../src/apply/sinks/command.js';

// Shaped like GitLab's: glrt-t2_ and 20 characters.
const TOKEN = 'glrt-t2_Abcdefghij0123456789';
const SECRET_PART = TOKEN.slice('glrt-t2_'.length);
const token = {
  runner_id: 42,
  address: 'group["acme/platform"].runner["a"]',
  description: 'a',
  scope: { type: 'group' as const, id: 11, path: 'acme/platform' },
  token: TOKEN,
  tokenExpiresAt: null,
};
const env = { PATH: process.env.PATH };

describe('review: command destination', () => {
  it('never shows part of the token when its stderr tail is cut inside one (a command that echoes its input)', async () => {
    // Writes its stdin back to stderr 300 times without separators, then fails: the kept tail
    // starts in the middle of a token, which no longer looks like one.
    const script = 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{process.stderr.write(s.trim().repeat(300));process.exit(1)})';
    const sink = commandSink({ kind: 'command', argv: [process.execPath, '-e', script] }, { env });
    const err = (await sink.deliver(token).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/exited with status 1/);
    expect(err.message).not.toContain(SECRET_PART.slice(-12));
  }, 30_000);

  it('counts a command that exited 0 as delivered even when a process it started keeps its stderr open', async () => {
    // `sh -c 'agent & exit 0'`: the shell exits 0 at once; the background process holds the stderr pipe.
    const sink = commandSink({ kind: 'command', argv: ['sh', '-c', 'cat >/dev/null; sleep 20 & exit 0'] }, { env, timeoutMs: 5_000 });
    await expect(sink.deliver(token)).resolves.toBeUndefined();
  }, 30_000);
});
