// When output is coloured, as the ecosystem agreed: --color wins, then
// FORCE_COLOR (Node's and chalk's convention), then NO_COLOR
// (https://no-color.org), then TERM=dumb; otherwise only on a terminal.

export const COLOR_MODES = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];

/** True when output to `stream` gets ANSI colours under `mode` and `env`. */
export function colorEnabled(mode: ColorMode, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (mode !== 'auto') return mode === 'always';
  const force = env.FORCE_COLOR;
  // As Node's own tty.getColorDepth: '', 1, 2, 3 and true force colour; 0 and false forbid it.
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

let chosen: ColorMode = 'auto';

/** Set once from the command line (`--color`, `--no-color`) before a command runs. */
export function setColorMode(mode: ColorMode): void {
  chosen = mode;
}

/** The colour decision for `stream` under the mode the command line chose. */
export function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return colorEnabled(chosen, stream, env);
}
