// `npm run bench`: how fast and how frugal a full live-state read is.
// Not a test: it measures, prints a table and exits non-zero if a target is missed.
//   1. 100 groups × 10 runners, 20 ms latency: wall time, requests and peak
//      concurrency at --parallelism 1 and at the default (8).
//   2. 10,000 runners: peak RSS / heap of this process (the fake runs in a child).
import { fork, type ChildProcess } from 'node:child_process';
import { createGitLabClient, DEFAULT_PARALLELISM } from '../../src/gitlab/client.js';
import { readLiveState } from '../../src/gitlab/live.js';
import type { ScopeRef } from '../../src/model.js';
import type { Seed, SeedRunner } from '../fake-gitlab/seed.js';
import type { ChildReply, ChildRequest } from './fake-child.js';

const TOKEN = 'glpat-bench-0123456789abcdefghij';
const MiB = 1024 * 1024;

function benchSeed(groups: number, runnersPerGroup: number, latencyMs: number): Seed {
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
  return {
    users: [{ id: 1, username: 'bench', groups: { bench: 'owner' } }],
    tokens: [{ token: TOKEN, user: 'bench', scopes: ['api'] }],
    groups: [{ id: 999, full_path: 'bench' }, ...groupList],
    runners,
    latency_ms: latencyMs,
  };
}

/** The fake GitLab in a child process, driven over IPC. */
class FakeChild {
  private readonly child: ChildProcess;
  private constructor() {
    this.child = fork(new URL('./fake-child.js', import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }
  static async start(seed: Seed): Promise<{ fake: FakeChild; url: string }> {
    const fake = new FakeChild();
    const reply = await fake.call({ cmd: 'start', seed });
    return { fake, url: reply.url! };
  }
  call(msg: ChildRequest): Promise<Extract<ChildReply, { ok: true }>> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (reply: ChildReply) => (reply.ok ? resolve(reply) : reject(new Error(reply.error))));
      this.child.send(msg);
    });
  }
  async close(): Promise<void> {
    await this.call({ cmd: 'close' });
    await new Promise((r) => this.child.once('exit', r));
  }
}

interface Run {
  label: string;
  parallelism: number;
  runners: number;
  wallMs: number;
  requests: number;
  peakConcurrency: number;
  peakRssMiB?: number;
  peakHeapMiB?: number;
}

async function measure(label: string, fake: FakeChild, url: string, refs: ScopeRef[], parallelism: number, sampleMemory: boolean): Promise<Run> {
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
  const api = createGitLabClient({ url, token: TOKEN, parallelism });
  const start = performance.now();
  const live = await readLiveState(api, refs);
  const wallMs = performance.now() - start;
  if (timer) clearInterval(timer);
  sample();
  const stats = await fake.call({ cmd: 'stats' });
  const runners = live.scopes.reduce((n, s) => n + s.owned.length, 0);
  return {
    label,
    parallelism,
    runners,
    wallMs,
    requests: stats.requests!,
    peakConcurrency: stats.peakConcurrency!,
    ...(sampleMemory ? { peakRssMiB: peakRss / MiB, peakHeapMiB: peakHeap / MiB } : {}),
  };
}

function groupRefs(n: number): ScopeRef[] {
  return Array.from({ length: n }, (_, g) => ({ type: 'group', path: `bench/g${String(g).padStart(3, '0')}` }));
}

/** One resolve per scope + one list page per started 100 runners per scope + one detail per runner. */
function requestBudget(groups: number, perGroup: number): number {
  return groups * (1 + Math.max(1, Math.ceil(perGroup / 100)) + perGroup);
}

function table(runs: Run[]): string {
  const head = '| run | parallelism | runners | wall time | requests | peak concurrency | peak RSS | peak heap |';
  const sep = '|---|---:|---:|---:|---:|---:|---:|---:|';
  const rows = runs.map(
    (r) =>
      `| ${r.label} | ${r.parallelism} | ${r.runners} | ${(r.wallMs / 1000).toFixed(2)} s | ${r.requests} | ${r.peakConcurrency} | ` +
      `${r.peakRssMiB === undefined ? '–' : `${r.peakRssMiB.toFixed(0)} MiB`} | ${r.peakHeapMiB === undefined ? '–' : `${r.peakHeapMiB.toFixed(0)} MiB`} |`,
  );
  return [head, sep, ...rows].join('\n');
}

async function main(): Promise<number> {
  const checks: { what: string; ok: boolean; detail: string }[] = [];
  const runs: Run[] = [];

  // 1. Speed: 100 groups × 10 runners, 20 ms per request.
  {
    const { fake, url } = await FakeChild.start(benchSeed(100, 10, 20));
    try {
      const refs = groupRefs(100);
      const serial = await measure('100 groups × 10 runners, 20 ms latency', fake, url, refs, 1, false);
      const parallel = await measure('100 groups × 10 runners, 20 ms latency', fake, url, refs, DEFAULT_PARALLELISM, false);
      runs.push(serial, parallel);
      const budget = requestBudget(100, 10);
      checks.push({
        what: `default parallelism takes ≤ 1/6 of the parallelism-1 time`,
        ok: parallel.wallMs <= serial.wallMs / 6,
        detail: `${(parallel.wallMs / 1000).toFixed(2)} s vs ${(serial.wallMs / 1000).toFixed(2)} s (${(serial.wallMs / parallel.wallMs).toFixed(1)}× faster)`,
      });
      for (const r of [serial, parallel]) {
        checks.push({ what: `requests ≤ ${budget} at parallelism ${r.parallelism}`, ok: r.requests <= budget, detail: String(r.requests) });
        checks.push({ what: `peak concurrency ≤ ${r.parallelism}`, ok: r.peakConcurrency <= r.parallelism, detail: String(r.peakConcurrency) });
        checks.push({ what: `all 1000 runners owned at parallelism ${r.parallelism}`, ok: r.runners === 1000, detail: String(r.runners) });
      }
    } finally {
      await fake.close();
    }
  }

  // 2. Memory: 10,000 runners (100 groups × 100), no latency.
  {
    const { fake, url } = await FakeChild.start(benchSeed(100, 100, 0));
    try {
      const big = await measure('100 groups × 100 runners (10,000)', fake, url, groupRefs(100), DEFAULT_PARALLELISM, true);
      runs.push(big);
      checks.push({ what: 'peak RSS < 256 MiB for 10,000 runners', ok: big.peakRssMiB! < 256, detail: `${big.peakRssMiB!.toFixed(0)} MiB` });
      checks.push({ what: 'peak heap < 256 MiB for 10,000 runners', ok: big.peakHeapMiB! < 256, detail: `${big.peakHeapMiB!.toFixed(0)} MiB` });
      checks.push({ what: `requests ≤ ${requestBudget(100, 100)} for 10,000 runners`, ok: big.requests <= requestBudget(100, 100), detail: String(big.requests) });
      checks.push({ what: 'all 10,000 runners owned', ok: big.runners === 10_000, detail: String(big.runners) });
    } finally {
      await fake.close();
    }
  }

  process.stdout.write(`${table(runs)}\n\n`);
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
