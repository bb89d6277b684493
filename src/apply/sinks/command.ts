// token: { command: [...] } — runs the argv without a shell and writes the token,
// followed by a newline, to its standard input. The token is never in argv or the
// environment; the command's stdout is discarded (a `vault kv put` may echo data).
import { spawn } from 'node:child_process';
import type { TokenDestination } from '../../model.js';
import { holdsSecret, looksLikeToken, redact, rememberSecret, REDACTED } from '../../secrets.js';
import { escapeInvisible } from '../../plan/address.js';
import { describeDestination, expandArgv, scopeText } from '../../plan/token-dest.js';
import type { DeliverableToken, TokenSink } from './sink.js';

export const COMMAND_TIMEOUT_MS = 60_000;
const STDERR_TAIL = 2_000;
/**
 * After the command exits, how long its stderr may stay open: a process it left in
 * the background (`agent &`) inherits the pipe, and its exit status is what counts.
 */
const STDERR_GRACE_MS = 1_000;

/** Environment variables that hold GitLab credentials whatever their value looks like. */
const CREDENTIAL_VARS = new Set(['GITLAB_TOKEN', 'CI_JOB_TOKEN', 'RUNNER_TOKENS_GITLAB_TOKEN']);

export interface CommandSinkOptions {
  /** Base environment (default process.env); credentials are removed from it. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Secrets to mask in messages besides the token (e.g. the PAT). */
  secrets?: readonly string[];
}

/**
 * The child's environment: ours without GitLab credentials, plus what names the runner.
 * A credential is dropped by name, by shape, and by value: any variable holding a
 * secret of this run (the PAT under another name, a runner token) stays behind.
 */
export function commandEnv(base: NodeJS.ProcessEnv, t: DeliverableToken, secrets: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || CREDENTIAL_VARS.has(k) || looksLikeToken(v) || holdsSecret(v, [t.token, ...secrets])) continue;
    env[k] = v;
  }
  env.RUNNERFORM_RUNNER_ID = String(t.runner_id);
  env.RUNNERFORM_RUNNER_ADDRESS = t.address;
  env.RUNNERFORM_RUNNER_DESCRIPTION = t.description;
  env.RUNNERFORM_SCOPE = scopeText(t.scope);
  env.RUNNERFORM_TOKEN_EXPIRES_AT = t.tokenExpiresAt ?? '';
  return env;
}

export function commandSink(dest: Extract<TokenDestination, { kind: 'command' }>, opts: CommandSinkOptions = {}): TokenSink {
  const ctx = (t: DeliverableToken) => ({ description: t.description, id: t.runner_id, scope: t.scope });
  const argvOf = (t: DeliverableToken) => expandArgv(dest.argv, ctx(t));
  const shown = (t: DeliverableToken) => redact(describeDestination(dest, ctx(t)), opts.secrets);
  return {
    describe: shown,
    deliver: (t) =>
      new Promise<void>((resolve, reject) => {
        // A token read back from the journal is a secret of this run too.
        rememberSecret(t.token);
        const [file, ...args] = argvOf(t);
        if (file === undefined) return reject(new Error('the command destination has an empty argv: nothing to run'));
        const timeoutMs = opts.timeoutMs ?? COMMAND_TIMEOUT_MS;
        const mask = (text: string) => redact(text, [t.token, ...(opts.secrets ?? [])]);
        // Its own process group: a Ctrl-C meant for runnerform must not kill a delivery in flight.
        const child = spawn(file, args, {
          shell: false,
          detached: true,
          stdio: ['pipe', 'ignore', 'pipe'],
          env: commandEnv(opts.env ?? process.env, t, opts.secrets),
        });
        let stderr = '';
        let cut = false;
        let timedOut = false;
        let settled = false;
        let grace: NodeJS.Timeout | undefined;
        const finish = (err: Error | null) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          clearTimeout(grace);
          if (err) reject(err);
          else resolve();
        };
        const conclude = (code: number | null, signal: NodeJS.Signals | null) => {
          if (code === 0 && !timedOut) return finish(null);
          const kept = cut ? maskCutToken(stderr, t.token) : stderr;
          // Printed by apply and kept in the tokens file: control characters as escapes, like a server's text.
          const tail = escapeInvisible(mask(kept.trim()).slice(-STDERR_TAIL));
          const status = timedOut ? `did not exit within ${Math.round(timeoutMs / 1000)} s (killed)` : code !== null ? `exited with status ${code}` : `was killed by ${signal}`;
          finish(new Error(`the command ${status}${tail ? `; its stderr ends: ${tail}` : ''}`));
        };
        const timer = setTimeout(() => {
          timedOut = true;
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }, timeoutMs);
        child.stderr.on('data', (d: Buffer) => {
          const all = stderr + d.toString('utf8');
          cut ||= all.length > STDERR_TAIL * 2;
          stderr = all.slice(-STDERR_TAIL * 2);
        });
        child.on('error', (err: NodeJS.ErrnoException) => {
          finish(new Error(`the command cannot be run: ${err.code ?? mask(err.message)}`));
        });
        // 'close' waits for stderr too; a background process of the command may hold it open.
        child.on('exit', (code, signal) => {
          grace = setTimeout(() => {
            child.stderr.destroy();
            conclude(code, signal);
          }, STDERR_GRACE_MS);
        });
        child.on('close', conclude);
        // A command that exits without reading its input closes the pipe: that is its exit status's story.
        child.stdin.on('error', () => undefined);
        child.stdin.end(`${t.token}\n`);
      }),
  };
}

/** A tail cut out of a longer stderr may start inside the token, where it no longer looks like one: mask that part. */
export function maskCutToken(text: string, token: string): string {
  for (let k = token.length - 1; k >= 4; k--) {
    if (text.startsWith(token.slice(-k))) return REDACTED + text.slice(k);
  }
  return text;
}
