// The `token:` destination the desired state declares for a runner GitLab has
// (by its resolved scope and description). Pure: rotate uses it for the runners
// it resets, apply to deliver a stored token to the destination as it is declared now.
import { scopeEquals, type DesiredState, type LiveState, type Scope, type TokenDestination } from '../model.js';
import { refMatches } from './engine.js';

/** Whether the scope owns the runner; undefined when that scope was not read (nothing is known). */
export function ownsRunner(live: LiveState, scope: Scope, runner_id: number): boolean | undefined {
  const liveScope = live.scopes.find((l) => scopeEquals(l.scope, scope));
  return liveScope ? liveScope.owned.some((r) => r.id === runner_id) : undefined;
}

/** The destination, null when the runner is declared without one, undefined when it is not declared. */
export function declaredDestination(desired: DesiredState, live: LiveState, scope: Scope, description: string): TokenDestination | null | undefined {
  const liveScope = live.scopes.find((l) => scopeEquals(l.scope, scope));
  const declared = liveScope && desired.scopes.find((d) => refMatches(d.ref, liveScope.ref));
  const runner = declared?.runners.find((r) => r.description === description);
  return runner ? runner.token : undefined;
}
