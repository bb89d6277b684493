// The `-f, --file` option shared by validate, plan and apply.
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
