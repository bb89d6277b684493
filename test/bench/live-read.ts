// `npm run bench`: how fast and how frugal a full live-state read is, through
// GraphQL (the default) and REST, same run, same fake, same latency.
// Not a test: it measures, prints a table and exits non-zero if a target is missed.
//   1. 100 groups × 10 runners, 20 ms latency: wall time, requests and peak
//      concurrency at --parallelism 1 and at the default (8).
//   2. 10 groups × 100 runners + 50 projects × 10 runners: requests.
//   3. 10,000 runners: peak RSS / heap of this process (the fake runs in a child).
// The fake's log says each GraphQL request's complexity and query length.
import { createGitLabClient, DEFAULT_PARALLELISM } from '../../src/gitlab/client.js';
import { readLive, type ReadApi } from '../../src/gitlab/read-live.js';
import type { ScopeRef } from '../../src/model.js';
import type { Seed, SeedRunner } from '../fake-gitlab/seed.js';
import { coldStart, coldStartTable, type ColdStartRow } from './cold-start.js';
import { FakeChild } from './fake-child-client.js';

const TOKEN = 'glpat-bench-0123456789abcdefghij';
const MiB = 1024 * 1024;

function benchSeed(groups: number, runnersPerGroup: number, latencyMs: number, projects = 0, runnersPerProject = 0): Seed {
  const runners: SeedRunner[] = [];
  const groupList = Array.from({ length: groups }, (_, g) => ({ id: 1000 + g, full_path: `bench/g${String(g).padStart(3, '0')}` }));
  groupList.forEach((grp, g) => {
    for (let r = 0; r < runnersPerGroup; r++) {
      runners.push({
        runner_type: 'group_type',
        group: grp.full_path,
        description: `runner-${g}-${r}`,
        tag_list: ['docker', `zone-${r % 3}`],
        maximum_timeout: 3600,
        maintenance_note: `bench runner ${r} of group ${g}`,
      });
    }
  });
  const projectList = Array.from({ length: projects }, (_, p) => ({ id: 5000 + p, path_with_namespace: `bench/p${String(p).padStart(3, '0')}` }));
  projectList.forEach((proj, p) => {
    for (let r = 0; r < runnersPerProject; r++) {
      runners.push({ runner_type: 'project_type', projects: [proj.path_with_namespace], description: `prunner-${p}-${r}`, tag_list: ['docker'], maximum_timeout: 1800 });
    }
  });
  return {
    users: [{ id: 1, username: 'bench', groups: { bench: 'owner' } }],
    tokens: [{ token: TOKEN, user: 'bench', scopes: ['api'] }],
    groups: [{ id: 999, full_path: 'bench' }, ...groupList],
    projects: projectList,
    runners,
    latency_ms: latencyMs,
  };
}

interface Run {
  label: string;
  api: ReadApi;
  parallelism: number;
  runners: number;
  wallMs: number;
  requests: number;
  peakConcurrency: number;
  peakRssMiB?: number;
  peakHeapMiB?: number;
  /** GraphQL requests only: the largest complexity and longest query text the fake saw, and how many broke a limit. */
  maxComplexity: number | null;
  maxQueryLength: number;
  overLimits: number;
}

async function measure(label: string, api: ReadApi, fake: FakeChild, url: string, refs: ScopeRef[], parallelism: number, sampleMemory: boolean): Promise<Run> {
  await fake.call({ cmd: 'reset' });
  globalThis.gc?.();
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = sampleMemory ? setInterval(sample, 25) : undefined;
  const client = createGitLabClient({ gitlabUrl: url, token: TOKEN, parallelism });
  const start = performance.now();
  const live = await readLive(client, refs, {
    settings: { api },
    notice: (line) => {
      throw new Error(`the GraphQL read fell back to REST: ${line}`);
    },
  });
  const wallMs = performance.now() - start;
  if (timer) clearInterval(timer);
  sample();
  const stats = await fake.call({ cmd: 'stats' });
  const runners = live.scopes.reduce((n, s) => n + s.owned.length, 0);
  const g = stats.graphql!;
  return {
    label,
    api,
    parallelism,
    runners,
    maxComplexity: g.maxComplexity,
    maxQueryLength: g.maxQueryLength,
    overLimits: g.overComplexityLimit + g.overSizeLimit,
    wallMs,
    requests: stats.requests!,
    peakConcurrency: stats.peakConcurrency!,
    ...(sampleMemory ? { peakRssMiB: peakRss / MiB, peakHeapMiB: peakHeap / MiB } : {}),
  };
}

function groupRefs(n: number): ScopeRef[] {
  return Array.from({ length: n }, (_, g) => ({ type: 'group', path: `bench/g${String(g).padStart(3, '0')}` }));
}

function projectRefs(n: number): ScopeRef[] {
  return Array.from({ length: n }, (_, p) => ({ type: 'project', path: `bench/p${String(p).padStart(3, '0')}` }));
}

/**
 * One resolve per scope + one list page per started 100 runners per scope + one detail per runner,
 * + 3 for the bench's Owner who inherits every group: the token's user and its role in `bench`
 * (refusal predictions), and `bench`'s own runner list (GitLab names no group in the details of a
 * runner of a group the user only inherits and that has no project: the parent's list tells the owner).
 */
function requestBudget(groups: number, perGroup: number): number {
  return groups * (1 + Math.max(1, Math.ceil(perGroup / 100)) + perGroup) + 3;
}

function table(runs: Run[]): string {
  const head = '| run | api | parallelism | runners | wall time | requests | peak concurrency | peak RSS | peak heap | largest complexity | longest query |';
  const sep = '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = runs.map(
    (r) =>
      `| ${r.label} | ${r.api} | ${r.parallelism} | ${r.runners} | ${(r.wallMs / 1000).toFixed(2)} s | ${r.requests} | ${r.peakConcurrency} | ` +
      `${r.peakRssMiB === undefined ? '–' : `${r.peakRssMiB.toFixed(0)} MiB`} | ${r.peakHeapMiB === undefined ? '–' : `${r.peakHeapMiB.toFixed(0)} MiB`} | ` +
      `${r.maxComplexity ?? '–'} | ${r.api === 'graphql' ? `${r.maxQueryLength} chars` : '–'} |`,
  );
  return [head, sep, ...rows].join('\n');
}

async function main(): Promise<number> {
  const checks: { what: string; ok: boolean; detail: string }[] = [];
  const runs: Run[] = [];
  let spawned: ColdStartRow[];

  const limits = (r: Run) =>
    checks.push({
      what: `${r.label} (${r.api}, parallelism ${r.parallelism}): no GraphQL request over complexity 250 or 10,000 characters`,
      ok: r.overLimits === 0 && (r.maxComplexity ?? 0) <= 250 && r.maxQueryLength <= 10_000,
      detail: `largest complexity ${r.maxComplexity ?? '–'}, longest query ${r.maxQueryLength} chars, ${r.overLimits} over a limit`,
    });

  // 1. Speed: 100 groups × 10 runners, 20 ms per request.
  {
    const { fake, url } = await FakeChild.start(benchSeed(100, 10, 20));
    try {
      const refs = groupRefs(100);
      const label = '100 groups × 10 runners, 20 ms latency';
      const restSerial = await measure(label, 'rest', fake, url, refs, 1, false);
      const restParallel = await measure(label, 'rest', fake, url, refs, DEFAULT_PARALLELISM, false);
      const gqlSerial = await measure(label, 'graphql', fake, url, refs, 1, false);
      const gqlParallel = await measure(label, 'graphql', fake, url, refs, DEFAULT_PARALLELISM, false);
      runs.push(restSerial, restParallel, gqlSerial, gqlParallel);
      const budget = requestBudget(100, 10);
      checks.push({
        what: 'REST: default parallelism takes ≤ 1/6 of the parallelism-1 time',
        ok: restParallel.wallMs <= restSerial.wallMs / 6,
        detail: `${(restParallel.wallMs / 1000).toFixed(2)} s vs ${(restSerial.wallMs / 1000).toFixed(2)} s (${(restSerial.wallMs / restParallel.wallMs).toFixed(1)}× faster)`,
      });
      checks.push({
        what: 'GraphQL at parallelism 1 is ≥ 25× faster than REST at parallelism 1',
        ok: restSerial.wallMs / gqlSerial.wallMs >= 25,
        detail: `${(gqlSerial.wallMs / 1000).toFixed(2)} s vs ${(restSerial.wallMs / 1000).toFixed(2)} s (${(restSerial.wallMs / gqlSerial.wallMs).toFixed(1)}×)`,
      });
      for (const r of [restSerial, restParallel]) {
        checks.push({ what: `REST requests ≤ ${budget} at parallelism ${r.parallelism}`, ok: r.requests <= budget, detail: String(r.requests) });
      }
      for (const r of [gqlSerial, gqlParallel]) {
        checks.push({ what: `GraphQL requests ≤ 10 at parallelism ${r.parallelism}`, ok: r.requests <= 10, detail: String(r.requests) });
        limits(r);
      }
      for (const r of [restSerial, restParallel, gqlSerial, gqlParallel]) {
        checks.push({ what: `${r.api}: peak concurrency ≤ ${r.parallelism}`, ok: r.peakConcurrency <= r.parallelism, detail: String(r.peakConcurrency) });
        checks.push({ what: `${r.api}: all 1000 runners owned at parallelism ${r.parallelism}`, ok: r.runners === 1000, detail: String(r.runners) });
      }
      // The whole CLI, spawned, on the same fleet: start-up and plan, before and after bundling.
      const cold = await coldStart({ url, token: TOKEN });
      spawned = cold.rows;
      checks.push(...cold.checks);
    } finally {
      await fake.close();
    }
  }

  // 2. Mixed scopes: 10 groups × 100 runners + 50 projects × 10 runners, 20 ms per request.
  {
    const { fake, url } = await FakeChild.start(benchSeed(10, 100, 20, 50, 10));
    try {
      const refs = [...groupRefs(10), ...projectRefs(50)];
      const label = '10 groups × 100 + 50 projects × 10 runners, 20 ms';
      const gql = await measure(label, 'graphql', fake, url, refs, DEFAULT_PARALLELISM, false);
      const rest = await measure(label, 'rest', fake, url, refs, DEFAULT_PARALLELISM, false);
      runs.push(gql, rest);
      checks.push({ what: 'GraphQL requests ≤ 10 for 10 groups × 100 + 50 projects × 10', ok: gql.requests <= 10, detail: String(gql.requests) });
      checks.push({ what: 'both readers own all 1,500 runners', ok: gql.runners === 1500 && rest.runners === 1500, detail: `${gql.runners} / ${rest.runners}` });
      limits(gql);
    } finally {
      await fake.close();
    }
  }

  // 3. Memory: 10,000 runners (100 groups × 100), no latency. GraphQL first, so REST's garbage does not count against it.
  {
    const { fake, url } = await FakeChild.start(benchSeed(100, 100, 0));
    try {
      const label = '100 groups × 100 runners (10,000), no latency';
      const gql = await measure(label, 'graphql', fake, url, groupRefs(100), DEFAULT_PARALLELISM, true);
      const rest = await measure(label, 'rest', fake, url, groupRefs(100), DEFAULT_PARALLELISM, true);
      runs.push(gql, rest);
      checks.push({ what: 'GraphQL requests ≤ 120 for 10,000 runners', ok: gql.requests <= 120, detail: String(gql.requests) });
      checks.push({ what: 'GraphQL peak RSS < 160 MiB for 10,000 runners', ok: gql.peakRssMiB! < 160, detail: `${gql.peakRssMiB!.toFixed(0)} MiB` });
      checks.push({ what: 'REST peak RSS < 256 MiB for 10,000 runners', ok: rest.peakRssMiB! < 256, detail: `${rest.peakRssMiB!.toFixed(0)} MiB` });
      checks.push({ what: `REST requests ≤ ${requestBudget(100, 100)} for 10,000 runners`, ok: rest.requests <= requestBudget(100, 100), detail: String(rest.requests) });
      checks.push({ what: 'both readers own all 10,000 runners', ok: gql.runners === 10_000 && rest.runners === 10_000, detail: `${gql.runners} / ${rest.runners}` });
      limits(gql);
    } finally {
      await fake.close();
    }
  }

  process.stdout.write(`${table(runs)}\n\n${coldStartTable(spawned)}\n\n`);
  for (const c of checks) process.stdout.write(`${c.ok ? 'PASS' : 'FAIL'}  ${c.what}: ${c.detail}\n`);
  const failed = checks.filter((c) => !c.ok).length;
  process.stdout.write(`\n${checks.length - failed} targets met, ${failed} missed (node ${process.version}).\n`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
