// The CI/CD variables of the fake GitLab, read in process (their values are hidden
// from the API once masked_and_hidden, as in GitLab).
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { matchRoute } from '../fake-gitlab/routes.js';
import { VARIABLE_PROJECT } from './seed.js';

/** True when the fake serves the project CI/CD variables API. */
export function hasVariablesApi(): boolean {
  const m = matchRoute('GET', '/projects/1/variables');
  return m !== null && 'route' in m;
}

/** Every CI/CD variable value of the project the soak's gitlab_variable destinations write to. */
export function variableValues(fake: FakeGitLab): string[] {
  if (!hasVariablesApi()) return [];
  return fake.variables({ project: VARIABLE_PROJECT }).map((v) => v.value);
}

export function variableValue(fake: FakeGitLab, project: string, key: string): string | undefined {
  if (!hasVariablesApi()) return undefined;
  return fake.variable({ project }, key)?.value;
}

export function variableKeyHolding(fake: FakeGitLab, token: string): string | undefined {
  if (!hasVariablesApi()) return undefined;
  return fake.variables({ project: VARIABLE_PROJECT }).find((v) => v.value === token)?.key;
}
