// `runnerform health` end to end against the fake GitLab: one test per rule,
// each built so that it fails when its rule is taken out.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import type { Seed, SeedRunner } from '../fake-gitlab/seed.js';
import { Ajv } from 'ajv';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { OWNER_TOKEN, e2eSeed, runCli, tempDir, writeFile } from './harness.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

let fake: FakeGitLab | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  fake = undefined;
  dir = undefined;
});

/** A fake with `runners` in acme/platform (and `patch` applied to the seed), a runners.yaml declaring `declared`. */
async function setup(runners: SeedRunner[], declared: string[], opts: { patch?: (s: Seed) => void } = {}) {
  const seed = e2eSeed();
  seed.gitlab_version = '18.6.1';
  seed.runners!.push(...runners);
  opts.patch?.(seed);
  fake = await startFakeGitLab(seed);
  dir = tempDir();
  const list = declared.map((d) => `      - description: ${d}\n`).join('');
  writeFile(dir, 'runners.yaml', `version: 1\ngroups:\n  - path: acme/platform\n    runners:\n${list}`);
  return { fake, dir };
}

const health = (args: string[] = []) => runCli(['health', ...args], { cwd: dir, env: { GITLAB_URL: fake!.url, GITLAB_TOKEN: OWNER_TOKEN } });

interface JsonFinding {
  rule: string;
  address: string;
  system_id: string | null;
  declared: boolean;
  message: string;
  remedy: string;
}
async function findings(args: string[] = []): Promise<{ code: number | null; findings: JsonFinding[] }> {
  const r = await health(['--format', 'json', ...args]);
  expect(r.stderr).toMatch(/^GitLab: \S+ \(from GITLAB_URL\)\n$/);
  return { code: r.code, findings: (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings };
}

const online = (system_id: string, version = '18.6.0') => ({ system_id, version, revision: 'abc', platform: 'linux', architecture: 'amd64', contacted_at: ago(60_000) });
const ADDR = 'group["acme/platform"].runner["docker"]';

describe('runnerform health', () => {
  it('exits 0 and says healthy for runners whose managers are current and online', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [online('s_a'), online('s_b')] }], ['docker']);
    const r = await health();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Healthy: no findings.');
    expect(r.stdout).toContain('(GitLab 18.6.1)');
  });

  it('reports a manager more than max_minor_skew minors behind GitLab, with its system_id', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [online('s_new'), online('s_old', '18.2.3')] }], ['docker']);
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f).toEqual([expect.objectContaining({ rule: 'version_skew', address: ADDR, system_id: 's_old', declared: true })]);
    expect(f[0]?.message).toContain('18.2.3, 4 minor releases behind GitLab 18.6');
  });

  it('reports a manager with a newer patch of its minor running elsewhere in the read (version_patch), naming where', async () => {
    await setup(
      [
        { id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [online('s_a', '18.5.1'), online('s_b', '18.6.1')] },
        // Undeclared, yet what its manager runs is a fact about which releases exist.
        { id: 51, runner_type: 'group_type', group: 'acme/platform', description: 'hand-made', managers: [online('s_y', '18.5.3')] },
      ],
      ['docker'],
    );
    const r = await health(['--format', 'json']);
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout) as { findings: JsonFinding[]; runners: { manager_upgrades: unknown[] }[] };
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'version_patch', address: ADDR, system_id: 's_a', declared: true })]);
    expect(report.findings[0]?.message).toBe(
      'manager s_a runs gitlab-runner 18.5.1; 18.5.3, a newer patch release of 18.5, runs on manager s_y of runner group["acme/platform"].runner["hand-made"]',
    );
    expect(report.findings[0]?.remedy).toContain('upgrade gitlab-runner on host s_a to 18.5.3');
    expect(report.runners[0]?.manager_upgrades).toEqual([
      { system_id: 's_a', version: '18.5.1', upgrade_status: 'recommended', minors_behind: 1, newer_patch: '18.5.3' },
      { system_id: 's_b', version: '18.6.1', upgrade_status: 'not_available', minors_behind: 0, newer_patch: null },
    ]);
    const text = await health();
    expect(text.stdout).toContain('! version_patch: group["acme/platform"].runner["docker"] manager s_a\n');
    expect(text.stdout).toContain('Upgrade status of 2 runner managers: 1 recommended, 1 not_available.');
  });

  it('takes a newer patch from a runner the scope only sees (a project runner it borrows), named by description and id', async () => {
    await setup([{ id: 50, runner_type: 'project_type', projects: ['acme/platform/api'], description: 'api-e2e', managers: [online('s_a', '18.6.0')] }], [], {
      patch: (s) => (s.runners!.find((r) => r.description === 'tools-borrowed')!.managers = [online('s_up', '18.6.2')]),
    });
    writeFile(dir!, 'runners.yaml', 'version: 1\nprojects:\n  - path: acme/platform/api\n    runners:\n      - description: api-e2e\n');
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f.map((x) => [x.rule, x.address, x.system_id, x.message])).toEqual([
      [
        'version_patch',
        'project["acme/platform/api"].runner["api-e2e"]',
        's_a',
        'manager s_a runs gitlab-runner 18.6.0; 18.6.2, a newer patch release of 18.6, runs on manager s_up of runner "tools-borrowed" (id 3)',
      ],
    ]);
  });

  it('shows a manager behind GitLab\'s minor but within max_minor_skew as available, and it is no finding', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [online('s_a', '18.5.3'), online('s_b', '18.6.0')] }], ['docker']);
    const r = await health(['--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { healthy: boolean; findings: JsonFinding[]; runners: { manager_upgrades: { system_id: string; upgrade_status: string }[] }[] };
    expect([report.healthy, report.findings]).toEqual([true, []]);
    expect(report.runners[0]?.manager_upgrades.map((m) => [m.system_id, m.upgrade_status])).toEqual([
      ['s_a', 'available'],
      ['s_b', 'not_available'],
    ]);
    const text = await health();
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Healthy: no findings.\n\nUpgrade status of 2 runner managers: 1 available, 1 not_available.\n');
    expect(text.stdout).toContain(`  available: ${ADDR} manager s_a runs 18.5.3, 1 minor release behind GitLab 18.6.1: an upgrade is available, not yet recommended\n`);
    const metrics = await health(['--format', 'openmetrics']);
    expect(metrics.code).toBe(0);
    const family = parsePrometheusTextFormat(metrics.stdout).find((f) => f.name === 'runnerform_runner_manager_upgrade_status');
    expect(family?.metrics.map((m) => [m.labels!.system_id, m.labels!.version, m.labels!.status, m.value])).toEqual([
      ['s_a', '18.5.3', 'available', '1'],
      ['s_b', '18.6.0', 'not_available', '1'],
    ]);
  });

  it('honours a per-runner max_minor_skew override', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [online('s_old', '18.2.3')] }], []);
    writeFile(dir!, 'runners.yaml', 'version: 1\nhealth:\n  max_minor_skew: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: docker\n        health:\n          max_minor_skew: 4\n');
    const { code } = await findings();
    expect(code).toBe(0);
  });

  it('reports an offline manager among online ones', async () => {
    const gone = { ...online('s_gone'), contacted_at: ago(5 * HOUR) };
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [online('s_a'), gone] }], ['docker']);
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f).toEqual([expect.objectContaining({ rule: 'offline_manager', address: ADDR, system_id: 's_gone' })]);
    expect(f[0]?.message).toContain('while 1 other manager is online');
  });

  it('reports a legacy registration, declared or not (unmanaged), with the migration path', async () => {
    await setup(
      [
        { id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', creation_method: 'registration_token', managers: [online('s_a')] },
        { id: 51, runner_type: 'group_type', group: 'acme/platform', description: 'old-undeclared', creation_method: 'registration_token' },
      ],
      ['docker'],
    );
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f.map((x) => [x.rule, x.address, x.declared])).toEqual([
      ['legacy_registration', ADDR, true],
      ['legacy_registration', 'group["acme/platform"].runner["old-undeclared"]', false],
    ]);
    expect(f[0]?.remedy).toContain('POST /user/runners');
  });

  it('warns for a declared runner a pruning group would delete before its host starts', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', created_at: ago(10 * 60_000) }], ['docker'], {
      patch: (s) => (s.groups!.find((g) => g.full_path === 'acme/platform')!.allow_stale_runner_pruning = true),
    });
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f).toEqual([expect.objectContaining({ rule: 'stale_pruning', address: ADDR })]);
    expect(f[0]?.message).toContain('GitLab deletes it after');
  });

  it('reports a token expiring within 7 days, and a stale runner', async () => {
    await setup(
      [
        { id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', token_expires_at: inFuture(3 * DAY), managers: [online('s_a')] },
        { id: 51, runner_type: 'group_type', group: 'acme/platform', description: 'quiet', contacted_at: ago(8 * DAY), managers: [] },
        { id: 52, runner_type: 'group_type', group: 'acme/platform', description: 'unstarted', created_at: ago(2 * HOUR), managers: [] },
      ],
      ['docker', 'quiet', 'unstarted'],
    );
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f.map((x) => [x.rule, x.address])).toEqual([
      ['token_expiring', ADDR],
      ['stale', 'group["acme/platform"].runner["quiet"]'],
      ['never_contacted', 'group["acme/platform"].runner["unstarted"]'],
    ]);
  });

  it('reads managers over REST with --api rest (GET /runners/:id/managers); the creation method and token expiry REST never says are unknown', async () => {
    const gone = { ...online('s_gone'), contacted_at: ago(5 * HOUR) };
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [online('s_a'), gone] }], ['docker']);
    const { code, findings: f } = await findings(['--api', 'rest']);
    expect(code).toBe(2);
    expect(f.map((x) => [x.rule, x.system_id])).toEqual([
      ['offline_manager', 's_gone'],
      ['unknown', null],
      ['unknown', null],
    ]);
    expect(f[1]?.message).toContain("GitLab's REST API does not show token expiry dates: token expiry of 1 runner not checked");
    expect(f[2]?.message).toContain('legacy registrations not checked');
    expect(fake!.requests.some((r) => r.method === 'GET' && r.path === '/runners/50/managers')).toBe(true);
  });

  it('exits 1 on an error (a declared group GitLab does not show), with no report on stdout', async () => {
    await setup([], []);
    writeFile(dir!, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/nope\n    runners: []\n');
    const r = await health();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('acme/nope');
  });

  it('says what it could not check: a manager without a version is unknown, never healthy', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', managers: [{ ...online('s_a'), version: null }] }], ['docker']);
    const { code, findings: f } = await findings();
    expect(code).toBe(2);
    expect(f).toEqual([expect.objectContaining({ rule: 'unknown', address: 'gitlab' })]);
  });
});

describe('token renewal and self-rotation', () => {
  const RENEW_YAML = `version: 1
health:
  token_renew_before: 7d
groups:
  - path: acme/platform
    runners:
      - description: docker
        token:
          gitlab_variable:
            group: acme/platform
            key: RUNNER_TOKEN
            protected: false
`;
  const cli = (args: string[]) => runCli(args, { cwd: dir, env: { GITLAB_URL: fake!.url, GITLAB_TOKEN: OWNER_TOKEN } });

  it('plans a token expiring in 3 days as a renewal, and apply resets it and delivers the new token', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', created_at: ago(27 * DAY), token_expires_at: inFuture(3 * DAY), managers: [online('s_a')] }], [], {
      patch: (s) => (s.runner_token_expiration_interval = 30 * 24 * 3600),
    });
    writeFile(dir!, 'runners.yaml', RENEW_YAML);
    const plan = await cli(['plan', '--format', 'json']);
    expect(plan.code, plan.stderr).toBe(0);
    const change = (JSON.parse(plan.stdout) as { changes: { address: string; action: string; reason: string | null }[] }).changes[0];
    expect(change).toEqual(expect.objectContaining({ address: ADDR, action: 'token-reset', reason: 'renew' }));
    const planSchema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: true }).compile(planSchema);
    expect(validate(JSON.parse(plan.stdout)), JSON.stringify(validate.errors)).toBe(true);
    const text = await cli(['plan']);
    expect(text.stdout).toContain('will be reset: renewal: its token expires within health.token_renew_before');

    const before = fake!.runnerToken(50);
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(fake!.runnerToken(50)).not.toBe(before);
    expect(fake!.variable({ group: 'acme/platform' }, 'RUNNER_TOKEN')?.value).toBe(fake!.runnerToken(50));
    // Renewed: the next plan has nothing to do and health no longer warns.
    const again = await cli(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
    const { code } = await findings();
    expect(code).toBe(0);
  });

  it('detects a token gitlab-runner rotated itself: its expiry moved without runnerform', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', created_at: ago(27 * DAY), token_expires_at: inFuture(3 * DAY), managers: [online('s_a')] }], [], {
      patch: (s) => (s.runner_token_expiration_interval = 30 * 24 * 3600),
    });
    writeFile(dir!, 'runners.yaml', RENEW_YAML);
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect((await findings(['--tokens-out', 'tokens.json'])).code).toBe(0);

    // What gitlab-runner does at ~75 % of the lifetime: POST /runners/reset_authentication_token with its own token.
    // The fake's clock is real, so the new expiry is later by the time that passed; make it clearly later.
    const later = Date.now() + 5 * 60_000;
    const realNow = Date.now;
    Date.now = () => later;
    let rotated: Response;
    try {
      rotated = await fetch(`${fake!.url}/api/v4/runners/reset_authentication_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: fake!.runnerToken(50) }),
      });
    } finally {
      Date.now = realNow;
    }
    expect(rotated.status).toBe(201);
    const { code, findings: f } = await findings(['--tokens-out', 'tokens.json']);
    expect(code).toBe(2);
    expect(f).toEqual([expect.objectContaining({ rule: 'token_self_rotated', address: ADDR })]);
    expect(f[0]?.remedy).toContain('FF_DISABLE_AUTOMATIC_TOKEN_ROTATION');
    expect(f[0]?.message).toMatch(/, not at \d{4}-\d\d-\d\dT[\d:.]+Z as when runnerform stored it/);
  });

  it('does not call a reset made without the tokens file a self-rotation when the runner never contacted GitLab', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', created_at: ago(27 * DAY), token_expires_at: inFuture(3 * DAY) }], [], {
      patch: (s) => (s.runner_token_expiration_interval = 30 * 24 * 3600),
    });
    writeFile(dir!, 'runners.yaml', RENEW_YAML);
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);

    // The request `runnerform rotate` sends (here without --tokens-out, so the file keeps the old expiry), made later.
    const later = Date.now() + 5 * 60_000;
    const realNow = Date.now;
    Date.now = () => later;
    let reset: Response;
    try {
      reset = await fetch(`${fake!.url}/api/v4/runners/50/reset_authentication_token`, { method: 'POST', headers: { 'PRIVATE-TOKEN': OWNER_TOKEN } });
    } finally {
      Date.now = realNow;
    }
    expect(reset.status).toBe(201);
    const { findings: f } = await findings(['--tokens-out', 'tokens.json']);
    // gitlab-runner rotates a token only after it has contacted GitLab: this runner never did.
    expect(f.filter((x) => x.rule === 'token_self_rotated')).toEqual([]);
  });

  it('renews an old runner once, then withholds: the tokens file bounds the lifetime of the token it stored (REST wrote it with milliseconds)', async () => {
    await setup([{ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', created_at: ago(400 * DAY), token_expires_at: inFuture(2 * DAY), managers: [online('s_a')] }], [], {
      patch: (s) => (s.runner_token_expiration_interval = 3 * 24 * 3600),
    });
    writeFile(dir!, 'runners.yaml', RENEW_YAML);
    const resets = () => fake!.requests.filter((r) => /reset_authentication_token/.test(r.path)).length;
    for (let run = 0; run < 3; run++) {
      const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
      expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    }
    expect(resets()).toBe(1);
    const stored = JSON.parse(readFileSync(join(dir!, 'tokens.json'), 'utf8')) as { id: number; token_expires_at: string }[];
    expect(stored.find((e) => e.id === 50)?.token_expires_at).toMatch(/\.\d{3}Z$/);
    const plan = await cli(['plan', '--tokens-out', 'tokens.json']);
    expect(plan.stdout).toContain('but GitLab issued this token to live at most 3 days');
    expect(fake!.variable({ group: 'acme/platform' }, 'RUNNER_TOKEN')?.value).toBe(fake!.runnerToken(50));
  });

  it('withholds a renewal that would be due again at once (tokens live 3 days, token_renew_before is 7d), with and without the tokens file', async () => {
    await setup([], [], { patch: (s) => (s.runner_token_expiration_interval = 3 * 24 * 3600) });
    writeFile(dir!, 'runners.yaml', RENEW_YAML);
    const created = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const runner = fake!.runners().find((r) => r.description === 'docker')!;
    const token = fake!.runnerToken(runner.id);
    const resets = () => fake!.requests.filter((r) => /reset_authentication_token/.test(r.path)).length;

    // Bounded by the journal (the intent before the create) and by created_at alike.
    for (const args of [['--tokens-out', 'tokens.json'], []]) {
      const plan = await cli(['plan', '--detailed-exitcode', ...args]);
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(plan.stdout).toContain('within health.token_renew_before (1w), but GitLab issued this token to live at most 3 days');
      expect(plan.stdout).toContain('Set token_renew_before below that (e.g. 2d)');
      expect(plan.stdout).not.toContain('within 7 days; a runner that does not renew it'); // said once, not twice
      const again = await cli(['apply', '--auto-approve', ...args]);
      expect(again.code, again.stdout + again.stderr).toBe(0);
    }
    expect(resets()).toBe(0);
    expect(fake!.runnerToken(runner.id)).toBe(token);
    const { findings: f } = await findings(['--tokens-out', 'tokens.json']);
    expect(f).toEqual([expect.objectContaining({ rule: 'token_expiring', address: ADDR })]);
    expect(f[0]?.remedy).toContain('a renewed token would be due again at once');

  });
});

describe('runnerform health --format openmetrics', () => {
  it('writes gauges a Prometheus text parser reads back, one family per metric, ending in # EOF', async () => {
    await setup(
      [
        { id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'docker', token_expires_at: inFuture(3 * DAY), managers: [online('s_a'), online('s_old', '18.2.0')] },
        { id: 51, runner_type: 'group_type', group: 'acme/platform', description: 'say "hi"\\now', managers: [{ ...online('s_gone'), contacted_at: ago(5 * HOUR) }] },
      ],
      ['docker', '\'say "hi"\\now\''],
    );
    const r = await health(['--format', 'openmetrics']);
    expect(r.code, r.stderr).toBe(2);
    // --out writes the same report to a file (renamed into place) and nothing to stdout.
    const toFile = await health(['--format', 'openmetrics', '--out', 'health.prom']);
    expect([toFile.code, toFile.stdout]).toEqual([2, '']);
    expect(readFileSync(join(dir!, 'health.prom'), 'utf8').replace(/(expires_seconds\{[^}]*\}) -?\d+/, '$1 N')).toBe(
      r.stdout.replace(/(expires_seconds\{[^}]*\}) -?\d+/, '$1 N'),
    );
    expect(r.stdout.endsWith('\n# EOF\n')).toBe(true);
    const families = parsePrometheusTextFormat(r.stdout);
    const byName = Object.fromEntries(families.map((f) => [f.name, f]));
    // The parser is lenient: nothing it read may be lost or half-read.
    const sampleLines = r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const samples = families.flatMap((f) => f.metrics);
    expect(samples).toHaveLength(sampleLines.length);
    for (const m of samples) {
      expect(Number.isFinite(Number(m.value)) && m.value !== '').toBe(true);
      expect(Object.keys(m.labels ?? {}).length).toBeGreaterThan(0);
    }
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['runnerform_runner_managers', 'GAUGE'],
      ['runnerform_runner_version_skew_minors', 'GAUGE'],
      ['runnerform_runner_manager_upgrade_status', 'GAUGE'],
      ['runnerform_runner_token_expires_seconds', 'GAUGE'],
      ['runnerform_health_findings', 'GAUGE'],
    ]);
    const odd = 'group["acme/platform"].runner["say \\"hi\\"\\\\now"]';
    const managers = byName.runnerform_runner_managers!.metrics.map((m) => [m.labels!.address, m.labels!.status, Number(m.value)]);
    expect(managers).toContainEqual([ADDR, 'online', 2]);
    expect(managers).toContainEqual([odd, 'offline', 1]);
    expect(managers).toContainEqual([odd, 'online', 0]);
    expect(byName.runnerform_runner_version_skew_minors!.metrics.map((m) => [m.labels!.address, Number(m.value)])).toEqual([[ADDR, 4], [odd, 0]]);
    // One sample per manager, its status a label: 18.2.0 is 4 minors behind GitLab 18.6.
    const upgrades = byName.runnerform_runner_manager_upgrade_status!.metrics;
    expect(upgrades.every((m) => m.value === '1')).toBe(true);
    expect(upgrades.map((m) => [m.labels!.address, m.labels!.system_id, m.labels!.status])).toEqual([
      [ADDR, 's_a', 'not_available'],
      [ADDR, 's_old', 'recommended'],
      [odd, 's_gone', 'not_available'],
    ]);
    const expires = Number(byName.runnerform_runner_token_expires_seconds!.metrics[0]?.value);
    expect(expires).toBeGreaterThan(3 * 86400 - 600);
    expect(expires).toBeLessThanOrEqual(3 * 86400);
    const findingCounts = Object.fromEntries(byName.runnerform_health_findings!.metrics.map((m) => [m.labels!.rule, Number(m.value)]));
    expect(findingCounts).toEqual(expect.objectContaining({ version_skew: 1, offline_manager: 1, token_expiring: 1, legacy_registration: 0 }));
  });
});
