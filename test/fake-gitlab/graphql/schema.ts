// The executable schema: SDL from sdl.ts plus resolvers over FakeState, with
// GitLab's authorization (null for what the caller may not see, the resource
// error for a runners connection it may not list, dropped nodes for runners it
// may not read, null for fields whose `authorize:` check fails).
import { buildSchema, GraphQLError, GraphQLObjectType, GraphQLScalarType, Kind, type GraphQLFieldResolver, type GraphQLSchema, type ValueNode } from 'graphql';
import {
  canAssignRunner,
  canDeleteRunner,
  canListGroupRunners,
  canManageRunner,
  canReadRunner,
  canReadRunnerSensitiveData,
  canSeeGroup,
  canSeeProject,
  isProjectMaintainer,
  projectRole,
} from '../access.js';
import { rawStatus } from '../entities.js';
import type { FakeState, GroupRec, ProjectRec, RunnerRec, UserRec } from '../state.js';
import { connectionOf, type PageArgs, type SortKey } from './connection.js';
import { SDL } from './sdl.js';
import { managerStatus, type ManagerRec } from '../managers.js';

/** app/graphql/types/ci/runner_manager_type.rb (platform_name/architecture_name are `method: :platform`/`:architecture`). */
const MANAGER_RESOLVERS: Record<string, GraphQLFieldResolver<ManagerRec, GqlContext>> = {
  id: (m) => `gid://gitlab/Ci::RunnerManager/${m.id}`,
  systemId: (m) => m.systemId,
  status: (m) => managerStatus(m).toUpperCase(),
  contactedAt: (m) => gqlTime(m.contactedAt),
  createdAt: (m) => gqlTime(m.createdAt),
  platformName: (m) => m.platform,
  architectureName: (m) => m.architecture,
  ipAddress: () => null,
  jobExecutionStatus: (m) => (m.executing ? 'ACTIVE' : 'IDLE'),
};

export interface GqlContext {
  state: FakeState;
  /** null: an anonymous request (no token sent). */
  user: UserRec | null;
}

export const RESOURCE_ERROR =
  "The resource that you are attempting to access does not exist or you don't have permission to perform this action";

const resourceError = () => new GraphQLError(RESOURCE_ERROR);

const UTC_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** GitLab renders Time as ISO 8601 in UTC without fractions. */
export function gqlTime(iso: string | null): string | null {
  if (iso === null) return null;
  // The common case (toISOString's output) without a Date: this runs for every node of a page.
  if (UTC_ISO.test(iso)) return iso.replace(/\.\d+Z$/, 'Z');
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ------------------------------------------------------------------ global ids

const GID = /^gid:\/\/gitlab\/([A-Za-z:]+)\/(\d+)$/;

/** The numeric id of a global id of `model`, or GitLab's error for anything else. */
export function parseGid(value: unknown, model: string): number {
  const m = typeof value === 'string' ? GID.exec(value) : null;
  if (!m) throw new GraphQLError(`${JSON.stringify(value)} is not a valid Global ID`);
  if (m[1] !== model) throw new GraphQLError(`${JSON.stringify(value)} does not represent an instance of ${model}`);
  return Number(m[2]);
}

const gid = (model: string, id: number) => `gid://gitlab/${model}/${id}`;

function gidScalar(type: GraphQLScalarType, model: string): void {
  // buildSchema gives identity scalars; GitLab's global id types check the model.
  Object.assign(type, {
    parseValue: (v: unknown) => parseGid(v, model),
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(`${'value' in ast ? ast.value : ast.kind} is not a valid Global ID`);
      return parseGid(ast.value, model);
    },
    serialize: (v: unknown) => v,
  });
}

// ------------------------------------------------------------------ runner lists

interface RunnerFilters extends PageArgs {
  type?: string | null;
  paused?: boolean | null;
  status?: string | null;
  tagList?: string[] | null;
  search?: string | null;
  sort?: string | null;
}

const upper = (s: string) => s.toUpperCase();

function filterRunners(runners: RunnerRec[], f: RunnerFilters): RunnerRec[] {
  const search = f.search?.toLowerCase() ?? null;
  return runners.filter(
    (r) =>
      (f.type == null || upper(r.runnerType) === f.type) &&
      (f.paused == null || r.paused === f.paused) &&
      (f.status == null || upper(rawStatus(r)) === f.status) &&
      (f.tagList == null || f.tagList.every((t) => r.tagList.includes(t))) &&
      (search === null || r.description.toLowerCase().includes(search) || r.token.startsWith(f.search!)),
  );
}

const byId = <T extends { id: number }>(desc: boolean): SortKey<T> => ({ name: 'id', get: (x) => x.id, desc });

/** GitLab's runner orders; the default is created_at DESC, id DESC. */
function runnerSortKeys(sort: string | null | undefined): SortKey<RunnerRec>[] {
  const created = (desc: boolean): SortKey<RunnerRec> => ({ name: 'created_at', get: (r) => r.createdAt, desc });
  const contacted = (desc: boolean): SortKey<RunnerRec> => ({ name: 'contacted_at', get: (r) => r.contactedAt, desc });
  switch (sort) {
    case 'CREATED_ASC':
      return [created(false), byId(false)];
    case 'CONTACTED_ASC':
      return [contacted(false), byId(false)];
    case 'CONTACTED_DESC':
      return [contacted(true), byId(true)];
    case 'TOKEN_EXPIRES_AT_ASC': // the fake's tokens never expire: id order
      return [byId(false)];
    case 'TOKEN_EXPIRES_AT_DESC':
      return [byId(true)];
    default:
      return [created(true), byId(true)];
  }
}

function runnerConnection(runners: RunnerRec[], args: RunnerFilters, ctx: GqlContext) {
  const user = ctx.user;
  return connectionOf(filterRunners(runners, args), runnerSortKeys(args.sort), args, (r) => user !== null && canReadRunner(ctx.state, user, r));
}

/** Group.runners membership: DIRECT, DESCENDANTS (the default) or ALL_AVAILABLE. */
function groupRunners(state: FakeState, group: GroupRec, membership: string): RunnerRec[] {
  const below = (g: GroupRec) => state.isDescendantOrSelf(g, group);
  const lineage = state.selfAndAncestors(group);
  return [...state.runners.values()].filter((r) => {
    if (r.runnerType === 'group_type') {
      if (membership === 'DIRECT') return r.group === group;
      if (r.group && below(r.group)) return true;
      return membership === 'ALL_AVAILABLE' && r.group !== null && lineage.includes(r.group);
    }
    if (r.runnerType === 'project_type') return membership !== 'DIRECT' && r.projects.some((p) => below(p.namespace));
    return membership === 'ALL_AVAILABLE';
  });
}

/** Project.runners: assigned project runners, ancestor group runners and instance runners the project may use. */
function projectRunners(state: FakeState, project: ProjectRec): RunnerRec[] {
  const lineage = state.selfAndAncestors(project.namespace);
  return [...state.runners.values()].filter((r) => {
    if (r.runnerType === 'project_type') return r.projects.includes(project);
    if (r.runnerType === 'group_type') return project.groupRunnersEnabled && r.group !== null && lineage.includes(r.group);
    return project.sharedRunnersEnabled;
  });
}

// ------------------------------------------------------------------ groups and projects

function visibleGroups(ctx: GqlContext, groups: GroupRec[]): GroupRec[] {
  const user = ctx.user;
  return user ? groups.filter((g) => canSeeGroup(ctx.state, user, g)) : [];
}

function visibleProjects(ctx: GqlContext, projects: ProjectRec[]): ProjectRec[] {
  const user = ctx.user;
  return user ? projects.filter((p) => canSeeProject(ctx.state, user, p)) : [];
}

const matches = (search: string | null | undefined, ...texts: string[]) =>
  !search || texts.some((t) => t.toLowerCase().includes(search.toLowerCase()));

function groupSortKeys(sort: string | null | undefined): SortKey<GroupRec>[] {
  switch (sort) {
    case 'name_desc':
      return [{ name: 'name', get: (g) => g.name, desc: true }, byId(true)];
    case 'path_asc':
      return [{ name: 'path', get: (g) => g.fullPath, desc: false }, byId(false)];
    case 'path_desc':
      return [{ name: 'path', get: (g) => g.fullPath, desc: true }, byId(true)];
    case 'id_asc':
      return [byId(false)];
    case 'id_desc':
      return [byId(true)];
    default: // name_asc
      return [{ name: 'name', get: (g) => g.name, desc: false }, byId(false)];
  }
}

function projectSortKeys(sort: string | null | undefined): SortKey<ProjectRec>[] {
  switch (sort) {
    case 'id_asc':
      return [byId(false)];
    case 'name_asc':
      return [{ name: 'name', get: (p) => p.name, desc: false }, byId(false)];
    case 'name_desc':
      return [{ name: 'name', get: (p) => p.name, desc: true }, byId(true)];
    default: // id_desc
      return [byId(true)];
  }
}

const MAX_FULL_PATHS = 50;

// ------------------------------------------------------------------ resolvers

type Resolvers = Record<string, Record<string, GraphQLFieldResolver<any, GqlContext, any>>>;

const RESOLVERS: Resolvers = {
  Query: {
    // app/graphql/types/metadata_type.rb: `authorize :read_instance_metadata` (any signed-in user).
    metadata: (_root, _args, ctx) => (ctx.user ? { version: ctx.state.gitlabVersion, revision: 'fake', enterprise: true } : null),
    currentUser: (_root, _args, ctx) => ctx.user && { id: gid('User', ctx.user.id), username: ctx.user.username, name: ctx.user.name },
    group: (_root, args: { fullPath: string }, ctx) => {
      const g = ctx.state.groupByPath(args.fullPath);
      return g && visibleGroups(ctx, [g]).length ? g : null;
    },
    project: (_root, args: { fullPath: string }, ctx) => {
      const p = ctx.state.projectByPath(args.fullPath);
      return p && visibleProjects(ctx, [p]).length ? p : null;
    },
    groups: (_root, args: PageArgs & { ids?: string[] | null; search?: string | null; sort?: string | null }, ctx) => {
      let groups = [...ctx.state.groups.values()];
      if (args.ids) {
        const ids = new Set(args.ids.map((id) => parseGid(id, 'Group')));
        groups = groups.filter((g) => ids.has(g.id));
      }
      groups = visibleGroups(ctx, groups).filter((g) => matches(args.search, g.name, g.fullPath));
      return connectionOf(groups, groupSortKeys(args.sort), args);
    },
    projects: (
      _root,
      args: PageArgs & { fullPaths?: string[] | null; ids?: string[] | null; search?: string | null; membership?: boolean | null; sort?: string | null },
      ctx,
    ) => {
      if (args.fullPaths && args.fullPaths.length > MAX_FULL_PATHS) throw new GraphQLError(`You cannot provide more than ${MAX_FULL_PATHS} full_paths`);
      let projects = [...ctx.state.projects.values()];
      if (args.fullPaths) {
        const paths = new Set(args.fullPaths.map((p) => p.toLowerCase()));
        projects = projects.filter((p) => paths.has(p.pathWithNamespace.toLowerCase()));
      }
      if (args.ids) {
        const ids = new Set(args.ids.map((id) => parseGid(id, 'Project')));
        projects = projects.filter((p) => ids.has(p.id));
      }
      projects = visibleProjects(ctx, projects).filter((p) => matches(args.search, p.name, p.pathWithNamespace));
      const user = ctx.user;
      if (args.membership && user) projects = projects.filter((p) => projectRole(ctx.state, user, p) > 0);
      return connectionOf(projects, projectSortKeys(args.sort), args);
    },
    runner: (_root, args: { id: number }, ctx) => {
      const r = ctx.state.runners.get(args.id);
      return r && ctx.user && canReadRunner(ctx.state, ctx.user, r) ? r : null;
    },
    runners: (_root, args: RunnerFilters, ctx) => {
      if (!ctx.user?.admin) throw resourceError();
      return runnerConnection([...ctx.state.runners.values()], args, ctx);
    },
  },
  Group: {
    id: (g: GroupRec) => gid('Group', g.id),
    // ee/app/graphql/ee/types/group_type.rb: allow_stale_runner_pruning? of the namespace settings.
    allowStaleRunnerPruning: (g: GroupRec) => g.allowStaleRunnerPruning,
    fullPath: (g: GroupRec) => g.fullPath,
    fullName: (g: GroupRec, _args, ctx) =>
      ctx.state
        .selfAndAncestors(g)
        .map((a) => a.name)
        .reverse()
        .join(' / '),
    webUrl: (g: GroupRec, _args, ctx) => `${ctx.state.webBase}/groups/${g.fullPath}`,
    parent: (g: GroupRec, _args, ctx) => (g.parent && visibleGroups(ctx, [g.parent]).length ? g.parent : null),
    runners: (g: GroupRec, args: RunnerFilters & { membership: string }, ctx) => {
      if (!ctx.user || !canListGroupRunners(ctx.state, ctx.user, g)) throw resourceError();
      return runnerConnection(groupRunners(ctx.state, g, args.membership), args, ctx);
    },
    descendantGroups: (g: GroupRec, args: PageArgs & { includeParentDescendants: boolean; search?: string | null }, ctx) => {
      const below = [...ctx.state.groups.values()].filter(
        (d) => d !== g && (args.includeParentDescendants ? ctx.state.isDescendantOrSelf(d, g) : d.parent === g),
      );
      return connectionOf(visibleGroups(ctx, below).filter((d) => matches(args.search, d.name, d.fullPath)), groupSortKeys('name_asc'), args);
    },
    projects: (g: GroupRec, args: PageArgs & { includeSubgroups: boolean; search?: string | null }, ctx) => {
      const inside = [...ctx.state.projects.values()].filter((p) =>
        args.includeSubgroups ? ctx.state.isDescendantOrSelf(p.namespace, g) : p.namespace === g,
      );
      return connectionOf(visibleProjects(ctx, inside).filter((p) => matches(args.search, p.name, p.pathWithNamespace)), projectSortKeys(null), args);
    },
  },
  Project: {
    id: (p: ProjectRec) => gid('Project', p.id),
    fullPath: (p: ProjectRec) => p.pathWithNamespace,
    nameWithNamespace: (p: ProjectRec) => p.pathWithNamespace.split('/').join(' / '),
    webUrl: (p: ProjectRec, _args, ctx) => `${ctx.state.webBase}/${p.pathWithNamespace}`,
    group: (p: ProjectRec, _args, ctx) => (visibleGroups(ctx, [p.namespace]).length ? p.namespace : null),
    runners: (p: ProjectRec, args: RunnerFilters, ctx) => {
      if (!ctx.user || !isProjectMaintainer(ctx.state, ctx.user, p)) throw resourceError();
      return runnerConnection(projectRunners(ctx.state, p), args, ctx);
    },
  },
  CiRunnerManager: MANAGER_RESOLVERS,
  CiRunner: {
    id: (r: RunnerRec) => gid('Ci::Runner', r.id),
    accessLevel: (r: RunnerRec) => upper(r.accessLevel),
    runnerType: (r: RunnerRec) => upper(r.runnerType),
    status: (r: RunnerRec) => upper(rawStatus(r)),
    tagList: (r: RunnerRec) => [...r.tagList],
    // authorize :update_runner: null, without an error, for whoever may not update the runner
    maintenanceNote: (r: RunnerRec, _args, ctx) => (ctx.user && canManageRunner(ctx.state, ctx.user, r) ? r.maintenanceNote : null),
    contactedAt: (r: RunnerRec) => gqlTime(r.contactedAt),
    createdAt: (r: RunnerRec) => gqlTime(r.createdAt),
    // `authorize: :read_runner_sensitive_data` (app/graphql/types/ci/runner_type.rb): null for a caller
    // without it, e.g. anyone but an administrator on an instance runner (runner_policy.rb).
    tokenExpiresAt: (r: RunnerRec, _args, ctx) => (ctx.user && canReadRunnerSensitiveData(ctx.state, ctx.user, r) ? gqlTime(r.tokenExpiresAt) : null),
    // runner_type.rb: creation_method (experiment 17.0), the enum's upper-case value.
    creationMethod: (r: RunnerRec) => upper(r.creationMethod),
    ownerProject: (r: RunnerRec, _args, ctx) => {
      const owner = r.runnerType === 'project_type' ? r.projects[0] : undefined;
      return owner && visibleProjects(ctx, [owner]).length ? owner : null;
    },
    groups: (r: RunnerRec, args: PageArgs, ctx) =>
      r.runnerType === 'group_type' && r.group ? connectionOf(visibleGroups(ctx, [r.group]), groupSortKeys('id_asc'), args) : null,
    projects: (r: RunnerRec, args: PageArgs & { search?: string | null; sort: string }, ctx) =>
      r.runnerType === 'project_type'
        ? connectionOf(visibleProjects(ctx, r.projects).filter((p) => matches(args.search, p.name, p.pathWithNamespace)), projectSortKeys(args.sort), args)
        : null,
    projectCount: (r: RunnerRec) => (r.runnerType === 'project_type' ? r.projects.length : null),
    // runner_manager_type.rb `authorize :read_runner_manager`, which RunnerManagerPolicy gives whoever
    // may read the runner (app/policies/ci/runner_manager_policy.rb); the runner is readable here already.
    managers: (r: RunnerRec, args: PageArgs) => connectionOf<ManagerRec>(r.managers, [byId(false)], args),
    userPermissions: (r: RunnerRec, _args, ctx) => {
      const u = ctx.user;
      return {
        readRunner: u !== null && canReadRunner(ctx.state, u, r),
        updateRunner: u !== null && canManageRunner(ctx.state, u, r),
        deleteRunner: u !== null && canDeleteRunner(ctx.state, u, r),
        assignRunner: u !== null && canAssignRunner(ctx.state, u, r),
      };
    },
  },
};

let built: GraphQLSchema | undefined;

/** The schema (built once; resolvers read the request's state and user from the context). */
export function fakeSchema(): GraphQLSchema {
  if (built) return built;
  const schema = buildSchema(SDL);
  for (const [typeName, fields] of Object.entries(RESOLVERS)) {
    const type = schema.getType(typeName);
    if (!(type instanceof GraphQLObjectType)) throw new Error(`no object type ${typeName}`);
    const defs = type.getFields();
    for (const [name, resolve] of Object.entries(fields)) {
      if (!defs[name]) throw new Error(`no field ${typeName}.${name}`);
      defs[name].resolve = resolve;
    }
  }
  gidScalar(schema.getType('CiRunnerID') as GraphQLScalarType, 'Ci::Runner');
  built = schema;
  return schema;
}
