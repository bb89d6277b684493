// The shared front half of plan and apply: desired state → live state → plan.
// Nothing is sent to GitLab before the desired state is valid.
import type { GitLabApi } from '../gitlab/api.js';
import { readLiveState } from '../gitlab/live.js';
import { loadDesiredState, formatProblem } from '../config/index.js';
import { computePlan } from '../plan/engine.js';
import type { DesiredState, LiveState, Plan, ScopeRef } from '../model.js';
import { UserError } from '../errors.js';
import { colorFor } from './color.js';
import { createProgress } from './progress.js';

/** Loads and checks the desired state; invalid input is a UserError listing every problem. */
export function loadValidDesiredState(files: string[]): DesiredState {
  const { state, problems } = loadDesiredState(files);
  if (!state || problems.length > 0) {
    const lines = problems.map(formatProblem);
    const n = problems.length;
    throw new UserError(`${lines.join('\n')}\n${n} problem${n === 1 ? '' : 's'} found; nothing was sent to GitLab.`);
  }
  return state;
}

/** Reads the live runners of the given scopes, with a progress line on a TTY. */
export async function readLive(api: GitLabApi, refs: ScopeRef[]): Promise<LiveState> {
  const progress = createProgress(process.stderr);
  try {
    return await readLiveState(api, refs, { onProgress: progress.update });
  } finally {
    progress.done();
  }
}

export async function makePlan(api: GitLabApi, desired: DesiredState, targets: string[]): Promise<Plan> {
  const live = await readLive(api, desired.scopes.map((s) => s.ref));
  return computePlan(desired, live, { targets, now: new Date() });
}

/** How plan output names the desired state: "runners.yaml", or the files joined. */
export function sourceLabel(files: string[]): string {
  return files.join(', ');
}

/** Colour as --color, FORCE_COLOR, NO_COLOR, TERM and the terminal decide (see color.ts). */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return colorFor(stream, env);
}
