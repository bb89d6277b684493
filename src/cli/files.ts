// The `-f, --file` option shared by validate, plan and apply.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { collect } from './repeatable.js';

export const DEFAULT_FILE = 'runners.yaml';


/** Adds a repeatable `-f, --file <path>` (file or directory of *.yaml); see filesFrom. */
export function addFileOption(cmd: Command): Command {
  // No commander default: it would be kept alongside the user's own -f values.
  return cmd.option(
    '-f, --file <path>',
    `desired-state file or directory of *.yaml/*.yml files; repeatable (default: ${DEFAULT_FILE})`,
    collect,
  );
}

/** The files given with -f, or `runners.yaml` when there were none. */
export function filesFrom(opts: object): string[] {
  const file = (opts as { file?: unknown }).file;
  const files = Array.isArray(file) ? file.filter((f): f is string => typeof f === 'string') : [];
  return files.length > 0 ? files : [DEFAULT_FILE];
}

/**
 * Adds `[files...]`: `runnerform validate runners.yaml` means `-f runners.yaml`,
 * as most tools read a file named after the command. See takePositionalFiles.
 */
export function addFileArguments(cmd: Command): Command {
  return cmd.argument('[files...]', 'desired-state files or directories, the same as -f');
}

/** Adds positional files to the -f list (after the -f ones, in the order given). */
export function takePositionalFiles(positional: string[] | undefined, opts: object): void {
  if (!positional || positional.length === 0) return;
  const o = opts as { file?: string[] };
  o.file = [...(o.file ?? []), ...positional];
}

/**
 * `apply X`: X is a saved plan unless it is clearly desired state (a .yaml or
 * .yml file, or a directory), which is then read as with -f. Plans are JSON,
 * so the two cannot be confused by name; anything else is tried as a plan,
 * whose reader explains what a plan file is.
 */
export function isDesiredStatePath(path: string): boolean {
  if (/\.ya?ml$/i.test(path)) return true;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
