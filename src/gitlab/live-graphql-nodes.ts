// One GraphQL runner node → the LiveRunner the REST reader would build from the
// runner's details: status as REST says it, ownership by REST's rules with
// GraphQL's answers, and the fields GitLab hid from this token marked unknown.
import { GITLAB_DEFAULT_ATTRS, RUNNER_TYPE, type HiddenField, type LiveRunner, type Ownership, type RunnerStatus, type RunnerType, type ScopeType } from '../model.js';
import { idFromGid } from './graphql.js';
import { isoTime } from './live-time.js';

export interface RunnerNode {
  id: string;
  description: string | null;
  paused: boolean;
  locked: boolean | null;
  runUntagged: boolean;
  tagList: string[] | null;
  accessLevel: string;
  maximumTimeout: number | null;
  maintenanceNote: string | null;
  /** Non-null in GitLab's schema, yet seen null: then the scope's `type:` filter says what it is. */
  runnerType: string | null;
  status: string;
  contactedAt: string | null;
  createdAt: string | null;
  tokenExpiresAt: string | null;
  userPermissions: { updateRunner: boolean; deleteRunner: boolean } | null;
  ownerProject?: { id: string } | null;
  projectCount?: number | null;
}

export interface Connection {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: (RunnerNode | null)[];
}

/** A connection from an answer value; null when GitLab answered none (an error says why). */
export function asConnection(value: unknown): Connection | null {
  if (value === null || value === undefined) return null;
  const c = value as Connection;
  if (!c.pageInfo || !Array.isArray(c.nodes)) throw new Error('GitLab\'s GraphQL API answered a runners connection without pageInfo and nodes');
  return c;
}

/** REST's deprecated `status`: a paused runner that has contacted GitLab reads `paused`. */
function restStatus(node: RunnerNode): RunnerStatus {
  const s = node.status.toLowerCase() as RunnerStatus;
  if (s === 'stale' || s === 'never_contacted') return s;
  return node.paused ? 'paused' : s;
}

/** A node's runner type; a null one is the type the scope's list was filtered by. */
function typeOfNode(node: RunnerNode, listedIn: ScopeType): RunnerType {
  return typeof node.runnerType === 'string' ? (node.runnerType.toLowerCase() as RunnerType) : RUNNER_TYPE[listedIn];
}

/**
 * The REST reader's ownership rules, with GraphQL's answers: a group's DIRECT
 * group runners are its own; a project owns what ownerProject names it.
 */
export function ownershipOfNode(listedIn: ScopeType, scopeId: number | null | undefined, node: RunnerNode): Ownership {
  const type = typeOfNode(node, listedIn);
  if (listedIn === 'instance') return type === 'instance_type' ? 'owned' : 'instance';
  if (listedIn === 'group') return type === 'group_type' ? 'owned' : type === 'instance_type' ? 'instance' : 'borrowed';
  if (type !== 'project_type') return type === 'instance_type' ? 'instance' : 'inherited';
  return idFromGid(node.ownerProject?.id, 'Project') === scopeId ? 'owned' : 'borrowed';
}

/** The LiveRunner of a node listed in a scope of kind `listedIn`, as the REST reader would build it from the runner's details. */
export function toLiveRunnerFromNode(node: RunnerNode, ownership: Ownership, listedIn: ScopeType): LiveRunner {
  const id = idFromGid(node.id, 'Ci::Runner');
  if (id === null) throw new Error(`GitLab's GraphQL API answered a runner id "${node.id}" that is not a runner's global id`);
  const runner: LiveRunner = {
    id,
    description: node.description ?? '',
    runner_type: typeOfNode(node, listedIn),
    attrs: {
      paused: node.paused,
      locked: node.locked ?? GITLAB_DEFAULT_ATTRS.locked,
      run_untagged: node.runUntagged,
      tag_list: [...(node.tagList ?? [])],
      access_level: node.accessLevel.toLowerCase() as LiveRunner['attrs']['access_level'],
      maximum_timeout: node.maximumTimeout ?? null,
      maintenance_note: node.maintenanceNote ?? null,
    },
    status: restStatus(node),
    contacted_at: isoTime(node.contactedAt),
    ownership,
    created_at: isoTime(node.createdAt),
    token_expires_at: isoTime(node.tokenExpiresAt),
  };
  if (ownership === 'owned' && node.userPermissions) {
    runner.permissions = { update: node.userPermissions.updateRunner, delete: node.userPermissions.deleteRunner };
    if (runner.runner_type === 'project_type' && typeof node.projectCount === 'number') runner.project_count = node.projectCount;
  }
  const hidden = ownership === 'owned' ? hiddenFields(node, runner.runner_type) : [];
  if (hidden.length > 0) runner.hidden = hidden;
  return runner;
}

/**
 * The fields GitLab hid from this token, which are unknown rather than null:
 * maintenanceNote (`authorize: :update_runner`) and tokenExpiresAt
 * (`authorize: :read_runner_sensitive_data`, which runner_policy.rb denies on
 * instance runners to whoever cannot administer them): app/graphql/types/ci/runner_type.rb.
 */
export function hiddenFields(node: RunnerNode, type: RunnerType): HiddenField[] {
  const mayUpdate = node.userPermissions?.updateRunner;
  const out: HiddenField[] = [];
  if (node.maintenanceNote === null && mayUpdate === false) out.push('maintenance_note');
  if (node.tokenExpiresAt === null && type === 'instance_type' && mayUpdate === false) out.push('token_expires_at');
  return out;
}
