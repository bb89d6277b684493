// A one-line progress indicator on stderr while GitLab is read. Only on a
// terminal: in CI logs or when redirected it would be noise, so it stays silent.
import type { LiveProgress } from '../gitlab/live.js';

export interface Progress {
  update: (p: LiveProgress) => void;
  /** Clears the line; safe to call more than once. */
  done: () => void;
}

export function progressLine(p: LiveProgress): string {
  return `Reading GitLab: ${p.scopesDone}/${p.scopesTotal} scopes, ${p.runnersDone}/${p.runnersTotal} runners`;
}

const CLEAR_LINE = '\r\x1b[2K';
/** Redraw at most this often: thousands of runners would otherwise flood the terminal. */
const REDRAW_MS = 100;

/** The progress line currently drawn, per stream, so other output can step around it. */
const drawn = new WeakMap<NodeJS.WritableStream, string>();

/**
 * Writes a whole line to `stream` (a --debug line, a notice). A progress line
 * on the same stream is cleared first and redrawn below, so the two never
 * share a line.
 */
export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  const progress = drawn.get(stream);
  stream.write(progress === undefined ? `${line}\n` : `${CLEAR_LINE}${line}\n${progress}`);
}

export function createProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  opts: { enabled?: boolean; now?: () => number } = {},
): Progress {
  const enabled = opts.enabled ?? Boolean(stream.isTTY);
  const now = opts.now ?? Date.now;
  let shown = false;
  let last = Number.NEGATIVE_INFINITY;
  return {
    update: (p) => {
      if (!enabled) return;
      const finished = p.scopesDone === p.scopesTotal && p.runnersDone === p.runnersTotal;
      const t = now();
      if (!finished && t - last < REDRAW_MS) return;
      last = t;
      const line = progressLine(p);
      stream.write(`${CLEAR_LINE}${line}`);
      drawn.set(stream, line);
      shown = true;
    },
    done: () => {
      if (shown) stream.write(CLEAR_LINE);
      drawn.delete(stream);
      shown = false;
    },
  };
}
