// The one GraphQL query runnerform sends, and how its answer is read.
// REST's GET /runners/:id lists only the projects the token may see (and in no
// promised order), so it cannot name a project runner's owner; GraphQL's
// CiRunner.ownerProject can, and is null when the token may not read it.

/** A project runner's owning project, as GraphQL names it. */
export interface OwnerProject {
  id: number;
  fullPath: string;
  /** What the same answer says about the runner: GitLab's project count and what the token may do (absent when not asked). */
  runner?: { projectCount: number | null; permissions: { update: boolean; delete: boolean } | null };
}

/** POST /api/graphql body `{query, variables: {id}}`; the fake GitLab recognises exactly this shape. */
export const RUNNER_OWNER_QUERY =
  'query RunnerOwnerProject($id: CiRunnerID!) { runner(id: $id) { id ownerProject { id fullPath } } }';

/** The same, with what the REST reader cannot know otherwise: GitLab's project count and the token's permissions. */
export const RUNNER_OWNER_FACTS_QUERY =
  'query RunnerOwnerProject($id: CiRunnerID!) { runner(id: $id) { id ownerProject { id fullPath } projectCount userPermissions { updateRunner deleteRunner } } }';

/** GitLab's global id of a runner, e.g. gid://gitlab/Ci::Runner/42. */
export function runnerGid(id: number): string {
  return `gid://gitlab/Ci::Runner/${id}`;
}

/** The numeric id of a global id of `model` (e.g. "Project"), or null when it is not one. */
export function idFromGid(gid: unknown, model: string): number | null {
  if (typeof gid !== 'string') return null;
  const prefix = `gid://gitlab/${model}/`;
  if (!gid.startsWith(prefix)) return null;
  const rest = gid.slice(prefix.length);
  return /^[1-9]\d*$/.test(rest) ? Number(rest) : null;
}

/** The `errors[].message` of a GraphQL answer (empty when it has none). */
export function graphQLErrorMessages(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((e) =>
    typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : JSON.stringify(e),
  );
}

/** Thrown when an answer without errors does not have the shape the query asked for. */
export class UnexpectedAnswerError extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'UnexpectedAnswerError';
  }
}

/**
 * Reads `data.runner.ownerProject` of an answer without errors. A null runner
 * (unknown, or hidden from the token) and a null ownerProject (not a project
 * runner, or an owner the token may not read) both mean "no owner we can see".
 */
export function ownerProjectFrom(body: unknown): OwnerProject | null {
  const data = (body as { data?: unknown } | null)?.data;
  if (typeof data !== 'object' || data === null || !('runner' in data)) throw new UnexpectedAnswerError('the answer has no data.runner');
  const runner = data.runner;
  if (runner === null) return null;
  if (typeof runner !== 'object' || !('ownerProject' in runner)) throw new UnexpectedAnswerError('data.runner has no ownerProject');
  const owner = runner.ownerProject;
  if (owner === null) return null;
  const o = owner as { id?: unknown; fullPath?: unknown };
  const id = idFromGid(o.id, 'Project');
  if (id === null || typeof o.fullPath !== 'string') throw new UnexpectedAnswerError('ownerProject has no project id and fullPath');
  const r = runner as { projectCount?: unknown; userPermissions?: { updateRunner?: unknown; deleteRunner?: unknown } | null };
  if (!('projectCount' in r) && !('userPermissions' in r)) return { id, fullPath: o.fullPath };
  const p = r.userPermissions;
  return {
    id,
    fullPath: o.fullPath,
    runner: {
      projectCount: typeof r.projectCount === 'number' ? r.projectCount : null,
      permissions: p && typeof p.updateRunner === 'boolean' && typeof p.deleteRunner === 'boolean' ? { update: p.updateRunner, delete: p.deleteRunner } : null,
    },
  };
}

/**
 * GitLab's GraphQL timeout (503 "Request timed out. Please try a less complex
 * query…"): asking again for the same is pointless, asking for less works. Any
 * other 503 (a proxy, maintenance) is an outage, retried like REST's.
 */
export function isGraphQLTimeout(status: number | undefined, body: unknown): boolean {
  if (status !== 503) return false;
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return false;
    }
  }
  return graphQLErrorMessages(parsed).some((m) => m.startsWith('Request timed out'));
}
