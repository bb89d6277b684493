// token: { command: [...] } — runs the argv without a shell and writes the token,
// followed by a newline, to its standard input. The token is never in argv or the
// environment; the command's stdout is discarded (a `vault kv put` may echo data).
import { spawn } from 'node:child_process';
import type { TokenDestination } from '../../model.js';
import { looksLikeToken, redact } from '../../secrets.js';
import { describeDestination, expandArgv, scopeText } from '../../plan/token-dest.js';
import type { DeliverableToken, TokenSink } from './sink.js';

export const COMMAND_TIMEOUT_MS = 60_000;
const STDERR_TAIL = 2_000;

/** Environment variables that hold GitLab credentials whatever their value looks like. */
const CREDENTIAL_VARS = new Set(['GITLAB_TOKEN', 'CI_JOB_TOKEN', 'RUNNER_TOKENS_GITLAB_TOKEN']);

export interface CommandSinkOptions {
  /** Base environment (default process.env); credentials are removed from it. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Secrets to mask in messages besides the token (e.g. the PAT). */
  secrets?: readonly string[];
}

/** The child's environment: ours without GitLab credentials, plus what names the runner. */
export function commandEnv(base: NodeJS.ProcessEnv, t: DeliverableToken): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || CREDENTIAL_VARS.has(k) || looksLikeToken(v) || v.includes(t.token)) continue;
    env[k] = v;
  }
  env.RUNNERFORM_RUNNER_ID = String(t.runnerId);
  env.RUNNERFORM_RUNNER_ADDRESS = t.address;
  env.RUNNERFORM_RUNNER_DESCRIPTION = t.description;
  env.RUNNERFORM_SCOPE = scopeText(t.scope);
  env.RUNNERFORM_TOKEN_EXPIRES_AT = t.tokenExpiresAt ?? '';
  return env;
}

export function commandSink(dest: Extract<TokenDestination, { kind: 'command' }>, opts: CommandSinkOptions = {}): TokenSink {
  const ctx = (t: DeliverableToken) => ({ description: t.description, id: t.runnerId, scope: t.scope });
  const argvOf = (t: DeliverableToken) => expandArgv(dest.argv, ctx(t));
  const shown = (t: DeliverableToken) => redact(describeDestination(dest, ctx(t)), opts.secrets);
  return {
    describe: shown,
    deliver: (t) =>
      new Promise<void>((resolve, reject) => {
        const [file, ...args] = argvOf(t);
        const timeoutMs = opts.timeoutMs ?? COMMAND_TIMEOUT_MS;
        const mask = (text: string) => redact(text, [t.token, ...(opts.secrets ?? [])]);
        // Its own process group: a Ctrl-C meant for runnerform must not kill a delivery in flight.
        const child = spawn(file, args, {
          shell: false,
          detached: true,
          stdio: ['pipe', 'ignore', 'pipe'],
          env: commandEnv(opts.env ?? process.env, t),
        });
        let stderr = '';
        let timedOut = false;
        let settled = false;
        const finish = (err: Error | null) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        };
        const timer = setTimeout(() => {
          timedOut = true;
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }, timeoutMs);
        child.stderr!.on('data', (d: Buffer) => {
          stderr = (stderr + d.toString('utf8')).slice(-STDERR_TAIL * 2);
        });
        child.on('error', (err: NodeJS.ErrnoException) => {
          finish(new Error(`the command cannot be run: ${err.code ?? mask(err.message)}`));
        });
        child.on('close', (code, signal) => {
          if (code === 0 && !timedOut) return finish(null);
          const tail = mask(stderr.trim()).slice(-STDERR_TAIL);
          const status = timedOut ? `did not exit within ${Math.round(timeoutMs / 1000)} s (killed)` : code !== null ? `exited with status ${code}` : `was killed by ${signal}`;
          finish(new Error(`the command ${status}${tail ? `; its stderr ends: ${tail}` : ''}`));
        });
        // A command that exits without reading its input closes the pipe: that is its exit status's story.
        child.stdin!.on('error', () => undefined);
        child.stdin!.end(`${t.token}\n`);
      }),
  };
}
