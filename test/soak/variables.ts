// The CI/CD variables of the fake GitLab, read in process (their values are hidden
// from the API once masked_and_hidden, as in GitLab). Empty until the fake has them.
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { matchRoute } from '../fake-gitlab/routes.js';

/** True when the fake serves the project CI/CD variables API. */
export function hasVariablesApi(_fake: FakeGitLab): boolean {
  const m = matchRoute('GET', '/projects/1/variables');
  return m !== null && 'route' in m;
}

/** Every CI/CD variable value the fake holds. */
export function variableValues(_fake: FakeGitLab): string[] {
  return [];
}
