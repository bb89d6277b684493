// In-memory state of the fake GitLab, built from a Seed. Plain records plus
// lookups; permissions live in access.ts, JSON shapes in entities.ts.
import { randomBytes } from 'node:crypto';
import type { Role, Seed, SeedRunner, SeedToken, SeedUser, TokenScope } from './seed.js';
import { VariableStore } from './variables.js';
import { managerFromSeed, type ManagerRec } from './managers.js';

export type RunnerTypeName = SeedRunner['runner_type'];
export type AccessLevelName = 'not_protected' | 'ref_protected';

export interface UserRec {
  id: number;
  username: string;
  name: string;
  admin: boolean;
  /** Direct roles by group id. */
  groupRoles: Map<number, Role>;
  /** Direct roles by project id. */
  projectRoles: Map<number, Role>;
}

export interface TokenRec {
  token: string;
  user: UserRec;
  scopes: TokenScope[];
  expiresAt: string | null;
  revoked: boolean;
}

export interface GroupRec {
  id: number;
  fullPath: string;
  path: string;
  name: string;
  parent: GroupRec | null;
  createdAt: string;
  /** EE's namespace_settings.allow_stale_runner_pruning (Group.allowStaleRunnerPruning). */
  allowStaleRunnerPruning: boolean;
  /** namespaces.organization_id: the top-level group's (a subgroup is in its parent's organization). */
  organizationId: number;
}

export interface ProjectRec {
  id: number;
  pathWithNamespace: string;
  path: string;
  name: string;
  namespace: GroupRec;
  sharedRunnersEnabled: boolean;
  groupRunnersEnabled: boolean;
  createdAt: string;
}

export interface RunnerRec {
  id: number;
  runnerType: RunnerTypeName;
  /** Owner group (group_type only). */
  group: GroupRec | null;
  /** Assigned projects, owner first (project_type only). */
  projects: ProjectRec[];
  description: string;
  paused: boolean;
  locked: boolean;
  runUntagged: boolean;
  tagList: string[];
  accessLevel: AccessLevelName;
  maximumTimeout: number | null;
  maintenanceNote: string | null;
  contactedAt: string | null;
  statusOverride: SeedRunner['status'] | null;
  createdAt: string;
  /** Authentication token (glrt-…); never logged, never in snapshots. */
  token: string;
  /** When `token` expires (ISO 8601), null: never. */
  tokenExpiresAt: string | null;
  /** Ci::Runner#creation_method: POST /user/runners, or a legacy registration token. */
  creationMethod: 'authenticated_user' | 'registration_token';
  /** Its runner managers (managers.ts), oldest first. */
  managers: ManagerRec[];
  /**
   * Ci::Runner#creation_state (app/models/ci/runner.rb `enum :creation_state, { started: 0, finished: 100 }`):
   * `started` until a host asks for a job (`POST /jobs/request` passes `creation_state: :finished` to
   * `authenticate_runner!`, lib/api/ci/runner.rb). Ci::HasRunnerStatus#status reads `never_contacted`
   * until then, whatever contacted_at says. Seeded runners that contacted GitLab are `finished`.
   */
  creationState: 'started' | 'finished';
}

export interface NoteRec {
  id: number;
  body: string;
  author: UserRec;
  createdAt: string;
  updatedAt: string;
}

export interface MergeRequestRec {
  id: number;
  iid: number;
  project: ProjectRec;
  notes: NoteRec[];
  title: string;
  sourceBranch: string;
  targetBranch: string;
  author: UserRec | null;
  createdAt: string;
}

export class SeedError extends Error {
  constructor(message: string) {
    super(`invalid seed: ${message}`);
    this.name = 'SeedError';
  }
}

const TYPE_PREFIX: Record<RunnerTypeName, string> = { instance_type: 't1_', group_type: 't2_', project_type: 't3_' };

/** A new runner authentication token, shaped like GitLab's (glrt-t2_…). */
export function newRunnerToken(type: RunnerTypeName): string {
  return `glrt-${TYPE_PREFIX[type]}${randomBytes(15).toString('base64url')}`;
}

/** A contact time consistent with a seeded status when the seed gives none. */
function impliedContact(status: SeedRunner['status']): string | null {
  const minutesAgo = status === 'online' ? 1 : status === 'offline' ? 180 : null;
  return minutesAgo === null ? null : new Date(Date.now() - minutesAgo * 60_000).toISOString();
}

/** Ci::Runner#contacted_at follows its managers' heartbeats: the latest of them. */
function latestContact(managers: SeedRunner['managers']): string | null {
  const times = (managers ?? []).map((m) => m.contacted_at).filter((t): t is string => typeof t === 'string');
  return times.length === 0 ? null : times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
}

function titleCase(path: string): string {
  return path
    .split(/[-_.]/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export class FakeState {
  readonly users: UserRec[] = [];
  readonly tokens = new Map<string, TokenRec>();
  readonly groups = new Map<number, GroupRec>();
  readonly projects = new Map<number, ProjectRec>();
  readonly runners = new Map<number, RunnerRec>();
  readonly mergeRequests: MergeRequestRec[] = [];
  /** CI/CD variables of projects and groups (variables.ts). */
  readonly variables = new VariableStore();
  // Lower-cased full path → record: GitLab resolves paths case-insensitively.
  private readonly groupPaths = new Map<string, GroupRec>();
  private readonly projectPaths = new Map<string, ProjectRec>();
  /** Base for web_url fields; set once the server knows its port. */
  webBase = 'http://127.0.0.1';
  private nextGroupId = 10;
  private nextProjectId = 1000;
  private nextRunnerId = 1;
  private nextNoteId = 1;
  private nextMrId = 1;
  private readonly seededAt = new Date().toISOString();
  /** GitLab's version (Query.metadata.version). */
  readonly gitlabVersion: string;

  /** Seconds a new runner token lives (Seed.runner_token_expiration_interval); null: forever. */
  private readonly tokenLifetimeS: number | null;

  constructor(seed: Seed) {
    this.gitlabVersion = seed.gitlab_version ?? '18.6.0';
    this.tokenLifetimeS = seed.runner_token_expiration_interval ?? null;
    this.loadGroups(seed);
    this.loadProjects(seed);
    for (const u of seed.users ?? []) this.loadUser(u);
    for (const t of seed.tokens ?? []) this.loadToken(t);
    for (const r of seed.runners ?? []) this.addRunner(r);
    for (const mr of seed.merge_requests ?? []) {
      const project = this.projectByPath(mr.project);
      if (!project) throw new SeedError(`merge request of unknown project ${mr.project}`);
      const author =
        mr.author === undefined
          ? this.users.find((u) => u.projectRoles.has(project.id) || this.hasGroupRoleAbove(u, project.namespace))
          : this.users.find((u) => u.username === mr.author);
      if (mr.author !== undefined && !author) throw new SeedError(`merge request author ${mr.author} is not a seeded user`);
      this.mergeRequests.push({
        id: this.nextMrId++,
        iid: mr.iid,
        project,
        notes: [],
        title: mr.title ?? `Merge request !${mr.iid}`,
        sourceBranch: mr.source_branch ?? `feature-${mr.iid}`,
        targetBranch: mr.target_branch ?? 'main',
        author: author ?? null,
        createdAt: this.seededAt,
      });
    }
    this.variables.loadSeed(this, seed.variables ?? []);
  }

  // ------------------------------------------------------------ loading

  private loadGroups(seed: Seed): void {
    const list = [...(seed.groups ?? [])].sort((a, b) => a.full_path.split('/').length - b.full_path.split('/').length);
    const taken = new Set(list.map((g) => g.id).filter((id): id is number => id !== undefined));
    for (const g of list) {
      if (this.groupByPath(g.full_path)) throw new SeedError(`group ${g.full_path} listed twice`);
      const slash = g.full_path.lastIndexOf('/');
      let parent: GroupRec | null = null;
      if (slash > 0) {
        parent = this.groupByPath(g.full_path.slice(0, slash)) ?? null;
        if (!parent) throw new SeedError(`group ${g.full_path} has no seeded parent`);
      }
      let id = g.id;
      if (id === undefined) {
        while (taken.has(this.nextGroupId)) this.nextGroupId++;
        id = this.nextGroupId++;
      }
      taken.add(id);
      const path = lastSegment(g.full_path);
      const rec: GroupRec = {
        id,
        fullPath: g.full_path,
        path,
        name: titleCase(path),
        parent,
        createdAt: this.seededAt,
        allowStaleRunnerPruning: g.allow_stale_runner_pruning ?? false,
        organizationId: parent ? parent.organizationId : (g.organization_id ?? 1),
      };
      if (parent && g.organization_id !== undefined && g.organization_id !== parent.organizationId) {
        throw new SeedError(`group ${g.full_path}: a subgroup is in its parent's organization`);
      }
      this.groups.set(id, rec);
      this.groupPaths.set(rec.fullPath.toLowerCase(), rec);
    }
  }

  private loadProjects(seed: Seed): void {
    const taken = new Set((seed.projects ?? []).map((p) => p.id).filter((id): id is number => id !== undefined));
    for (const p of seed.projects ?? []) {
      const slash = p.path_with_namespace.lastIndexOf('/');
      const namespace = slash > 0 ? this.groupByPath(p.path_with_namespace.slice(0, slash)) : undefined;
      if (!namespace) throw new SeedError(`project ${p.path_with_namespace} has no seeded namespace group`);
      if (this.projectByPath(p.path_with_namespace)) throw new SeedError(`project ${p.path_with_namespace} listed twice`);
      let id = p.id;
      if (id === undefined) {
        while (taken.has(this.nextProjectId)) this.nextProjectId++;
        id = this.nextProjectId++;
      }
      taken.add(id);
      const path = lastSegment(p.path_with_namespace);
      const rec: ProjectRec = {
        id,
        pathWithNamespace: p.path_with_namespace,
        path,
        name: titleCase(path),
        namespace,
        sharedRunnersEnabled: p.shared_runners_enabled ?? true,
        groupRunnersEnabled: p.group_runners_enabled ?? true,
        createdAt: this.seededAt,
      };
      this.projects.set(id, rec);
      this.projectPaths.set(rec.pathWithNamespace.toLowerCase(), rec);
    }
  }

  private loadUser(u: SeedUser): void {
    const groupRoles = new Map<number, Role>();
    for (const [path, role] of Object.entries(u.groups ?? {})) {
      const g = this.groupByPath(path);
      if (!g) throw new SeedError(`user ${u.username} has a role on unknown group ${path}`);
      groupRoles.set(g.id, role);
    }
    const projectRoles = new Map<number, Role>();
    for (const [path, role] of Object.entries(u.projects ?? {})) {
      const p = this.projectByPath(path);
      if (!p) throw new SeedError(`user ${u.username} has a role on unknown project ${path}`);
      projectRoles.set(p.id, role);
    }
    this.users.push({ id: u.id, username: u.username, name: titleCase(u.username), admin: u.admin ?? false, groupRoles, projectRoles });
  }

  private loadToken(t: SeedToken): void {
    const user = this.users.find((u) => u.username === t.user);
    if (!user) throw new SeedError(`a token belongs to unknown user ${t.user}`);
    this.tokens.set(t.token, { token: t.token, user, scopes: [...t.scopes], expiresAt: t.expires_at ?? null, revoked: t.revoked ?? false });
  }

  // ------------------------------------------------------------ lookups

  groupByPath(path: string): GroupRec | undefined {
    return this.groupPaths.get(path.toLowerCase());
  }

  projectByPath(path: string): ProjectRec | undefined {
    return this.projectPaths.get(path.toLowerCase());
  }

  /** By numeric id ("42") or full path ("acme/platform"), as GitLab's :id accepts. */
  findGroup(idOrPath: string): GroupRec | undefined {
    return /^\d+$/.test(idOrPath) ? this.groups.get(Number(idOrPath)) : this.groupByPath(idOrPath);
  }

  findProject(idOrPath: string): ProjectRec | undefined {
    return /^\d+$/.test(idOrPath) ? this.projects.get(Number(idOrPath)) : this.projectByPath(idOrPath);
  }

  /** The group itself, then its parent, up to the root. */
  selfAndAncestors(g: GroupRec): GroupRec[] {
    const out: GroupRec[] = [];
    for (let cur: GroupRec | null = g; cur; cur = cur.parent) out.push(cur);
    return out;
  }

  isDescendantOrSelf(g: GroupRec, ancestor: GroupRec): boolean {
    return this.selfAndAncestors(g).includes(ancestor);
  }

  private hasGroupRoleAbove(u: UserRec, g: GroupRec): boolean {
    return this.selfAndAncestors(g).some((a) => u.groupRoles.has(a.id));
  }

  mergeRequest(project: ProjectRec, iid: number): MergeRequestRec | undefined {
    return this.mergeRequests.find((m) => m.project === project && m.iid === iid);
  }

  sortedRunners(): RunnerRec[] {
    return [...this.runners.values()].sort((a, b) => a.id - b.id);
  }

  // ------------------------------------------------------------ mutations

  /** Adds a runner from a seed-style record (seed loading and test drift). Returns its id. */
  addRunner(r: SeedRunner): number {
    let group: GroupRec | null = null;
    let projects: ProjectRec[] = [];
    if (r.runner_type === 'group_type') {
      group = r.group ? this.groupByPath(r.group) ?? null : null;
      if (!group) throw new SeedError(`group runner needs a seeded group (got ${String(r.group)})`);
    } else if (r.runner_type === 'project_type') {
      projects = (r.projects ?? []).map((path) => {
        const p = this.projectByPath(path);
        if (!p) throw new SeedError(`project runner on unknown project ${path}`);
        return p;
      });
      if (projects.length === 0) throw new SeedError('project runner needs at least one project');
    } else if (r.runner_type !== 'instance_type') {
      throw new SeedError(`unknown runner_type ${String(r.runner_type)}`);
    }
    let id = r.id;
    if (id === undefined) {
      while (this.runners.has(this.nextRunnerId)) this.nextRunnerId++;
      id = this.nextRunnerId++;
    } else if (this.runners.has(id)) {
      throw new SeedError(`runner id ${id} used twice`);
    }
    this.runners.set(id, {
      id,
      runnerType: r.runner_type,
      group,
      projects,
      description: r.description ?? '',
      paused: r.paused ?? false,
      locked: r.locked ?? false,
      runUntagged: r.run_untagged ?? true,
      tagList: [...(r.tag_list ?? [])],
      accessLevel: r.access_level ?? 'not_protected',
      maximumTimeout: r.maximum_timeout ?? null,
      maintenanceNote: r.maintenance_note ?? null,
      contactedAt: r.contacted_at ?? latestContact(r.managers) ?? impliedContact(r.status),
      statusOverride: r.status ?? null,
      createdAt: r.created_at ?? new Date().toISOString(),
      token: newRunnerToken(r.runner_type),
      tokenExpiresAt: r.token_expires_at !== undefined ? r.token_expires_at : this.newTokenExpiry(),
      creationMethod: r.creation_method ?? 'authenticated_user',
      managers: (r.managers ?? []).map((m) => managerFromSeed(m, r.created_at ?? new Date().toISOString())),
      creationState: (r.contacted_at ?? latestContact(r.managers) ?? impliedContact(r.status)) ? 'finished' : 'started',
    });
    return id;
  }

  /** The expiry of a token made now: Ci::Runner's `token_expires_at` from the expiration interval setting. */
  newTokenExpiry(): string | null {
    return this.tokenLifetimeS === null ? null : new Date(Date.now() + this.tokenLifetimeS * 1000).toISOString();
  }

  addNote(mr: MergeRequestRec, author: UserRec, body: string): NoteRec {
    const now = new Date().toISOString();
    const note: NoteRec = { id: this.nextNoteId++, body, author, createdAt: now, updatedAt: now };
    mr.notes.push(note);
    return note;
  }

  /** Seed-shaped snapshot of a runner for test assertions (no token). */
  snapshot(r: RunnerRec): SeedRunner & { id: number } {
    return {
      id: r.id,
      runner_type: r.runnerType,
      ...(r.group ? { group: r.group.fullPath } : {}),
      ...(r.runnerType === 'project_type' ? { projects: r.projects.map((p) => p.pathWithNamespace) } : {}),
      description: r.description,
      paused: r.paused,
      locked: r.locked,
      run_untagged: r.runUntagged,
      tag_list: [...r.tagList],
      access_level: r.accessLevel,
      maximum_timeout: r.maximumTimeout,
      maintenance_note: r.maintenanceNote,
      contacted_at: r.contactedAt,
      ...(r.statusOverride ? { status: r.statusOverride } : {}),
    };
  }
}
