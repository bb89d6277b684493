// The one domain model shared by config, gitlab, plan, apply and render.
// Plain data only: nothing here does I/O or renders itself.

/** Where a value came from in a desired-state file (1-based line and column). */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

// ---------------------------------------------------------------- scopes

export type ScopeType = 'group' | 'project' | 'instance';

/** GitLab's runner_type for each scope type. */
export const RUNNER_TYPE = {
  group: 'group_type',
  project: 'project_type',
  instance: 'instance_type',
} as const;
export type RunnerType = (typeof RUNNER_TYPE)[ScopeType];

/** A scope as the user wrote it: by full path or by numeric id (never both). */
export type ScopeRef =
  | { type: 'group' | 'project'; path: string; id?: undefined }
  | { type: 'group' | 'project'; id: number; path?: undefined }
  | { type: 'instance'; path?: undefined; id?: undefined };

/** A scope resolved against GitLab: numeric id and full path (both null for instance). */
export interface Scope {
  type: ScopeType;
  id: number | null;
  path: string | null;
}

// ---------------------------------------------------------------- attributes

export const ACCESS_LEVELS = ['not_protected', 'ref_protected'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** The attributes runnerform manages, in display order. Names are GitLab's. */
export const ATTRIBUTE_NAMES = [
  'paused',
  'locked',
  'run_untagged',
  'tag_list',
  'access_level',
  'maximum_timeout',
  'maintenance_note',
] as const;
export type AttrName = (typeof ATTRIBUTE_NAMES)[number];

/**
 * Runner attributes. In desired state an absent key means "not managed";
 * in live state every key is present (null where GitLab has no value).
 */
export interface RunnerAttrs {
  paused?: boolean;
  locked?: boolean;
  run_untagged?: boolean;
  tag_list?: string[];
  access_level?: AccessLevel;
  maximum_timeout?: number | null;
  maintenance_note?: string | null;
}

export type LiveAttrs = Required<RunnerAttrs>;

/** What GitLab gives a runner created without attributes (POST /user/runners defaults). */
export const GITLAB_DEFAULT_ATTRS: Readonly<LiveAttrs> = Object.freeze({
  paused: false,
  locked: false,
  run_untagged: true,
  tag_list: [],
  access_level: 'not_protected',
  maximum_timeout: null,
  maintenance_note: null,
});

// ---------------------------------------------------------------- desired state

export interface DesiredRunner {
  description: string;
  /** Effective attributes after `defaults` were applied; absent = not managed. */
  attrs: RunnerAttrs;
  source: SourcePos;
}

export interface DesiredScope {
  ref: ScopeRef;
  prune: boolean;
  runners: DesiredRunner[];
  source: SourcePos;
}

export interface DesiredState {
  /** The files that were merged, in load order. */
  files: string[];
  scopes: DesiredScope[];
}

// ---------------------------------------------------------------- live state

export const RUNNER_STATUSES = ['online', 'offline', 'stale', 'never_contacted', 'paused'] as const;
export type RunnerStatus = (typeof RUNNER_STATUSES)[number];

/**
 * How a listed runner relates to the scope it was listed in. Only `owned`
 * runners are candidates for the plan engine; the others are merely visible.
 */
export type Ownership = 'owned' | 'inherited' | 'borrowed' | 'instance';

export interface LiveRunner {
  id: number;
  description: string;
  runner_type: RunnerType;
  attrs: LiveAttrs;
  status: RunnerStatus;
  contacted_at: string | null;
  ownership: Ownership;
  /**
   * True when GitLab refused this runner's details (an ancestor group's runner
   * the token cannot read): only description, paused and status are real, the
   * other attrs are GitLab's defaults. Such a runner is never owned.
   */
  partial?: true;
}

export interface LiveScope {
  /** The ref as declared, so the plan engine can pair it with its DesiredScope. */
  ref: ScopeRef;
  scope: Scope;
  /** Runners owned by this scope, sorted by id. */
  owned: LiveRunner[];
  /** Runners the scope sees but does not own (never planned against). */
  visible: LiveRunner[];
}

export interface LiveState {
  gitlabUrl: string;
  scopes: LiveScope[];
}

// ---------------------------------------------------------------- plan

export const ACTIONS = ['create', 'update', 'delete', 'no-op'] as const;
export type Action = (typeof ACTIONS)[number];

export interface Change {
  /** e.g. group["acme/platform"].runner["docker-amd64"]; see plan/address.ts */
  address: string;
  action: Action;
  scope: Scope;
  description: string;
  /** null for create */
  runner_id: number | null;
  /** Live attributes; null for create. */
  before: RunnerAttrs | null;
  /** Attributes after the change; null for delete. For create, only the managed ones. */
  after: RunnerAttrs | null;
  /** Attributes that differ (update), or that are set (create), in ATTRIBUTE_NAMES order. */
  changed: AttrName[];
  /** Live status of an existing runner (null for create). */
  status: RunnerStatus | null;
  contacted_at: string | null;
}

/** An owned live runner the file does not declare, kept because its scope has prune: false. */
export interface UnmanagedRunner {
  address: string;
  scope: Scope;
  description: string;
  runner_id: number;
  status: RunnerStatus;
  contacted_at: string | null;
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  no_op: number;
  unmanaged: number;
}

export interface Plan {
  format_version: 1;
  gitlab_url: string;
  /** Every scope the plan covers (empty ones too), in plan order. */
  scopes: Scope[];
  /** Fingerprint of the owned live runners of `scopes` the plan was computed from. */
  fingerprint: string;
  /** --target addresses the plan was limited to (empty: everything). */
  targets: string[];
  /** Deletions first, then by scope, then by description. */
  changes: Change[];
  unmanaged: UnmanagedRunner[];
  summary: PlanSummary;
}

/** True when applying the plan would change anything. */
export function hasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.action !== 'no-op');
}
