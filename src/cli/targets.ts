// `--target ADDRESS`, shared by plan and apply: the same addresses limit both.
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { collect } from './repeatable.js';

export function addTargetOption(cmd: Command): Command {
  return cmd.option('--target <address>', 'limit the plan to this runner or scope address (repeatable)', collect);
}

/**
 * What `apply ARG` means: a saved plan (returned), or desired state given by
 * position (moved to the -f list, undefined returned). A saved plan is applied
 * exactly as planned, so it keeps the targets it was planned with.
 */
export function savedPlanArgument(arg: string | undefined, opts: object, isDesiredState: (path: string) => boolean): string | undefined {
  if (arg === undefined) return undefined;
  const o = opts as { file?: string[]; target?: string[] };
  if (isDesiredState(arg)) {
    o.file = [...(o.file ?? []), arg];
    return undefined;
  }
  if (o.target && o.target.length > 0) {
    throw new UserError(`a saved plan keeps the targets it was planned with: run \`runnerform plan --target … -o ${arg}\` instead of passing --target to apply. Nothing was changed.`);
  }
  return arg;
}
