// Spawns the built CLI against an in-process fake GitLab. Asynchronous spawn on
// purpose: the fake serves from this process's event loop.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import type { Seed } from '../fake-gitlab/seed.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { tempDir as makeTempDir } from '../temp.js';

export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a Node script asynchronously and collects its output. */
export function runNode(
  script: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: opts.cwd, env: opts.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs the built CLI without colour and without any GitLab from the developer's shell. */
export function runCli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {},
): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
  // FORCE_COLOR too: a test runner may set it, and colour is asked for explicitly where tested.
  for (const k of ['GITLAB_URL', 'GITLAB_TOKEN', 'CI_SERVER_URL', 'HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy', 'FORCE_COLOR']) {
    if (!opts.env || !(k in opts.env)) delete env[k];
  }
  return runNode(CLI, args, { cwd: opts.cwd, env, input: opts.input });
}

/** A temporary directory, removed after the test file (see ../temp.ts). */
/**
 * Before each test: a fake GitLab seeded with e2eSeed() and a temporary directory, handed to `use`;
 * after it, the fake is closed and the directory removed.
 */
export function freshFakeAndDir(use: (fake: FakeGitLab, dir: string) => void): void {
  let fake: FakeGitLab | undefined;
  let dir: string | undefined;
  beforeEach(async () => {
    fake = await startFakeGitLab(e2eSeed());
    dir = tempDir();
    use(fake, dir);
  });
  afterEach(async () => {
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    fake = undefined;
    dir = undefined;
  });
}

export function tempDir(prefix = 'runnerform-e2e-'): string {
  return makeTempDir(prefix);
}

export function writeFile(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

export const OWNER_TOKEN = 'glpat-e2e-owner-token-000000000';
export const ADMIN_TOKEN = 'glpat-e2e-admin-token-000000000';

/**
 * An organisation with every kind of runner a scope can see:
 * - acme/platform sees the group runner of its parent `acme` (inherited) and the instance runner;
 * - acme/platform/api has a runner borrowed from acme/tools/ci (enabled in both projects).
 */
export function e2eSeed(): Seed {
  return {
    users: [
      { id: 1, username: 'root', admin: true },
      { id: 2, username: 'owner', groups: { acme: 'owner' } },
    ],
    tokens: [
      { token: ADMIN_TOKEN, user: 'root', scopes: ['api'] },
      { token: OWNER_TOKEN, user: 'owner', scopes: ['api'] },
    ],
    groups: [
      { id: 10, full_path: 'acme' },
      { id: 11, full_path: 'acme/platform' },
      { id: 12, full_path: 'acme/data' },
      { id: 13, full_path: 'acme/tools' },
    ],
    projects: [
      { id: 100, path_with_namespace: 'acme/platform/api' },
      { id: 101, path_with_namespace: 'acme/tools/ci' },
    ],
    runners: [
      { id: 1, runner_type: 'instance_type', description: 'shared-large', tag_list: ['shared'] },
      { id: 2, runner_type: 'group_type', group: 'acme', description: 'acme-wide', tag_list: ['acme'] },
      { id: 3, runner_type: 'project_type', projects: ['acme/tools/ci', 'acme/platform/api'], description: 'tools-borrowed' },
    ],
  };
}

/** Every string in `text` that looks like a GitLab secret. */
export function secretsIn(text: string): string[] {
  return text.match(/glrt-[A-Za-z0-9_-]+|glpat-[A-Za-z0-9_-]+/g) ?? [];
}

/** A request as "METHOD /path": recorded requests hold real tokens in their headers, never assert on them whole. */
export function describeRequest(r: { method: string; path: string }): string {
  return `${r.method} ${r.path}`;
}

/** A GraphQL query (runnerform asks GraphQL for project runners' owners): a read, though sent as POST. */
export function isGraphQLQuery(r: { method: string; path: string; body?: unknown }): boolean {
  if (r.method !== 'POST' || !r.path.endsWith('/api/graphql')) return false;
  const query = (r.body as { query?: unknown } | undefined)?.query;
  return typeof query === 'string' && !/^\s*mutation\b/.test(query);
}

/** Every request that could change GitLab. */
export function writes(fake: { requests: { method: string; path: string; body?: unknown }[] }): string[] {
  // POST /runners/verify asks whether a stored token still works (apply/verify-stored.ts): a question, not a change.
  return fake.requests.filter((r) => r.method !== 'GET' && !isGraphQLQuery(r) && r.path !== '/runners/verify').map(describeRequest);
}

/** The one warning a REST plan has and a GraphQL plan lacks: GitLab's REST API never shows token expiry. */
export const REST_EXPIRY_WARNING = /token expiry of (1 runner|\d+ runners) not shown by GitLab's REST API: not checked/;

/** A REST plan's output (JSON or text) without that warning: what the GraphQL reader prints byte for byte. */
export function withoutRestExpiry(stdout: string): string {
  if (stdout.startsWith('{')) {
    const plan = JSON.parse(stdout) as { warnings: { message: string }[] };
    plan.warnings = plan.warnings.filter((w) => !REST_EXPIRY_WARNING.test(w.message));
    return `${JSON.stringify(plan, null, 2)}\n`;
  }
  const lines = stdout.split('\n').filter((l) => !REST_EXPIRY_WARNING.test(l));
  // A "Warnings:" heading left with nothing under it goes too, with its blank line.
  const empty = lines.findIndex((l, i) => l === 'Warnings:' && (lines[i + 1] ?? '') === '');
  if (empty >= 0) lines.splice(empty, 2);
  return lines.join('\n');
}

/** Polls `cond` every 20 ms; fails naming `what` after `ms`. */
export async function waitFor(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Requests = { requests: { method: string; path: string; body?: unknown; status: number }[] };
const isCreate = (r: { method: string; path: string; body?: unknown }) => r.method === 'POST' && r.path === '/user/runners' && r.body !== undefined;

/**
 * Creates GitLab has received whole (the body read): those it carries out even if the client dies now.
 * Counting a request whose body is still unread would race a kill against the fake's own read.
 */
export const createsReceived = (fake: Requests): number => fake.requests.filter(isCreate).length;

/** Creates GitLab has read but not answered: with latency on they wait in the fake, and land after a kill. */
export const createsInFlight = (fake: Requests): number => fake.requests.filter((r) => isCreate(r) && r.status === 0).length;

/** The last token each runner's command (the record sink) received on stdin, by runner id. */
export function tokensReceived(dir: string): Map<number, string> {
  const out = new Map<number, string>();
  const path = join(dir, 'received.jsonl');
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').trim().split('\n')) {
    const r = JSON.parse(line) as { stdin: string; env: Record<string, string> };
    out.set(Number(r.env.RUNNERFORM_RUNNER_ID), r.stdin.trim());
  }
  return out;
}

/** The record sink: a real child process that appends each token it receives to a JSONL file. */
export const RECORD_SINK = fileURLToPath(new URL('../fixtures/sinks/record-sink.mjs', import.meta.url));

/**
 * runners.yaml declaring `names` in group acme/platform; `tagged` gives each `tag_list: [docker]`,
 * `recordSink` sends every token to the record sink (received.jsonl in the working directory).
 */
export function groupRunnersYaml(names: readonly string[], opts: { tagged?: boolean; recordSink?: boolean } = {}): string {
  const defaults = opts.recordSink ? `defaults:\n  token:\n    command: ${JSON.stringify([process.execPath, RECORD_SINK, 'received.jsonl'])}\n` : '';
  const runner = (n: string) => `      - description: ${n}\n${opts.tagged ? '        tag_list: [docker]\n' : ''}`;
  return `version: 1\n${defaults}groups:\n  - path: acme/platform\n    runners:\n${names.map(runner).join('')}`;
}

