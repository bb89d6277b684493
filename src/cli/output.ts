// Standard output and error can go away while runnerform works: `apply … | head -1`
// (EPIPE), a closed terminal after SIGHUP (EIO), `> /dev/full` (ENOSPC). A failed
// write ends that stream's output, never the work in flight: without a handler
// Node throws the stream's 'error' as an uncaught exception and the process dies
// between a create and its delivery.
import { EXIT_ERROR } from './exit-codes.js';

type Stream = NodeJS.WriteStream;

/** The error code each broken stream failed with, in the order they broke. */
const broken = new Map<Stream, string>();

const NAMES = new Map<Stream, string>();

/** The signal that stopped the command's work early (no new change started), or null: it went on to the end. */
let stoppedBy: string | null = null;

/**
 * An apply says it is stopping (a first SIGINT/SIGTERM/SIGHUP: changes in flight finish, no new one
 * starts), or, with null, that nothing was left unstarted after all: reportLostOutput then says which.
 */
export function workStopping(signal: string | null): void {
  stoppedBy = signal;
}

/**
 * Installs the handlers on process.stdout and process.stderr (done when this module is
 * first imported: main.ts imports it first). When the command has nothing left to do,
 * reportLostOutput says what was lost.
 */
export function guardOutput(): void {
  if (NAMES.size > 0) return;
  NAMES.set(process.stdout, 'standard output');
  NAMES.set(process.stderr, 'standard error');
  for (const stream of NAMES.keys()) stream.on('error', (err: NodeJS.ErrnoException) => breakStream(stream, err));
  process.once('beforeExit', reportLostOutput);
}

function breakStream(stream: Stream, err: NodeJS.ErrnoException): void {
  if (broken.has(stream)) return;
  broken.set(stream, err.code ?? err.message);
  // Every later write is dropped (and its callback still called), so no caller waits or throws.
  stream.write = ((_chunk: unknown, enc?: unknown, cb?: unknown) => {
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  });
}

/** Whether `stream` failed a write (its later output is dropped). */
export function outputLost(stream: Stream): boolean {
  return broken.has(stream);
}

/** A write to fd 2 that cannot throw: for the last words of a process about to exit. */
export function lastWords(text: string, write: (text: string) => void): void {
  if (broken.has(process.stderr)) return;
  try {
    write(text);
  } catch {
    // stderr is gone too: nothing left to tell.
  }
}

/**
 * At the end of a command: says once, on one line, which output was lost, and makes
 * the exit code non-zero (a reader of the cut output did not see the summary). The
 * work itself has finished, or stopped early after a signal (workStopping), and the
 * line says which; its own exit code wins when it is already an error.
 */
export function reportLostOutput(): void {
  const code = broken.get(process.stdout);
  if (code === undefined) return;
  const why =
    code === 'EPIPE'
      ? 'standard output was closed before runnerform finished (EPIPE)'
      : `cannot write to standard output (${code}${code === 'ENOSPC' ? ': no space left on device' : ''})`;
  const work =
    stoppedBy === null
      ? ', the work went on to the end. Run `runnerform plan` to see the result.'
      : `. The apply was stopping after ${stoppedBy}: the changes in flight finished, no new change started. Run \`runnerform plan\` to see what is left.`;
  process.stderr.write(`Error: ${why}; the rest of the output was dropped${work}\n`);
  if (!process.exitCode) process.exitCode = EXIT_ERROR;
}

guardOutput();
