// What a plan of `also_in:` (and a prune of a runner enabled in several
// projects) needs beyond the runners themselves, read after either reader:
// - the projects each such runner is enabled in that the token can see
//   (GraphQL `CiRunner.projects`, or REST `GET /runners/:id` `projects`,
//   which GitLab includes by default: `include_projects`, lib/api/ci/runners.rb);
//   GitLab's projectCount, read by both readers already, says how many it cannot see;
// - each project `also_in:` names, resolved (all unknown ones reported at once);
// - whether the token's user is an administrator (GitLab's enable/disable rules
//   exempt them), and in which of those projects it may manage runners.
// Nothing is asked when no runner declares `also_in:` and no prune meets a runner in several projects.
import { alsoInKey, type DesiredState, type EnablementFacts, type LiveRunner, type LiveState, type ProjectLink } from '../model.js';
import { UserError } from '../errors.js';
import type { GitLabApi } from './api.js';
import type { RawGraphQL } from './graphql-call.js';
import { isGitLabError } from './errors.js';
import { graphQLErrorMessages, idFromGid, runnerGid } from './graphql.js';

const RUNNER_PROJECTS_QUERY =
  'query RunnerProjects($id: CiRunnerID!, $after: String) { runner(id: $id) { projects(first: 100, after: $after) { nodes { id fullPath } pageInfo { hasNextPage endCursor } } } }';

export interface EnablementReadOptions {
  /** Read the runners' projects through GraphQL (the GraphQL reader) rather than REST details. */
  graphql?: RawGraphQL;
}

/** The live state with `enablement` facts and the projects of the runners that need them; unchanged when nothing needs them. */
export async function readEnablementFacts(api: GitLabApi, desired: DesiredState, live: LiveState, opts: EnablementReadOptions = {}): Promise<LiveState> {
  const wanted = runnersNeedingProjects(desired, live);
  const refs = desired.scopes.flatMap((s) => s.runners.flatMap((r) => r.also_in ?? []));
  if (wanted.size === 0 && !desired.scopes.some((s) => s.runners.some((r) => r.also_in !== undefined))) return live;

  const projects = await resolveProjects(api, refs);
  const runnerProjects = new Map<number, ProjectLink[]>();
  await Promise.all(
    [...wanted].map(async (runner) => {
      // A runner in one project is in its owner project only: nothing to ask.
      runnerProjects.set(runner.id, runner.project_count === 1 ? [] : await projectsOf(api, runner.id, opts.graphql));
    }),
  );
  const admin = (await api.currentUser()).is_admin === true;
  const ids = new Set<number>([...Object.values(projects).map((p) => p.id), ...[...runnerProjects.values()].flat().map((p) => p.id)]);
  const maintains = admin || !api.mayManageProjectRunners ? [] : await maintained(api, [...ids]);
  const owners = await borrowedOwners(api, desired, live);
  const enablement: EnablementFacts = { admin, projects, maintains, owners };

  const scopes = live.scopes.map((s) => ({
    ...s,
    owned: s.owned.map((r) => {
      if (!wanted.has(r)) return r;
      const own = s.scope.id !== null && s.scope.path !== null ? [{ id: s.scope.id, path: s.scope.path }] : [];
      const list = r.project_count === 1 ? own : runnerProjects.get(r.id)!;
      return { ...r, projects: sortByPath(list) };
    }),
  }));
  return { ...live, scopes, enablement };
}

/** The live state with the projects of every owned project runner enabled in several projects (for export). */
export async function withRunnerProjects(api: GitLabApi, live: LiveState, opts: EnablementReadOptions = {}): Promise<LiveState> {
  const many = (s: LiveState['scopes'][number], r: LiveRunner) => s.scope.type === 'project' && r.runner_type === 'project_type' && (r.project_count ?? 0) > 1;
  const scopes = await Promise.all(
    live.scopes.map(async (s) => ({
      ...s,
      owned: await Promise.all(s.owned.map(async (r) => (many(s, r) ? { ...r, projects: sortByPath(await projectsOf(api, r.id, opts.graphql)) } : r))),
    })),
  );
  return { ...live, scopes };
}

function sortByPath(list: ProjectLink[]): ProjectLink[] {
  return [...list].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.id - b.id));
}

// `live` is what readLive read for `desired.scopes.map((s) => s.ref)`: its scopes are in the same order.

/** Owned project runners of project scopes that declare `also_in:` somewhere, or that prune. */
function runnersNeedingProjects(desired: DesiredState, live: LiveState): Set<LiveRunner> {
  const out = new Set<LiveRunner>();
  live.scopes.forEach((s, i) => {
    const d = desired.scopes[i];
    if (s.scope.type !== 'project' || !d) return;
    const declares = d.runners.some((r) => r.also_in !== undefined);
    for (const r of s.owned) {
      if (r.runner_type !== 'project_type') continue;
      if (declares || (d.prune && (r.project_count ?? 0) > 1)) out.add(r);
    }
  });
  return out;
}

/** Resolves every distinct `also_in` project; all the unknown ones are reported together, with where they are written. */
async function resolveProjects(api: GitLabApi, refs: { ref: string | number; source: { file: string; line: number; column: number } }[]): Promise<Record<string, ProjectLink>> {
  type Ref = (typeof refs)[number];
  const distinct = new Map<string, [Ref, ...Ref[]]>();
  for (const r of refs) {
    const same = distinct.get(alsoInKey(r.ref));
    if (same) same.push(r);
    else distinct.set(alsoInKey(r.ref), [r]);
  }
  const out: Record<string, ProjectLink> = {};
  const unknown: { at: [string, number, number]; text: string }[] = [];
  await Promise.all(
    [...distinct].map(async ([key, uses]) => {
      try {
        const p = await api.getProject(uses[0].ref);
        out[key] = { id: p.id, path: p.path_with_namespace };
      } catch (err) {
        if (!(isGitLabError(err) && err.kind === 'not_found')) throw err;
        for (const u of uses) {
          const { file, line, column } = u.source;
          unknown.push({ at: [file, line, column], text: `${file}:${line}:${column}: also_in names project ${JSON.stringify(String(u.ref))}, which does not exist or this token cannot see` });
        }
      }
    }),
  );
  if (unknown.length > 0) {
    // In file order, whatever order GitLab answered in.
    unknown.sort((a, b) => (a.at[0] < b.at[0] ? -1 : a.at[0] > b.at[0] ? 1 : a.at[1] - b.at[1] || a.at[2] - b.at[2]));
    throw new UserError(`${unknown.map((u) => u.text).join('\n')}\n${unknown.length} unknown project${unknown.length === 1 ? '' : 's'} in also_in; nothing was sent to GitLab.`);
  }
  // A stable key order, whatever order the answers came in.
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The owner of each runner a project scope borrows under a description declared there with `also_in:`. */
async function borrowedOwners(api: GitLabApi, desired: DesiredState, live: LiveState): Promise<Record<string, string | null>> {
  const ids = new Set<number>();
  live.scopes.forEach((s, i) => {
    const names = new Set((desired.scopes[i]?.runners ?? []).filter((r) => r.also_in !== undefined).map((r) => r.description));
    if (s.scope.type !== 'project' || names.size === 0 || s.owned.some((o) => names.has(o.description))) return;
    for (const v of s.visible) if (v.ownership === 'borrowed' && v.runner_type === 'project_type' && names.has(v.description)) ids.add(v.id);
  });
  const entries = await Promise.all([...ids].sort((a, b) => a - b).map(async (id) => [String(id), (await api.runnerOwnerProject(id))?.fullPath ?? null] as const));
  return Object.fromEntries(entries);
}

async function maintained(api: GitLabApi, ids: number[]): Promise<number[]> {
  const answers = await Promise.all(ids.map(async (id) => ((await api.mayManageProjectRunners!(id)) ? id : null)));
  return answers.filter((id): id is number => id !== null).sort((a, b) => a - b);
}

/** The projects a runner is enabled in that the token can see. */
async function projectsOf(api: GitLabApi, runner_id: number, graphql: RawGraphQL | undefined): Promise<ProjectLink[]> {
  if (graphql) return projectsByGraphQL(graphql, runner_id);
  const detail = await api.getRunner(runner_id);
  return (detail.projects ?? []).map((p) => ({ id: p.id, path: p.path_with_namespace ?? String(p.id) }));
}

async function projectsByGraphQL(graphql: RawGraphQL, runner_id: number): Promise<ProjectLink[]> {
  const out: ProjectLink[] = [];
  let after: string | null = null;
  const context = { subject: `runner #${runner_id}`, action: `read the projects runner #${runner_id} is enabled in` };
  for (let page = 0; page < 100; page++) {
    const answer = await graphql(RUNNER_PROJECTS_QUERY, { id: runnerGid(runner_id), after }, context);
    const messages = graphQLErrorMessages(answer.body);
    if (messages.length > 0) throw new Error(`GitLab's GraphQL API refused to list the projects of runner #${runner_id}: ${messages.join('; ')}`);
    type Answer = { data?: { runner?: { projects?: { nodes: ({ id: string; fullPath: string } | null)[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null } | null } };
    const conn = (answer.body as Answer).data?.runner?.projects;
    if (!conn) return out;
    for (const n of conn.nodes) {
      const id = n ? idFromGid(n.id, 'Project') : null;
      if (n && id !== null) out.push({ id, path: n.fullPath });
    }
    if (!conn.pageInfo.hasNextPage) return out;
    after = conn.pageInfo.endCursor;
  }
  throw new Error(`runner #${runner_id} lists more than 10,000 projects`);
}
