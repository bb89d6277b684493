// Attributes GitLab would not show this token (a maintenance note without
// update_runner, when no other API showed it either) are unknown, not empty:
// the plan leaves them alone instead of calling them drift.
import type { LiveRunner, RunnerAttrs } from '../model.js';

/** The desired attributes minus those the live runner's reader could not see. */
export function comparableAttrs(wanted: RunnerAttrs, live: LiveRunner): RunnerAttrs {
  if (!live.hidden || live.hidden.length === 0) return wanted;
  const out: Record<string, unknown> = { ...wanted };
  for (const name of live.hidden) delete out[name];
  return out as RunnerAttrs;
}
