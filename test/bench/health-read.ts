// `npm run bench:health`: the health read of 1,000 runners with 2 managers
// each (10 groups × 100) against the fake GitLab at 20 ms per request:
// requests (target ≤ 10; 4 in 2026-12: fields, groups, runners, metadata), wall time, and GitLab's limits.
// Not a test: it measures, prints a table and exits non-zero if a target is missed.
import { createGitLabClient, DEFAULT_PARALLELISM } from '../../src/gitlab/client.js';
import { readHealthLive } from '../../src/gitlab/health-read.js';
import type { ScopeRef } from '../../src/model.js';
import type { Seed, SeedRunner } from '../fake-gitlab/seed.js';
import { FakeChild } from './fake-child-client.js';

const TOKEN = 'glpat-bench-0123456789abcdefghij';
const GROUPS = 10;
const PER_GROUP = 100;

function seed(): Seed {
  const contacted = new Date(Date.now() - 60_000).toISOString();
  const groups = Array.from({ length: GROUPS }, (_, g) => ({ id: 1000 + g, full_path: `bench/g${g}` }));
  const runners: SeedRunner[] = groups.flatMap((grp, g) =>
    Array.from({ length: PER_GROUP }, (_, r) => ({
      runner_type: 'group_type' as const,
      group: grp.full_path,
      description: `runner-${g}-${r}`,
      tag_list: ['docker'],
      managers: ['a', 'b'].map((h) => ({ system_id: `s_${g}_${r}_${h}`, version: '18.5.1', revision: 'abc', platform: 'linux', architecture: 'amd64', contacted_at: contacted })),
    })),
  );
  return {
    users: [{ id: 1, username: 'bench', groups: { bench: 'owner' } }],
    tokens: [{ token: TOKEN, user: 'bench', scopes: ['api'] }],
    groups: [{ id: 999, full_path: 'bench' }, ...groups],
    runners,
    latency_ms: 20,
    runner_token_expiration_interval: 30 * 86400,
  };
}

async function main(): Promise<number> {
  const { fake, url } = await FakeChild.start(seed());
  try {
    const refs: ScopeRef[] = Array.from({ length: GROUPS }, (_, g) => ({ type: 'group', path: `bench/g${g}` }));
    await fake.call({ cmd: 'reset' });
    const client = createGitLabClient({ gitlabUrl: url, token: TOKEN, parallelism: DEFAULT_PARALLELISM });
    const start = performance.now();
    const { live, fleet } = await readHealthLive(client, refs, {
      settings: { api: 'graphql' },
      notice: (line) => {
        throw new Error(`the GraphQL read fell back to REST: ${line}`);
      },
    });
    const wallMs = performance.now() - start;
    const stats = await fake.call({ cmd: 'stats' });
    const g = stats.graphql!;
    const owned = live.scopes.flatMap((s) => s.owned);
    const managers = owned.reduce((n, r) => n + (r.health?.managers?.length ?? 0), 0);
    process.stdout.write(
      '| run | runners | managers | wall time | requests | largest complexity | longest query |\n|---|---:|---:|---:|---:|---:|---:|\n' +
        `| health read, ${GROUPS} groups × ${PER_GROUP} runners × 2 managers, 20 ms latency | ${owned.length} | ${managers} | ` +
        `${(wallMs / 1000).toFixed(2)} s | ${stats.requests} | ${g.maxComplexity ?? '–'} | ${g.maxQueryLength} chars |\n\n`,
    );
    const checks = [
      { what: 'requests ≤ 10', ok: stats.requests! <= 10, detail: String(stats.requests) },
      { what: 'all 1,000 runners and 2,000 managers read', ok: owned.length === 1000 && managers === 2000, detail: `${owned.length} / ${managers}` },
      { what: "GitLab's version read", ok: fleet.gitlab_version !== null, detail: String(fleet.gitlab_version) },
      { what: 'no request over complexity 250 or 10,000 characters', ok: g.overComplexityLimit + g.overSizeLimit === 0, detail: `${g.maxComplexity} / ${g.maxQueryLength}` },
    ];
    for (const c of checks) process.stdout.write(`${c.ok ? 'PASS' : 'FAIL'}  ${c.what}: ${c.detail}\n`);
    return checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    await fake.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
