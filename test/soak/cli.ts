// Spawning the built CLI for the soak: asynchronously (the fake GitLab serves from this
// process's event loop), without any GitLab or proxy from the developer's shell, killable.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** A CLI run that takes longer than this is killed and its cycle counted as failed. */
const CLI_TIMEOUT_MS = 180_000;

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Spawned {
  done: Promise<Run>;
  /** false when the process had already exited. */
  kill(signal: NodeJS.Signals): boolean;
  /** Closes the reading end of its stdout (`… | head -1`): its next write fails with EPIPE. False when it had exited. */
  closeStdout(): boolean;
}

/** `prefix`: a command that runs the CLI (given as its last arguments), e.g. full-disk.ts's namespace. */
export function spawnCli(args: string[], cwd: string, prefix: string[] = []): Spawned {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of ['GITLAB_URL', 'GITLAB_TOKEN', 'CI_SERVER_URL', 'HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy']) delete env[k];
  const started = Date.now();
  const argv = [...prefix, process.execPath, CLI, ...args];
  const child = spawn(prefix[0] ?? process.execPath, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    done,
    kill: (signal) => running() && child.kill(signal),
    closeStdout: () => {
      if (!running()) return false;
      child.stdout.destroy();
      return true;
    },
  };
}

export function exitText(run: Run): string {
  return run.signal ? run.signal.replace('SIG', '') : String(run.code);
}

/** The last lines of a CLI's output, for a problem report. */
export function tail(text: string, lines = 6): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
