// GitLab's REST API never shows a runner's token expiry
// (lib/api/entities/ci/runner_details.rb); its GraphQL API does. A token that
// expires in 2 days, with health.token_renew_before: 7d: GraphQL plans the
// renewal, REST must not answer "No changes" as if the token never expired,
// nor health call it healthy. Both say once what they could not check.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, tempDir, writeFile } from './harness.js';

const DAY = 24 * 3600_000;
const ADDR = 'group["acme/platform"].runner["docker"]';
const NOT_SHOWN = "token expiry of 1 runner not shown by GitLab's REST API: not checked (no renewal, no expiry warning); GitLab's GraphQL API shows it (--api graphql)";

let fake: FakeGitLab | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  fake = undefined;
  dir = undefined;
});

async function setup(): Promise<void> {
  const seed = e2eSeed();
  seed.gitlab_version = '18.6.1';
  const contacted = new Date(Date.now() - 60_000).toISOString();
  const manager = { system_id: 's_a', version: '18.6.0', revision: 'abc', platform: 'linux', architecture: 'amd64', contacted_at: contacted };
  seed.runners!.push({
    id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', contacted_at: contacted,
    // Created 28 days ago with a 30-day token: a renewal gives it 30 more days (plan/renewal.ts).
    created_at: new Date(Date.now() - 28 * DAY).toISOString(), token_expires_at: new Date(Date.now() + 2 * DAY).toISOString(), managers: [manager],
  });
  fake = await startFakeGitLab(seed);
  dir = tempDir();
  writeFile(dir, 'runners.yaml', 'version: 1\nhealth:\n  token_renew_before: 7d\ngroups:\n  - path: acme/platform\n    runners:\n      - description: docker\n');
}

const cli = (args: string[]) => runCli(args, { cwd: dir, env: { GITLAB_URL: fake!.url, GITLAB_TOKEN: OWNER_TOKEN } });

interface Finding {
  rule: string;
  address: string;
  message: string;
  remedy: string;
}

describe('token expiry through the REST API', () => {
  it('plan: GraphQL plans the renewal (exit 2); REST plans none and says once that it did not check expiry', async () => {
    await setup();
    const graphql = await cli(['plan', '--api', 'graphql', '--detailed-exitcode', '--tokens-out', 'tokens.json']);
    expect(graphql.code, graphql.stdout + graphql.stderr).toBe(2);
    expect(graphql.stdout).toContain('will be reset: renewal: its token expires within health.token_renew_before');
    expect(graphql.stdout).not.toContain("not shown by GitLab's REST API");

    const rest = await cli(['plan', '--api', 'rest', '--detailed-exitcode', '--tokens-out', 'tokens.json']);
    expect(rest.code, rest.stdout + rest.stderr).toBe(0);
    expect(rest.stdout).not.toContain('will be reset');
    expect(rest.stdout.split(NOT_SHOWN)).toHaveLength(2);

    const json = await cli(['plan', '--api', 'rest', '--format', 'json']);
    expect((JSON.parse(json.stdout) as { warnings: unknown[] }).warnings).toContainEqual({ address: 'group acme/platform', kind: 'hidden_fields', message: NOT_SHOWN });
  });

  it('plan: the automatic fallback to REST (a GitLab without GraphQL) says the same', async () => {
    await setup();
    fake!.inject({ method: 'POST', path: '/api/graphql', times: 10, fault: { kind: 'status', status: 404 } });
    const r = await cli(['plan', '--detailed-exitcode', '--tokens-out', 'tokens.json']);
    expect(r.stderr).toContain('reading the runners through the REST API instead (--api rest).');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.split(NOT_SHOWN)).toHaveLength(2);
  });

  it('health: GraphQL reports the expiring token; REST reports the expiry as unknown, never healthy', async () => {
    await setup();
    const graphql = await cli(['health', '--format', 'json']);
    expect(graphql.code, graphql.stderr).toBe(2);
    expect((JSON.parse(graphql.stdout) as { findings: Finding[] }).findings.map((f) => [f.rule, f.address])).toEqual([['token_expiring', ADDR]]);

    const rest = await cli(['health', '--api', 'rest', '--format', 'json']);
    expect(rest.code, rest.stderr).toBe(2);
    const findings = (JSON.parse(rest.stdout) as { findings: Finding[] }).findings;
    expect(findings.map((f) => [f.rule, f.message])).toContainEqual(['unknown', "GitLab's REST API does not show token expiry dates: token expiry of 1 runner not checked"]);
    expect(findings.find((f) => f.message.includes('token expiry'))?.remedy).toBe("read through GitLab's GraphQL API (--api graphql, the default)");
    expect(findings.map((f) => f.rule)).not.toContain('token_expiring');

    // The gauge is absent, and its help no longer says that absent means "never expires".
    const metrics = await cli(['health', '--api', 'rest', '--format', 'openmetrics']);
    expect(metrics.stdout).not.toMatch(/^runnerform_runner_token_expires_seconds\{/m);
    expect(metrics.stdout).toContain(
      '# HELP runnerform_runner_token_expires_seconds Seconds until the runner token expires (negative: expired); absent when it never expires or is not known (an unknown finding then says so).',
    );
    expect(metrics.stdout).toMatch(/^runnerform_health_findings\{rule="unknown"\} [1-9]/m);
  });
});
