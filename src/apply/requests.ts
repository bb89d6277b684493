// Turns planned changes into GitLab REST request bodies (POST /user/runners, PUT /runners/:id). Pure; apply sends them.
import type { CreateRunnerBody, UpdateRunnerBody } from '../gitlab/api.js';
import { RUNNER_TYPE, type AttrName, type Change, type RunnerAttrs } from '../model.js';

/** Body of POST /user/runners for a `create` change: scope, description and the declared attributes. */
export function createBody(change: Change): CreateRunnerBody {
  if (change.action !== 'create' || !change.after) {
    throw new Error(`internal error: createBody needs a create change, got ${change.action} for ${change.address}`);
  }
  const { scope } = change;
  const body: CreateRunnerBody = { runner_type: RUNNER_TYPE[scope.type], description: change.description };
  if (scope.type !== 'instance') {
    if (scope.id === null) throw new Error(`internal error: ${change.address} has no resolved ${scope.type} id`);
    if (scope.type === 'group') body.group_id = scope.id;
    else body.project_id = scope.id;
  }
  for (const name of change.changed) {
    const value = change.after[name];
    // null is GitLab's default for both; leaving them out says the same thing.
    if ((name === 'maintenance_note' || name === 'maximum_timeout') && (value === null || value === undefined)) continue;
    setAttr(body, name, change.after, 'create');
  }
  return body;
}

/** Body of PUT /runners/:id for an `update` change: only the changed, managed attributes (and the new description of a rename). */
export function updateBody(change: Change): UpdateRunnerBody {
  // A token reset carries the attribute drift that apply updates before resetting.
  if ((change.action !== 'update' && change.action !== 'token-reset') || !change.after) {
    throw new Error(`internal error: updateBody needs an update or token-reset change, got ${change.action} for ${change.address}`);
  }
  const body: UpdateRunnerBody = {};
  // GitLab changes a description in place: same id, same token.
  if ((change.renamed_from ?? null) !== null) body.description = change.description;
  for (const name of change.changed) {
    const value = change.after[name];
    if (name === 'maximum_timeout' && !value) {
      // GitLab rejects 0 ("needs to be at least 10 minutes") and the REST API has no way to clear it.
      throw new Error(`${change.address}: maximum_timeout cannot be removed through the GitLab API; set a value of at least 600`);
    }
    if (name === 'maintenance_note' && value === null) {
      body.maintenance_note = ''; // null ≡ "": an empty note clears it
      continue;
    }
    setAttr(body, name, change.after, 'update');
  }
  return body;
}

function setAttr(body: UpdateRunnerBody, name: AttrName, after: RunnerAttrs, action: string): void {
  const value = after[name];
  if (value === undefined) throw new Error(`internal error: ${action} lists ${name} as changed but sets no value`);
  if (name === 'tag_list') body.tag_list = [...(value as string[])];
  else if (name === 'maximum_timeout' && typeof value === 'number' && value <= 0) return; // never send 0
  else (body as Record<string, unknown>)[name] = value;
}
