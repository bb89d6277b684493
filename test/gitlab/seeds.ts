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
export const ALL_TOKENS = [ADMIN_TOKEN, OWNER_TOKEN, SUB_OWNER_TOKEN, DEV_TOKEN, READ_API_TOKEN, RUNNER_ONLY_TOKEN, EXPIRED_TOKEN];

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
