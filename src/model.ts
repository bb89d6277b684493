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

/** Whether two resolved scopes are the same GitLab scope (by type and id; paths can be spelt in several cases). */
export function scopeEquals(a: Scope, b: Scope): boolean {
  return a.type === b.type && (a.type === 'instance' || a.id === b.id);
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
  /** Where this runner's token goes (its own `token:` or the file's `defaults.token`); null: only --tokens-out. */
  token: TokenDestination | null;
  /** Earlier descriptions (`renamed_from:`), newest first as written; [] when none. */
  renamed_from: string[];
  /** Its health rules (`health:` of the file, its scope and itself merged); absent: built before health rules. */
  health?: HealthSettings;
  /**
   * Projects besides its owner project a project runner is enabled in (`also_in:`), as written
   * (full path or id); absent: not managed (plan/project-enablement.ts).
   */
  also_in?: { ref: string | number; source: SourcePos }[];
}

// ---------------------------------------------------------------- token destinations

/**
 * Where a runner's token is delivered. Templates are kept as written: `{description}`
 * is known at plan time, `{id}` only once GitLab created the runner (plan/token-dest.ts expands them).
 */
export type TokenDestination =
  | {
      kind: 'gitlab_variable';
      /** The project or group that holds the CI/CD variable. */
      owner: { type: 'group' | 'project'; path: string };
      /** As written, e.g. RUNNER_TOKEN_{description}; expanded: {description} upper-cased, [^A-Z0-9] → _. */
      key: string;
      protected: boolean;
      environment_scope: string;
    }
  | {
      kind: 'command';
      /** argv as written; {description}, {id} and {scope} are replaced in each element as plain text. */
      argv: string[];
    };

export interface DesiredScope {
  ref: ScopeRef;
  prune: boolean;
  /** The scope's health rules (file-wide merged with its own); absent: built before health rules. */
  health?: HealthSettings;
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
  /** When GitLab created the runner (ISO 8601); null when GitLab does not say. */
  created_at: string | null;
  /** When the runner's authentication token expires (ISO 8601); null: never, or not said. */
  token_expires_at: string | null;
  /**
   * What GitLab will let this token do to the runner (GraphQL userPermissions, or derived
   * from REST details); absent when the reader cannot tell. Never part of the fingerprint.
   */
  permissions?: { update: boolean; delete: boolean };
  /** Number of projects a project runner is enabled in (GitLab refuses a non-admin delete when > 1); absent when unknown. */
  project_count?: number;
  /** What `runnerform health` reads besides the record (absent: not asked for). */
  health?: RunnerHealthFacts;
  /**
   * The projects a project runner is enabled in that the token can see (its owner included), sorted by
   * path; absent when not read (gitlab/enabled-projects.ts reads them only when a plan needs them).
   */
  projects?: ProjectLink[];
  /**
   * Fields GitLab hid from this token: the maintenance note from a caller who may not update the runner
   * (REST and GraphQL), the token expiry without read_runner_sensitive_data (GraphQL) or always (REST
   * never shows it). Unknown, not null: their
   * value here is null, the plan never compares them and says once that they are hidden.
   */
  hidden?: HiddenField[];
}

/** A field GitLab may hide from a token (see LiveRunner.hidden). */
export type HiddenField = AttrName | 'token_expires_at';

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
  /** What a plan of `also_in:` and of multi-project deletes needs to know (gitlab/enabled-projects.ts); absent: not read. */
  enablement?: EnablementFacts;
  /**
   * 'rest': read through GitLab's REST API (`--api rest`, or the fallback), which never shows a runner's
   * token expiry: every owned runner has `token_expires_at` hidden. Absent: read through GraphQL.
   */
  api?: 'rest';
}

/** A project as GitLab resolved it. */
export interface ProjectLink {
  id: number;
  path: string;
}

/** How `also_in` entries and EnablementFacts.projects are keyed: an id as written, a path lower-cased (GitLab's routes ignore case). */
export function alsoInKey(ref: string | number): string {
  return typeof ref === 'number' ? String(ref) : ref.toLowerCase();
}

export interface EnablementFacts {
  /** The token's user is an administrator (GitLab's enable/disable rules exempt them). */
  admin: boolean;
  /** Each project `also_in:` names, keyed by the ref as written (`String(ref)`, paths lower-cased). */
  projects: Record<string, ProjectLink>;
  /** Ids of the projects where the token may manage runners (Maintainer role: GET /projects/:id/runners answers). */
  maintains: number[];
  /**
   * The owner project's path of each runner a declared scope only borrows under a description that declares
   * `also_in:` (GraphQL ownerProject), keyed by runner id; null: an owner the token cannot see.
   */
  owners: Record<string, string | null>;
}

// ---------------------------------------------------------------- health

/** The `health:` rules in effect for a scope or runner (durations in milliseconds). */
export interface HealthSettings {
  /** Minor versions a runner manager may trail GitLab by (GitLab's upgrade rule: 2). */
  max_minor_skew: number;
  stale_after_ms: number;
  never_contacted_after_ms: number;
  offline_managers_after_ms: number;
  /** apply renews a token expiring within this window; null: no renewal (health still warns within 7 days). */
  token_renew_before_ms: number | null;
}

export const MANAGER_STATUSES = ['online', 'offline', 'stale', 'never_contacted'] as const;
export type ManagerStatus = (typeof MANAGER_STATUSES)[number];

/**
 * The system_id runnerform sends with POST /runners/verify. A verify GitLab accepts is a heartbeat: it
 * finds or creates the runner manager of that system_id (`<legacy>` without one, the same name an old
 * gitlab-runner gets) and, in current GitLab, marks it and the runner as contacted. With its own name,
 * the manager runnerform's check made is told apart from a host's (plan/own-contact.ts).
 */
export const VERIFY_SYSTEM_ID = 'runnerform-verify';

/** One gitlab-runner process registered with a runner's token (GitLab's Ci::RunnerManager). null: GitLab did not say. */
export interface LiveManager {
  system_id: string;
  version: string | null;
  revision: string | null;
  platform: string | null;
  architecture: string | null;
  status: ManagerStatus;
  contacted_at: string | null;
  job_execution_status: 'active' | 'idle' | null;
}

/** Facts about a runner only health reads. null: this GitLab (or this API) does not say: unknown, never healthy. */
export interface RunnerHealthFacts {
  managers: LiveManager[] | null;
  /** More managers than one page: only the first page was read. */
  managers_truncated: boolean;
  creation_method: 'authenticated_user' | 'registration_token' | null;
}

// ---------------------------------------------------------------- plan

export const ACTIONS = ['create', 'update', 'delete', 'no-op', 'token-reset'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Why the engine chose an action, beyond "the file says so" (Terraform's ActionReason).
 * Each action has its own reasons (create and no-op none); renderers print them, never re-derive them.
 * - undeclared: delete of an owned runner the file does not declare (prune: true)
 * - duplicate: delete of a second owned runner with the description of a declared one (prune: true); `duplicate_of` is the kept one
 * - renamed: update that changes the description in place (`renamed_from`)
 * - interrupted_create: token-reset of a runner an interrupted apply created and whose token was never stored
 * - undelivered_token: token-reset of a never-contacted runner whose gitlab_variable destination is absent or
 *   names another runner, and whose token the journal does not hold (a stored token is re-delivered, never reset)
 * - dead_stored_token: the same, except that the journal holds a token GitLab no longer accepts
 *   (TokenEvidence.dead_tokens: reset since without this tokens file), so it cannot be delivered or moved
 * - rotate: token-reset asked for by `runnerform rotate`
 * - renew: token-reset of a runner whose token expires within its `health.token_renew_before` (plan/renewal.ts)
 */
export const ACTION_REASONS = ['undeclared', 'duplicate', 'renamed', 'interrupted_create', 'undelivered_token', 'dead_stored_token', 'rotate', 'renew'] as const;
export type ActionReason = (typeof ACTION_REASONS)[number];
export type DeleteReason = Extract<ActionReason, 'undeclared' | 'duplicate'>;
export type TokenResetReason = Extract<ActionReason, 'interrupted_create' | 'undelivered_token' | 'dead_stored_token' | 'rotate' | 'renew'>;

/**
 * Enabling a project runner in one more project, or disabling it there (POST / DELETE
 * /projects/:id/runners): a sub-change of the runner's change (plan/project-enablement.ts).
 */
export interface Enablement {
  action: 'enable' | 'disable';
  project: ProjectLink;
  /** Set when GitLab will refuse it: apply never sends it. */
  refused: string | null;
}

interface ChangeCommon {
  /**
   * e.g. group["acme/platform"].runner["docker-amd64"]; see plan/address.ts. Unique within a plan:
   * a runner that shares its description with the one the address names gets `#ID` (`runner["x"]#25`).
   */
  address: string;
  scope: Scope;
  /** The desired description (for delete: the live one). */
  description: string;
  /** Where a new token goes (create, token-reset); null for the others or when only --tokens-out. */
  token: TokenDestination | null;
  /**
   * Set when the plan knows this change will not be carried out: GitLab will refuse it (the runner's
   * permissions, or moving a token to a destination this token may not write), or runnerform will not
   * issue a token it cannot deliver (`refused_by`). Apply never sends it and reports it failed with this text.
   */
  refused: string | null;
  /**
   * Who refuses when it is not GitLab: `runnerform`, which will not create a runner (or reset its token)
   * whose token it cannot deliver, though GitLab would accept the request; `refused` then is a whole
   * sentence naming runnerform. Absent: GitLab will refuse it.
   */
  refused_by?: 'runnerform';
  /**
   * Projects the runner is enabled in or disabled from with this change (a delete's disables go first),
   * sorted by action then path; absent or empty when none.
   */
  enablements?: Enablement[];
}

interface ExistingRunnerFields {
  runner_id: number;
  /** Live attributes. */
  before: RunnerAttrs;
  /** Live status and last contact of the runner. */
  status: RunnerStatus;
  contacted_at: string | null;
}

export type CreateChange = ChangeCommon & {
  action: 'create';
  reason: null;
  runner_id: null;
  before: null;
  /** Only the managed attributes. */
  after: RunnerAttrs;
  /** The attributes that are set, in ATTRIBUTE_NAMES order. */
  changed: AttrName[];
  status: null;
  contacted_at: null;
};

export type UpdateChange = ChangeCommon &
  ExistingRunnerFields & {
    action: 'update';
    reason: 'renamed' | null;
    after: RunnerAttrs;
    /** Attributes that differ, in ATTRIBUTE_NAMES order (may be empty for a pure rename). */
    changed: AttrName[];
    /** The live description when the update renames the runner in place (reason 'renamed'). */
    renamed_from: string | null;
    /**
     * The journal holds the runner's token, delivered to a destination other than the one declared
     * now (a rename with a `{description}` key, a changed key or owner): apply delivers that same
     * token to `token` (no reset). null or absent when the token stays where it is
     * (optional so plan files and changes built before it still fit).
     */
    token_move?: TokenMove | null;
  };

/** Where a stored token was delivered, as the journal recorded it. */
export interface TokenMove {
  /** The recorded destination (templates as written); null: only the tokens file. */
  from: TokenDestination | null;
  /** The description its templates were expanded with (the runner's description then). */
  from_description: string;
}

export type NoOpChange = ChangeCommon &
  ExistingRunnerFields & { action: 'no-op'; reason: null; after: RunnerAttrs; changed: [] };

export type DeleteChange = ChangeCommon &
  ExistingRunnerFields & {
    action: 'delete';
    reason: DeleteReason;
    /** For a duplicate: the id of the declared runner that is kept; null for an undeclared runner. */
    duplicate_of: number | null;
    after: null;
    changed: [];
  };

/** Reset the token of an existing runner and deliver the new one; `changed` attributes (and a rename) are updated first. */
export type TokenResetChange = ChangeCommon &
  ExistingRunnerFields & {
    action: 'token-reset';
    reason: TokenResetReason;
    after: RunnerAttrs;
    changed: AttrName[];
    /** The live description when the runner is also renamed in place first (its token's destination moved); null or absent: no rename. */
    renamed_from?: string | null;
  };

export type Change = CreateChange | UpdateChange | NoOpChange | DeleteChange | TokenResetChange;

/**
 * Why a token the journal holds is delivered again (same token, no reset):
 * - undelivered: an earlier apply stored it but could not deliver it
 * - destination_lost: the journal says it was delivered, but its CI/CD variable is absent or names another runner
 */
export const DELIVERY_REASONS = ['undelivered', 'destination_lost'] as const;
export type DeliveryReason = (typeof DELIVERY_REASONS)[number];

/** A stored token (--tokens-out) that apply delivers before any change: work of the plan like a change. */
export interface Delivery {
  /** The runner's address (as its change has it, when it has one). */
  address: string;
  scope: Scope;
  description: string;
  runner_id: number;
  reason: DeliveryReason;
  /** Where it goes: the destination declared now, or the one recorded with the token when the runner is not declared. */
  token: TokenDestination;
  /** Set when the plan knows the destination cannot be written: apply does not try, the token stays stored. */
  refused: string | null;
}

/**
 * Something a reviewer should know that is not a change (Terraform's diagnostics of severity warning).
 * - never_contacted: declared runner never contacted GitLab > 1 h after creation (token may never have reached a host)
 * - stale: declared runner GitLab calls stale
 * - token_expiring / token_expired: token expires within 7 days / has expired
 * - contacted_without_token: the journal or destination says its token was lost, but the runner has
 *   contacted GitLab, so it is never reset automatically (`runnerform rotate`)
 * - renamed_from_obsolete: both the new and an old description exist; `renamed_from` can go
 * - refused: GitLab will refuse a planned change, or runnerform will not issue a token it cannot deliver (see Change.refused)
 * - hidden_projects: a runner whose `also_in:` is managed is enabled in projects the token cannot see (left alone)
 * - hidden_fields: GitLab hid fields of owned runners from this token (LiveRunner.hidden): not compared;
 *   one per hidden field per plan, its address the scopes of those runners
 */
export const WARNING_KINDS = [
  'never_contacted',
  'stale',
  'token_expiring',
  'token_expired',
  'contacted_without_token',
  'renamed_from_obsolete',
  'refused',
  'hidden_projects',
  'hidden_fields',
] as const;
export type WarningKind = (typeof WARNING_KINDS)[number];

export interface PlanWarning {
  address: string;
  kind: WarningKind;
  message: string;
}

// ---------------------------------------------------------------- token evidence (plan input)

/**
 * One line of the apply journal (--tokens-out): an intent written and fsynced before
 * POST /user/runners, completed once the token is stored and once it is delivered.
 */
export interface JournalRecord {
  scope: Scope;
  description: string;
  /** When the intent was made durable (before the create request). */
  intent_at: string;
  /** Known once GitLab answered (or a recovery found it). */
  runner_id: number | null;
  /** The token is in the journal file. */
  stored: boolean;
  /** The token reached its destination (or the runner has none but the journal). */
  delivered: boolean;
  /**
   * Where the token goes as recorded with it (templates expanded with `description`);
   * null: only the tokens file; undefined: not recorded (files written before the journal).
   */
  destination?: TokenDestination | null;
  /**
   * The stored token's expiry as GitLab answered when it issued it, and a time before it was issued
   * (the intent written before the request); absent when either is unknown. Bounds the lifetime
   * GitLab gives the runner's tokens (plan/renewal.ts).
   */
  token_issue?: { expires_at: string; issued_after: string };
}

/**
 * What the planner may know about where tokens went, gathered by apply/ (never by the engine):
 * the journal, and the runner id each declared gitlab_variable destination names.
 */
export interface TokenEvidence {
  /** null when there is no journal (no --tokens-out, or the file does not exist). */
  journal: JournalRecord[] | null;
  /**
   * For each gitlab_variable destination of a declared runner, keyed by `variableKeyOf(dest, description)`
   * (plan/token-dest.ts: `OWNER_TYPE:owner/path lower-cased:EXPANDED_KEY:ENVIRONMENT_SCOPE`, e.g.
   * `project:acme/infra/runner-fleet:RUNNER_TOKEN_DOCKER_AMD64:*`): the runner id its description names,
   * or null when the variable is absent or names none. A key left out means "not known" (no decision).
   */
  variables: Record<string, number | null>;
  /**
   * gitlab_variable destinations GitLab will not let this token write (same keys as `variables`), with
   * GitLab's answer: the owner does not exist for this token (404) or it may not manage its variables (403).
   * Reading and writing a CI/CD variable need the same permission (admin_cicd_variables).
   */
  unwritable?: Record<string, string>;
  /**
   * Runners whose stored token (the journal's last) GitLab refused on POST /runners/verify: it was reset
   * since (rotate without --tokens-out, the runner's own rotation). A dead token is never delivered or
   * moved: the runner is judged as if the journal did not hold it. Sorted; absent: none was checked.
   */
  dead_tokens?: number[];
  /**
   * Runners GitLab shows as contacted only because runnerform's own POST /runners/verify did
   * (plan/own-contact.ts): judged as never contacted by a host. Sorted; absent: none.
   */
  own_contact?: number[];
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
  token_reset: number;
  /** Stored tokens to deliver (`deliveries`). */
  deliver: number;
  unmanaged: number;
  /** Changes and deliveries GitLab will refuse, and changes runnerform refuses (`refused_by`); counted in their action too. */
  refused: number;
  /** Enablements in another project (sub-changes); present only when the plan has any. */
  enable?: number;
  /** Disablements in another project (sub-changes); present only when the plan has any. */
  disable?: number;
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
  /** Stored tokens apply delivers first, by address. */
  deliveries: Delivery[];
  unmanaged: UnmanagedRunner[];
  warnings: PlanWarning[];
  summary: PlanSummary;
}

/**
 * True when the change's only work is enabling or disabling the runner in other projects: the runner
 * itself (attributes, description, token) is left as it is, so it counts in enable/disable, not as an update.
 */
export function onlyEnablements(change: Change): boolean {
  return change.action === 'update' && change.changed.length === 0 && change.renamed_from === null && !change.token_move && (change.enablements?.length ?? 0) > 0;
}

/** True when applying the plan would change anything (a stored token to deliver included). */
export function hasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.action !== 'no-op') || plan.deliveries.length > 0;
}
