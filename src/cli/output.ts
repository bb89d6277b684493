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
 * work itself has finished; its own exit code wins when it is already an error.
 */
export function reportLostOutput(): void {
  const code = broken.get(process.stdout);
  if (code === undefined) return;
  const why =
    code === 'EPIPE'
      ? 'standard output was closed before runnerform finished (EPIPE)'
      : `cannot write to standard output (${code}${code === 'ENOSPC' ? ': no space left on device' : ''})`;
  process.stderr.write(`Error: ${why}; the rest of the output was dropped, the work went on to the end. Run \`runnerform plan\` to see the result.\n`);
  if (!process.exitCode) process.exitCode = EXIT_ERROR;
}

guardOutput();
