// Shapes of GitLab's REST answers that runnerform reads, and the interface the
// rest of the program uses to talk to GitLab. Only src/gitlab/ implements it.
import type { AccessLevel, RunnerStatus, RunnerType } from '../model.js';
import type { OwnerProject } from './graphql.js';

export interface ApiGroup {
  id: number;
  full_path: string;
}

export interface ApiProject {
  id: number;
  path_with_namespace: string;
}

/** An item of GET /groups/:id/runners, /projects/:id/runners, /runners/all. */
export interface ApiRunnerListItem {
  id: number;
  description: string | null;
  paused: boolean;
  is_shared: boolean;
  runner_type: RunnerType;
  name: string | null;
  online: boolean | null;
  status: RunnerStatus;
}

/** GET /runners/:id and PUT /runners/:id. */
export interface ApiRunnerDetails extends ApiRunnerListItem {
  tag_list: string[];
  run_untagged: boolean;
  locked: boolean;
  maximum_timeout: number | null;
  access_level: AccessLevel;
  maintenance_note: string | null;
  contacted_at: string | null;
  /** Not in every GitLab version's entity. */
  created_at?: string | null;
  /** Not in GitLab's entity (lib/api/entities/ci/runner_details.rb): absent, the expiry is unknown (hidden), not "never". */
  token_expires_at?: string | null;
  groups: { id: number; full_path?: string; name?: string; web_url?: string }[];
  projects: { id: number; path_with_namespace?: string; name?: string }[];
}

/** POST /user/runners answer. The token is shown once. */
export interface ApiCreatedRunner {
  id: number;
  token: string;
  token_expires_at?: string | null;
}

/** POST /runners/:id/reset_authentication_token answer. */
export interface ApiResetToken {
  token: string;
  token_expires_at?: string | null;
}

/** Body of POST /user/runners. */
export interface CreateRunnerBody {
  runner_type: RunnerType;
  group_id?: number;
  project_id?: number;
  description: string;
  paused?: boolean;
  locked?: boolean;
  run_untagged?: boolean;
  tag_list?: string[];
  access_level?: AccessLevel;
  maximum_timeout?: number;
  maintenance_note?: string;
}

/** Body of PUT /runners/:id (only changed, managed attributes). */
export type UpdateRunnerBody = Partial<Omit<CreateRunnerBody, 'runner_type' | 'group_id' | 'project_id'>>;

/** A CI/CD variable of a project or group (GET/POST/PUT …/variables[/:key]). `value` is null when hidden. */
export interface ApiVariable {
  key: string;
  value: string | null;
  protected: boolean;
  masked: boolean;
  hidden?: boolean;
  raw?: boolean;
  environment_scope?: string;
  description: string | null;
}

/** The project or group that holds a CI/CD variable (full path or id). */
export interface VariableOwner {
  type: 'project' | 'group';
  idOrPath: number | string;
}

/** Body of POST …/variables. `masked_and_hidden` hides the value in GitLab's UI and API for good. */
export interface CreateVariableBody {
  key: string;
  value: string;
  /** Also sent with masked_and_hidden: a GitLab before 17.4 ignores that one but still masks. */
  masked: boolean;
  masked_and_hidden: boolean;
  protected: boolean;
  raw: boolean;
  environment_scope: string;
  description: string;
}

/** Body of PUT …/variables/:key (the key and environment scope select the variable). */
export interface UpdateVariableBody {
  /** Absent: the value stays (GitLab's update takes every field as optional). */
  value?: string;
  /** A variable someone created unmasked becomes masked (hidden can only be set on create). */
  masked?: boolean;
  protected?: boolean;
  raw?: boolean;
  description: string;
}

export interface ApiNote {
  id: number;
  body: string;
  system?: boolean;
  author?: { id: number; username: string };
}

export interface ApiUser {
  id: number;
  username: string;
  is_admin?: boolean;
}

/**
 * What runnerform needs from GitLab. Every method maps to one documented
 * endpoint; list methods follow pagination to the end.
 */
export interface GitLabApi {
  /** The GitLab URL, e.g. https://gitlab.example.com (no trailing slash, no /api/v4). LiveState.gitlabUrl and Plan.gitlab_url use it. */
  readonly gitlabUrl: string;
  currentUser(): Promise<ApiUser>;
  /**
   * The access level (10 Guest … 50 Owner) of user `userId` in a group (id or full path), direct
   * or inherited (GET /groups/:id/members/all/:user_id); null when not a member (or the group is not visible).
   */
  groupAccessLevel(group: number | string, userId: number): Promise<number | null>;
  getGroup(idOrPath: number | string): Promise<ApiGroup>;
  getProject(idOrPath: number | string): Promise<ApiProject>;
  /** The group's id or full path; `fullPath` (optional) only names the group in error messages. */
  listGroupRunners(group: number | string, fullPath?: string): Promise<ApiRunnerListItem[]>;
  /** `fullPath` (optional) only names the project in error messages. */
  listProjectRunners(projectId: number, fullPath?: string): Promise<ApiRunnerListItem[]>;
  listInstanceRunners(): Promise<ApiRunnerListItem[]>;
  getRunner(id: number): Promise<ApiRunnerDetails>;
  /**
   * The project that owns a project runner (GraphQL `CiRunner.ownerProject`,
   * one POST /api/graphql). Null when the runner is not a project runner, is
   * unknown or hidden from the token, or its owner project is one the token
   * may not read: in every such case the token's projects do not own it.
   */
  runnerOwnerProject(id: number): Promise<OwnerProject | null>;
  /** Never retried: a lost answer is recovered by the caller (see apply/). */
  createRunner(body: CreateRunnerBody): Promise<ApiCreatedRunner>;
  /**
   * POST /projects/:id/runners {runner_id}: enables a project runner in one more project. Never retried
   * (apply/enablements.ts reads back a lost answer); GitLab's 400 "… has already been taken" is 'already'.
   */
  enableProjectRunner?(projectId: number, runner_id: number, projectPath?: string): Promise<'enabled' | 'already'>;
  /** DELETE /projects/:id/runners/:runner_id; 'gone' when GitLab answers 404 (not enabled there any more). `projectPath` names it in errors. */
  disableProjectRunner?(projectId: number, runner_id: number, projectPath?: string): Promise<'disabled' | 'gone'>;
  /** Whether the token may manage the project's runners (GET /projects/:id/runners answers, not 403): GitLab's Maintainer rule. */
  mayManageProjectRunners?(projectId: number): Promise<boolean>;
  updateRunner(id: number, body: UpdateRunnerBody): Promise<ApiRunnerDetails>;
  /** Resolves 'deleted', or 'gone' when GitLab answers 404 (already deleted). */
  deleteRunner(id: number): Promise<'deleted' | 'gone'>;
  resetRunnerToken(id: number): Promise<ApiResetToken>;
  /**
   * POST /runners/verify {token, system_id} (lib/api/ci/runner.rb): 'valid' (200) while GitLab accepts the
   * runner token, 'invalid' (403) once it was reset or the runner is gone; any other answer throws (unknown).
   * A 403 changes nothing in GitLab; a 200 is a heartbeat: the manager of VERIFY_SYSTEM_ID is made, and
   * current GitLab sets the runner's contacted_at (its status stays never_contacted until a host asks for
   * a job). So it is asked only of tokens about to be delivered or moved (apply/verify-stored.ts).
   */
  verifyRunnerToken?(token: string): Promise<'valid' | 'invalid'>;
  /** GET …/variables/:key?filter[environment_scope]=…; null when the owner has no such variable. */
  getVariable(owner: VariableOwner, key: string, environmentScope: string): Promise<ApiVariable | null>;
  /** Not retried after a lost answer (a retry could answer "already taken"): the caller looks again. */
  createVariable(owner: VariableOwner, body: CreateVariableBody): Promise<ApiVariable>;
  updateVariable(owner: VariableOwner, key: string, environmentScope: string, body: UpdateVariableBody): Promise<ApiVariable>;
  listMergeRequestNotes(projectId: number | string, iid: number): Promise<ApiNote[]>;
  createMergeRequestNote(projectId: number | string, iid: number, body: string): Promise<ApiNote>;
  updateMergeRequestNote(projectId: number | string, iid: number, noteId: number, body: string): Promise<ApiNote>;
}
