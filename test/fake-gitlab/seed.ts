// The seed format of the fake GitLab: what a test, the demo or the benchmark
// starts it with. Plain JSON so `node <fake> --seed FILE` can read it.

import type { SeedManager } from './managers.js';

export type Role = 'guest' | 'reporter' | 'developer' | 'maintainer' | 'owner';
export type TokenScope = 'api' | 'read_api' | 'create_runner' | 'manage_runner' | 'read_user';

export interface SeedUser {
  id: number;
  username: string;
  admin?: boolean;
  /** Roles by group full path; inherited by subgroups and their projects. */
  groups?: Record<string, Role>;
  /** Roles by project full path. */
  projects?: Record<string, Role>;
}

export interface SeedToken {
  /** The PRIVATE-TOKEN value, e.g. glpat-... */
  token: string;
  user: string; // username
  scopes: TokenScope[];
  /** ISO date; an expired token answers 401. */
  expires_at?: string | null;
  revoked?: boolean;
}

export interface SeedGroup {
  id?: number; // assigned when absent
  full_path: string; // parent groups must be listed (any order)
  allow_stale_runner_pruning?: boolean; // EE group setting; default false
  /**
   * Top-level groups only: the organization (namespaces.organization_id) it and everything under it
   * belong to. Default 1, GitLab's default organization; subgroups and projects inherit it.
   */
  organization_id?: number;
}

export interface SeedProject {
  id?: number;
  path_with_namespace: string; // its namespace must be a seeded group
  shared_runners_enabled?: boolean; // default true
  group_runners_enabled?: boolean; // default true
}

export interface SeedRunner {
  id?: number;
  runner_type: 'instance_type' | 'group_type' | 'project_type';
  /** Owner group full path (group_type). */
  group?: string;
  /** Project full paths (project_type); the first is the owner. */
  projects?: string[];
  description?: string;
  paused?: boolean;
  locked?: boolean;
  run_untagged?: boolean;
  tag_list?: string[];
  access_level?: 'not_protected' | 'ref_protected';
  maximum_timeout?: number | null;
  maintenance_note?: string | null;
  contacted_at?: string | null;
  /** Overrides the status derived from contacted_at/paused. */
  status?: 'online' | 'offline' | 'stale' | 'never_contacted';
  /** ISO time; default now. */
  created_at?: string;
  /** When the runner's authentication token expires (ISO 8601); default: the expiration interval's, or never. */
  token_expires_at?: string | null;
  /** Default authenticated_user (POST /user/runners). */
  creation_method?: 'authenticated_user' | 'registration_token';
  /** Runner managers (hosts that registered with the token); contacted_at defaults to their latest. */
  managers?: SeedManager[];
}

export interface SeedMergeRequest {
  project: string; // full path
  iid: number;
  title?: string; // default "Merge request !IID"
  source_branch?: string; // default "feature-IID"
  target_branch?: string; // default "main"
  /** Username; default the first seeded user with a role on the project. */
  author?: string;
}

/** A CI/CD variable of a project or a group (exactly one), validated like GitLab's. */
export interface SeedVariable {
  project?: string; // full path
  group?: string; // full path
  key: string;
  value: string;
  variable_type?: 'env_var' | 'file'; // default env_var
  protected?: boolean; // default false
  masked?: boolean; // default false (true when hidden)
  hidden?: boolean; // masked and hidden: the API never shows its value
  raw?: boolean; // default false
  environment_scope?: string; // default "*"
  description?: string | null;
}

export interface Seed {
  users: SeedUser[];
  tokens: SeedToken[];
  groups?: SeedGroup[];
  projects?: SeedProject[];
  runners?: SeedRunner[];
  merge_requests?: SeedMergeRequest[];
  variables?: SeedVariable[];
  /** Applied to every request, in milliseconds. */
  latency_ms?: number;
  /** Query.metadata.version; default 18.6.0. */
  gitlab_version?: string;
  /**
   * GitLab's runner token expiration interval (application setting
   * `runner_token_expiration_interval`, in seconds): a token made by a create or a
   * reset expires that long after. Default: tokens never expire.
   */
  runner_token_expiration_interval?: number;
}
