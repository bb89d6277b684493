// Shared seed and a tiny fetch wrapper for the fake's own tests (real HTTP to 127.0.0.1).
import type { Seed } from '../fake-gitlab/seed.js';
import type { FakeGitLab } from '../fake-gitlab/server.js';

export const TOKENS = {
  admin: 'glpat-test-admin-0000000000',
  owner: 'glpat-test-owner-0000000000', // Owner of acme (inherited by everything below)
  subOwner: 'glpat-test-subowner-0000000', // Owner of acme/platform only
  maintainer: 'glpat-test-maint-0000000000', // Maintainer of acme/platform (group) and of acme/data/etl
  developer: 'glpat-test-dev-000000000000', // Developer of acme/platform/api
  outsider: 'glpat-test-outsider-0000000',
  readApi: 'glpat-test-readapi-00000000', // owner user, read_api
  createRunner: 'glpat-test-create-000000000', // owner user, create_runner
  manageRunner: 'glpat-test-manage-000000000', // owner user, manage_runner
  expired: 'glpat-test-expired-00000000',
  revoked: 'glpat-test-revoked-00000000',
} as const;

export function baseSeed(): Seed {
  return {
    users: [
      { id: 1, username: 'root', admin: true },
      { id: 2, username: 'owner', groups: { acme: 'owner' } },
      { id: 3, username: 'sub-owner', groups: { 'acme/platform': 'owner' } },
      { id: 4, username: 'maint', groups: { 'acme/platform': 'maintainer' }, projects: { 'acme/data/etl': 'maintainer' } },
      { id: 5, username: 'dev', projects: { 'acme/platform/api': 'developer' } },
      { id: 6, username: 'outsider' },
    ],
    tokens: [
      { token: TOKENS.admin, user: 'root', scopes: ['api'] },
      { token: TOKENS.owner, user: 'owner', scopes: ['api'] },
      { token: TOKENS.subOwner, user: 'sub-owner', scopes: ['api'] },
      { token: TOKENS.maintainer, user: 'maint', scopes: ['api'] },
      { token: TOKENS.developer, user: 'dev', scopes: ['api'] },
      { token: TOKENS.outsider, user: 'outsider', scopes: ['api'] },
      { token: TOKENS.readApi, user: 'owner', scopes: ['read_api'] },
      { token: TOKENS.createRunner, user: 'owner', scopes: ['create_runner'] },
      { token: TOKENS.manageRunner, user: 'owner', scopes: ['manage_runner'] },
      { token: TOKENS.expired, user: 'owner', scopes: ['api'], expires_at: '2020-01-01' },
      { token: TOKENS.revoked, user: 'owner', scopes: ['api'], revoked: true },
    ],
    groups: [
      { id: 10, full_path: 'acme' },
      { id: 11, full_path: 'acme/platform' },
      { id: 12, full_path: 'acme/data' },
      { id: 13, full_path: 'acme/platform/edge' },
    ],
    projects: [
      { id: 100, path_with_namespace: 'acme/platform/api' },
      { id: 101, path_with_namespace: 'acme/data/etl', shared_runners_enabled: false, group_runners_enabled: false },
    ],
    runners: [
      { id: 1, runner_type: 'instance_type', description: 'shared', tag_list: ['linux'] },
      { id: 2, runner_type: 'group_type', group: 'acme', description: 'acme-wide' },
      { id: 3, runner_type: 'group_type', group: 'acme/platform', description: 'platform-docker', tag_list: ['docker', 'amd64'], status: 'online' },
      { id: 4, runner_type: 'group_type', group: 'acme/platform/edge', description: 'edge-only', paused: true, status: 'offline' },
      { id: 5, runner_type: 'group_type', group: 'acme/data', description: 'data-spark' },
      { id: 6, runner_type: 'project_type', projects: ['acme/platform/api'], description: 'api-own' },
      { id: 7, runner_type: 'project_type', projects: ['acme/data/etl', 'acme/platform/api'], description: 'etl-shared' },
    ],
    merge_requests: [{ project: 'acme/platform/api', iid: 1 }],
  };
}

export interface Answer {
  status: number;
  body: any; // JSON answer, shape checked by each test
  text: string;
  headers: Headers;
}

export async function call(
  fake: FakeGitLab,
  method: string,
  path: string,
  opts: { token?: string | null; json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== null) headers['PRIVATE-TOKEN'] = opts.token ?? TOKENS.admin;
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  }
  const res = await fetch(`${fake.url}/api/v4${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain-text bodies (429) stay text
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}
