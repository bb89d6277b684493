// examples/gitlab-ci/store-runner-tokens.mjs against a small local stand-in for
// GitLab's project CI/CD variables API (the fake GitLab has no variables).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runNode, secretsIn, tempDir, writeFile, type CliResult } from '../e2e/harness.js';

const SCRIPT = 'examples/gitlab-ci/store-runner-tokens.mjs';
const PAT = 'glpat-store-tokens-0000000000';

interface Variable {
  key: string;
  value: string;
  masked?: boolean;
  protected?: boolean;
  raw?: boolean;
  masked_and_hidden?: boolean;
  description?: string;
}

let server: Server;
let apiUrl: string;
const variables = new Map<string, Variable>();
const calls: { method: string; path: string }[] = [];
let forbidKey: string | null = null;

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const path = req.url ?? '';
      calls.push({ method: req.method ?? '', path });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers['private-token'] !== PAT) return send(401, { message: '401 Unauthorized' });
      const base = '/api/v4/projects/acme%2Frunner-hosts/variables';
      const body = raw ? (JSON.parse(raw) as Variable) : ({} as Variable);
      if (req.method === 'POST' && path === base) {
        if (body.key === forbidKey) return send(403, { message: '403 Forbidden' });
        if (variables.has(body.key)) return send(400, { message: { key: [`(${body.key}) has already been taken`] } });
        variables.set(body.key, body);
        return send(201, { key: body.key });
      }
      const m = new RegExp(`^${base}/([A-Z0-9_]+)$`).exec(path);
      if (req.method === 'PUT' && m && variables.has(m[1])) {
        variables.set(m[1], { ...variables.get(m[1])!, ...body, key: m[1] });
        return send(200, { key: m[1] });
      }
      send(404, { message: '404 Not Found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  variables.clear();
  calls.length = 0;
  forbidKey = null;
});

function run(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runNode(SCRIPT, args, { env: { PATH: process.env.PATH ?? '', ...env } });
}

function tokensFile(): string {
  const entries = [
    { scope: { type: 'group', id: 11, path: 'acme/platform' }, description: 'docker-amd64', id: 41, token: 'glrt-t2_aaaaaaaaaaaaaaaaaaaa', token_expires_at: null, source: 'create', written_at: '2026-01-01T00:00:00Z' },
    { scope: { type: 'project', id: 100, path: 'acme/platform/api' }, description: 'api-e2e', id: 42, token: 'glrt-t3_bbbbbbbbbbbbbbbbbbbb', token_expires_at: null, source: 'reset', written_at: '2026-01-01T00:00:01Z' },
  ];
  return writeFile(tempDir('runnerform-tokens-'), 'tokens.json', JSON.stringify(entries));
}

const ENV = () => ({ CI_API_V4_URL: apiUrl, RUNNER_TOKENS_PROJECT: 'acme/runner-hosts', GITLAB_TOKEN: PAT });

describe('store-runner-tokens.mjs', () => {
  it('creates masked, protected, hidden variables and updates existing ones, printing no token', async () => {
    variables.set('RUNNER_TOKEN_42', { key: 'RUNNER_TOKEN_42', value: 'glrt-old-value-000000' });
    const r = await run([tokensFile()], ENV());
    expect(secretsIn(r.stdout + r.stderr)).toEqual([]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Stored the token of runner 41 ("docker-amd64") as RUNNER_TOKEN_41 in acme/runner-hosts.');

    expect(variables.get('RUNNER_TOKEN_41')).toMatchObject({
      value: 'glrt-t2_aaaaaaaaaaaaaaaaaaaa',
      masked: true,
      protected: true,
      raw: true,
      masked_and_hidden: true,
      description: 'runnerform: group acme/platform, docker-amd64',
    });
    expect(variables.get('RUNNER_TOKEN_42')).toMatchObject({ value: 'glrt-t3_bbbbbbbbbbbbbbbbbbbb', masked: true, protected: true });
    expect(calls.map((c) => c.method)).toEqual(['POST', 'POST', 'PUT']);
  });

  it('tries every token, then fails naming the way to recover', async () => {
    forbidKey = 'RUNNER_TOKEN_41';
    const r = await run([tokensFile()], ENV());
    expect(secretsIn(r.stdout + r.stderr)).toEqual([]);
    expect(r.stderr).toContain('runner 41: RUNNER_TOKEN_41: GitLab answered 403');
    expect(r.stderr).toContain('reset_authentication_token');
    expect(variables.has('RUNNER_TOKEN_42')).toBe(true);
    expect(r.code).toBe(1);
  });

  it('refuses to run without a target project', async () => {
    const r = await run([tokensFile()], { CI_API_V4_URL: apiUrl, GITLAB_TOKEN: PAT });
    expect(r.stderr).toContain('set RUNNER_TOKENS_PROJECT');
    expect(calls).toEqual([]);
    expect(r.code).toBe(1);
  });

  it('reports an unreadable tokens file without a stack trace', async () => {
    const r = await run([join(tempDir('runnerform-tokens-'), 'missing.json')], ENV());
    expect(r.stderr).toMatch(/cannot read .*missing\.json: ENOENT/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
  });
});
