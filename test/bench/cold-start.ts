// Start-up and a whole `runnerform plan`, spawned as a user runs them, this build against
// the last unbundled one (built from git in a temporary directory), same run, same machine.
//   - `runnerform --version` against `node -e 0`: target within 50 ms.
//   - `runnerform plan` of 1,000 runners in 100 groups at 20 ms latency: target ≥ 2× faster.
// Each figure is the median of alternating runs, so a busy machine slows both sides alike.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The commit before the CLI was bundled: "today's build" for the before column. */
export const BEFORE_COMMIT = '550aa2f';

const ROOT = resolve(import.meta.dirname, '../../..');
const AFTER_CLI = join(ROOT, 'dist/src/cli/main.js');

export interface ColdStartRow {
  what: string;
  before: number | null;
  after: number;
  reference?: number;
}

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

/** The fake with 100 groups × 10 runners at 20 ms, started by the caller. */
export interface FakeHandle {
  url: string;
  token: string;
}

/** Builds the CLI at `commit` into a temporary directory; null when this is no git checkout. */
function buildBefore(commit: string): { cli: string; cleanup: () => void } | null {
  if (!existsSync(join(ROOT, '.git'))) return null;
  const dir = mkdtempSync(join(tmpdir(), 'runnerform-before-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync('sh', ['-c', `git -C "${ROOT}" archive ${commit} | tar -x -C "${dir}"`], { stdio: 'pipe' });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'pipe' });
    return { cli: join(dir, 'dist/src/cli/main.js'), cleanup };
  } catch (err) {
    cleanup();
    process.stderr.write(`bench: could not build ${commit} for the before column: ${(err as Error).message.split('\n')[0]}\n`);
    return null;
  }
}

/** Wall time of one run, in seconds; fails on a non-zero exit other than `okCodes`. */
function timeRun(args: string[], env: NodeJS.ProcessEnv, cwd: string, okCodes = [0]): Promise<number> {
  return new Promise((ok, fail) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      const s = (performance.now() - start) / 1000;
      if (okCodes.includes(code ?? -1)) ok(s);
      else fail(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(0, 300)}`));
    });
  });
}

function median(xs: number[]): number {
  const m = [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  if (m === undefined) throw new Error('median of no samples');
  return m;
}

/** Runs every command `rounds` times, interleaved; the median of each. */
async function interleaved(commands: (() => Promise<number>)[], rounds: number): Promise<number[]> {
  const series = commands.map((run) => ({ run, times: [] as number[] }));
  for (let r = 0; r < rounds; r++) for (const s of series) s.times.push(await s.run());
  return series.map((s) => median(s.times));
}

/** runners.yaml for the bench fake's 100 groups × 10 runners (the seed of live-read.ts). */
function fleetYaml(groups: number, perGroup: number): string {
  const lines = ['version: 1', 'groups:'];
  for (let g = 0; g < groups; g++) {
    lines.push(`  - path: bench/g${String(g).padStart(3, '0')}`, '    runners:');
    for (let r = 0; r < perGroup; r++) {
      lines.push(`      - description: runner-${g}-${r}`, `        tag_list: [docker, zone-${r % 3}]`, '        maximum_timeout: 3600', `        maintenance_note: "bench runner ${r} of group ${g}"`);
    }
  }
  return lines.join('\n') + '\n';
}

export async function coldStart(fake: FakeHandle): Promise<{ rows: ColdStartRow[]; checks: Check[] }> {
  const before = buildBefore(BEFORE_COMMIT);
  const work = mkdtempSync(join(tmpdir(), 'runnerform-bench-'));
  try {
    writeFileSync(join(work, 'runners.yaml'), fleetYaml(100, 10));
    const env = { PATH: process.env.PATH, HOME: work, NO_COLOR: '1', GITLAB_URL: fake.url, GITLAB_TOKEN: fake.token };
    const version = (cli: string) => () => timeRun([cli, '--version'], env, work);
    const plan = (cli: string) => () => timeRun([cli, 'plan', '--format', 'json'], env, work);
    const nodeOnly = () => timeRun(['-e', '0'], env, work);

    const [nodeStart, afterStart, beforeStart = null] = await interleaved([nodeOnly, version(AFTER_CLI), ...(before ? [version(before.cli)] : [])], 15);
    const [afterPlan, beforePlan = null] = await interleaved([plan(AFTER_CLI), ...(before ? [plan(before.cli)] : [])], 7);
    if (nodeStart === undefined || afterStart === undefined || afterPlan === undefined) throw new Error('a timed command gave no median');
    const rows: ColdStartRow[] = [
      { what: '`runnerform --version` (`node -e 0` beside it)', before: beforeStart, after: afterStart, reference: nodeStart },
      { what: '`runnerform plan`: 1,000 runners in 100 groups, 20 ms latency', before: beforePlan, after: afterPlan },
    ];
    const checks: Check[] = [
      {
        what: '`runnerform --version` within 0.05 s of `node -e 0`',
        ok: afterStart - nodeStart <= 0.05,
        detail: `${afterStart.toFixed(3)} s vs ${nodeStart.toFixed(3)} s (+${(afterStart - nodeStart).toFixed(3)} s)`,
      },
    ];
    if (before && beforePlan !== null) {
      checks.push({
        what: `plan of 1,000 runners ≥ 2× faster than the unbundled build (${BEFORE_COMMIT})`,
        ok: beforePlan / afterPlan >= 2,
        detail: `${afterPlan.toFixed(2)} s vs ${beforePlan.toFixed(2)} s (${(beforePlan / afterPlan).toFixed(1)}×)`,
      });
    }
    return { rows, checks };
  } finally {
    rmSync(work, { recursive: true, force: true });
    before?.cleanup();
  }
}

export function coldStartTable(rows: ColdStartRow[]): string {
  const s = (x: number | null | undefined) => (x == null ? '–' : `${x.toFixed(3)} s`);
  const head = `| spawned command (median) | before (${BEFORE_COMMIT}, unbundled) | after (bundle) | speed-up | \`node -e 0\` |`;
  const sep = '|---|---:|---:|---:|---:|';
  const body = rows.map((r) => `| ${r.what} | ${s(r.before)} | ${s(r.after)} | ${r.before == null ? '–' : `${(r.before / r.after).toFixed(1)}×`} | ${s(r.reference)} |`);
  return [head, sep, ...body].join('\n');
}
