// Seeds and helpers shared by the GitLab client and live-state tests.
import type { Seed, SeedRunner } from '../fake-gitlab/seed.js';

// Tokens of the seeded users. Tests assert these never leak.
export const ADMIN_TOKEN = 'glpat-admin-0123456789abcdefXYZ';
export const OWNER_TOKEN = 'glpat-owner-0123456789abcdefXYZ';
export const SUB_OWNER_TOKEN = 'glpat-subowner-0123456789abcdef';
export const DEV_TOKEN = 'glpat-dev-0123456789abcdefXYZab';
export const READ_API_TOKEN = 'glpat-readapi-0123456789abcdef';
export const RUNNER_ONLY_TOKEN = 'glpat-runneronly-0123456789abc';
export const EXPIRED_TOKEN = 'glpat-expired-0123456789abcdef';
// Tokens of borrowSeed's users.
export const BORROWER_TOKEN = 'glpat-borrower-0123456789abcde';
export const BOTH_TOKEN = 'glpat-bothprojects-0123456789ab';
export const BORROW_ADMIN_TOKEN = 'glpat-borrowadmin-0123456789ab';
export const BORROWER_READ_API_TOKEN = 'glpat-borrowread-0123456789abc';
export const ALL_TOKENS = [
  ADMIN_TOKEN, OWNER_TOKEN, SUB_OWNER_TOKEN, DEV_TOKEN, READ_API_TOKEN, RUNNER_ONLY_TOKEN, EXPIRED_TOKEN,
  BORROWER_TOKEN, BOTH_TOKEN, BORROW_ADMIN_TOKEN, BORROWER_READ_API_TOKEN,
];

/** acme (owner: alice) > acme/platform > acme/platform/ci; projects under them; runners at every level. */
export function baseSeed(extraRunners: SeedRunner[] = []): Seed {
  return {
    users: [
      { id: 1, username: 'root', admin: true },
      { id: 2, username: 'alice', groups: { acme: 'owner' } },
      { id: 3, username: 'bob', groups: { 'acme/platform/ci': 'owner' }, projects: { 'acme/platform/web': 'maintainer' } },
      { id: 4, username: 'dave', groups: { acme: 'developer' } },
    ],
    tokens: [
      { token: ADMIN_TOKEN, user: 'root', scopes: ['api'] },
      { token: OWNER_TOKEN, user: 'alice', scopes: ['api'] },
      { token: SUB_OWNER_TOKEN, user: 'bob', scopes: ['api'] },
      { token: DEV_TOKEN, user: 'dave', scopes: ['api'] },
      { token: READ_API_TOKEN, user: 'alice', scopes: ['read_api'] },
      { token: RUNNER_ONLY_TOKEN, user: 'alice', scopes: ['create_runner', 'manage_runner'] },
      { token: EXPIRED_TOKEN, user: 'alice', scopes: ['api'], expires_at: '2020-01-01' },
    ],
    groups: [
      { id: 10, full_path: 'acme' },
      { id: 11, full_path: 'acme/platform' },
      { id: 12, full_path: 'acme/platform/ci' },
      { id: 13, full_path: 'other' },
    ],
    projects: [
      { id: 100, path_with_namespace: 'acme/platform/web' },
      { id: 101, path_with_namespace: 'acme/platform/api' },
      { id: 102, path_with_namespace: 'acme/platform/ci/tools' },
    ],
    runners: [
      { id: 1, runner_type: 'instance_type', description: 'shared-1' },
      { id: 2, runner_type: 'instance_type', description: 'shared-2', paused: true },
      { id: 3, runner_type: 'group_type', group: 'acme', description: 'acme-top' },
      {
        id: 4,
        runner_type: 'group_type',
        group: 'acme/platform',
        description: 'platform-docker',
        tag_list: ['docker', 'linux'],
        run_untagged: false,
        locked: true,
        access_level: 'ref_protected',
        maximum_timeout: 3600,
        maintenance_note: 'owned by the platform team',
        contacted_at: '2026-01-01T00:00:00Z',
      },
      { id: 5, runner_type: 'group_type', group: 'acme/platform/ci', description: 'ci-runner' },
      { id: 6, runner_type: 'project_type', projects: ['acme/platform/web'], description: 'web-own' },
      // Owned by api, also enabled in web: borrowed from web's point of view.
      { id: 7, runner_type: 'project_type', projects: ['acme/platform/api', 'acme/platform/web'], description: 'api-shared' },
      { id: 8, runner_type: 'group_type', group: 'other', description: 'other-group' },
      ...extraRunners,
    ],
  };
}

/** `n` group runners owned by `group`, ids from `firstId`. */
export function manyRunners(group: string, n: number, firstId: number): SeedRunner[] {
  return Array.from({ length: n }, (_, i) => ({
    id: firstId + i,
    runner_type: 'group_type' as const,
    group,
    description: `bulk-${i}`,
    tag_list: [`t${i % 5}`],
  }));
}

/** Asserts-free check used by tests: does `text` contain any seeded token? */
export function leakedToken(text: string): string | undefined {
  return ALL_TOKENS.find((t) => text.includes(t));
}

/**
 * A project runner borrowed from a project the token cannot see (the reviewer's
 * repro): runner 7 is owned by team/a and enabled in team/b; bob maintains
 * team/b only, so REST shows him runner 7 with projects [team/b]. carol
 * maintains both projects; runner 9 is owned by team/b and enabled in team/a.
 */
export function borrowSeed(): Seed {
  return {
    users: [
      { id: 1, username: 'root', admin: true },
      { id: 2, username: 'bob', projects: { 'team/b': 'maintainer' } },
      { id: 3, username: 'carol', projects: { 'team/a': 'maintainer', 'team/b': 'maintainer' } },
    ],
    tokens: [
      { token: BORROW_ADMIN_TOKEN, user: 'root', scopes: ['api'] },
      { token: BORROWER_TOKEN, user: 'bob', scopes: ['api'] },
      { token: BORROWER_READ_API_TOKEN, user: 'bob', scopes: ['read_api'] },
      { token: BOTH_TOKEN, user: 'carol', scopes: ['api'] },
    ],
    groups: [{ id: 10, full_path: 'team' }],
    projects: [
      { id: 100, path_with_namespace: 'team/a' },
      { id: 200, path_with_namespace: 'team/b' },
    ],
    runners: [
      { id: 7, runner_type: 'project_type', projects: ['team/a', 'team/b'], description: 'a-owned-shared', tag_list: ['x'] },
      { id: 8, runner_type: 'project_type', projects: ['team/b'], description: 'b-own', tag_list: ['y'] },
      { id: 9, runner_type: 'project_type', projects: ['team/b', 'team/a'], description: 'b-owned-shared' },
    ],
  };
}
