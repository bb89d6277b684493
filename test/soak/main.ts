// `npm run soak`: plan/apply cycles of a changing desired state against the fake
// GitLab with random 429/5xx/lost answers, redirects to another origin (redirector.ts),
// random SIGTERM/SIGKILL/SIGHUP of the apply or its stdout closed (EPIPE), and (as root)
// a full disk under the tokens file (full-disk.ts).
// After each cycle a converging apply (no faults, no signal) must leave nothing to
// plan, every runner's current token must be stored or delivered somewhere, and no
// secret may reach another origin (misplaced).
// Prints one table row per cycle and a summary; exits 1 unless duplicates, lost
// tokens and non-converged cycles are all 0. Only 127.0.0.1 is contacted.
//
//   node dist/test/soak/main.js [--seed N] [--cycles N] [--keep] [--verbose] [--stable-keys]
//
// --stable-keys: a renamed runner keeps its CI/CD variable key (by default the key follows
// the description, as RUNNER_TOKEN_{description} does).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { audit, type Audit } from './audit.js';
import { exitText, spawnCli, tail } from './cli.js';
import { DesiredModel, SCOPE_PATHS, type Features } from './desired.js';
import { mutateAlsoIn } from './also-in.js';
import { FaultInjector } from './faults.js';
import { fullDiskPrefix, fullDiskUnavailable } from './full-disk.js';
import { misplacedSecrets, startRedirector } from './redirector.js';
import { Rng } from './rng.js';
import { soakSeed, OWNER_PAT, VARIABLE_PROJECT } from './seed.js';
import { Table } from './table.js';
import { hasVariablesApi, variableKeyHolding, variableValue, variableValues } from './variables.js';

const APPEND = fileURLToPath(new URL('./append-stdin.js', import.meta.url));

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once the fake has received `n` create requests, or never (the caller races it with the exit). */
async function nthCreate(fake: FakeGitLab, n: number, stop: { done: boolean }): Promise<boolean> {
  while (!stop.done) {
    const creates = fake.requests.filter((r) => r.method === 'POST' && r.path === '/user/runners').length;
    if (creates >= n) return true;
    await sleep(5);
  }
  return false;
}

interface Options {
  seed: number;
  cycles: number;
  keep: boolean;
  verbose: boolean;
  stableKeys: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      cycles: { type: 'string', default: '20' },
      keep: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'stable-keys': { type: 'boolean', default: false },
    },
  });
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 1_000_000;
  const cycles = Number(values.cycles);
  if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be a whole number');
  if (!Number.isInteger(cycles) || cycles < 1) throw new Error('--cycles must be a whole number ≥ 1');
  return { seed, cycles, keep: values.keep ?? false, verbose: values.verbose ?? false, stableKeys: values['stable-keys'] ?? false };
}

/** Which token features the CLI under test has: `validate` accepts them or not. */
async function probeFeatures(dir: string): Promise<Features> {
  const accepts = async (runner: string): Promise<boolean> => {
    const file = join(dir, 'probe.yaml');
    writeFileSync(file, `version: 1\ngroups:\n  - path: soak/g1\n    runners:\n      - description: probe\n${runner}`);
    const run = await spawnCli(['validate', '-f', file], dir).done;
    return run.code === 0;
  };
  const renamedFrom = await accepts('        renamed_from: old-probe\n');
  const tokenCommand = await accepts('        token:\n          command: ["true"]\n');
  const tokenVariable =
    hasVariablesApi() &&
    (await accepts(`        token:\n          gitlab_variable:\n            project: ${VARIABLE_PROJECT}\n            key: RUNNER_TOKEN_{description}\n`));
  writeFileSync(join(dir, 'probe.yaml'), 'version: 1\nprojects:\n  - path: soak/g1/app\n    runners:\n      - description: probe\n        also_in: [soak/g2/svc]\n');
  const alsoIn = (await spawnCli(['validate', '-f', join(dir, 'probe.yaml')], dir).done).code === 0;
  rmSync(join(dir, 'probe.yaml'), { force: true });
  return { renamedFrom, tokenCommand, tokenVariable, alsoIn };
}

interface CycleResult {
  cycle: number;
  edits: string;
  creates: number | string;
  signal: string;
  faults: string;
  applyExit: string;
  unstored: number;
  convergeExit: string;
  planExit: string;
  duplicates: number;
  lostNew: number;
  undelivered: number;
  secrets: number;
  seconds: number;
  converged: boolean;
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const root = new Rng(opts.seed);
  const dir = mkdtempSync(join(tmpdir(), 'runnerform-soak-'));
  const fake = await startFakeGitLab(soakSeed());
  // The CLI's GitLab: a proxy in front of the fake that can redirect to the fake's own port (another origin).
  const front = await startRedirector(fake.url);
  const cleanup = async () => {
    await front.close().catch(() => undefined);
    await fake.close().catch(() => undefined);
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    void cleanup().then(() => process.exit(130));
  });

  try {
    const tokenFile = join(dir, 'gitlab-token');
    writeFileSync(tokenFile, `${OWNER_PAT}\n`, { mode: 0o600 });
    const yamlFile = join(dir, 'runners.yaml');
    // In a directory of its own: a full-disk cycle mounts a small tmpfs there.
    const journalDir = join(dir, 'journal');
    mkdirSync(journalDir, { mode: 0o700 });
    const journal = join(journalDir, 'tokens.json');
    const noFullDisk = fullDiskUnavailable();
    const commandOut = join(dir, 'command-out.txt');
    const conn = ['--gitlab-url', front.url, '--token-file', tokenFile, '-f', yamlFile];

    const features = await probeFeatures(dir);
    // A plan that reads the journal knows which tokens were stored; without it, it can only guess from GitLab.
    const planReadsJournal = (await spawnCli(['plan', '--help'], dir).done).stdout.includes('--tokens-out');
    const planJournal = planReadsJournal ? ['--tokens-out', journal] : [];
    const model = new DesiredModel(features, {
      commandArgv: [process.execPath, APPEND, commandOut],
      variableProject: VARIABLE_PROJECT,
      stableKeys: opts.stableKeys,
    });
    process.stdout.write(
      `runnerform soak: seed ${opts.seed}, ${opts.cycles} cycles, fake GitLab ${fake.url} behind ${front.url}\n` +
        `CLI features: renamed_from ${features.renamedFrom ? 'yes' : 'no'}, token command ${features.tokenCommand ? 'yes' : 'no'}, ` +
        `token gitlab_variable ${features.tokenVariable ? 'yes' : 'no'} (without them tokens go only to --tokens-out), ` +
        `plan reads the journal ${planReadsJournal ? 'yes' : 'no'}\n` +
        `full disk under the tokens file: ${noFullDisk ? `skipped (${noFullDisk}: a private tmpfs needs root and unshare -m)` : 'yes (a small tmpfs in a private mount namespace)'}\n` +
        `replay: node dist/test/soak/main.js --seed ${opts.seed} --cycles ${opts.cycles}${opts.stableKeys ? ' --stable-keys' : ''}\n\n`,
    );

    const table = new Table([
      ['cycle', 5],
      ['edits', 30],
      ['creates', 7],
      ['signal', 9],
      ['faults hit', 34],
      ['apply', 5],
      ['unstored', 8],
      ['converge', 8],
      ['plan', 4],
      ['dup', 3],
      ['lost', 4],
      ['undeliv', 7],
      ['secrets', 7],
      ['misplc', 6],
      ['s', 4],
    ]);
    process.stdout.write(table.header());

    const injector = new FaultInjector(fake);
    const lostEver = new Set<number>();
    const undeliveredEver = new Set<number>();
    const duplicateEver = new Set<string>();
    const results: CycleResult[] = [];
    let created = 0;
    const signalled: Record<Stop, number> = { SIGTERM: 0, SIGKILL: 0, SIGHUP: 0, EPIPE: 0 };
    let misplacedTotal = 0;
    let diskCycles = 0;
    let faultHits = 0;
    const knownIds = new Set<number>();
    const destinationOf = (scope: string, description: string) =>
      model.scopes.find((s) => `${s.kind} ${s.path}` === scope)?.runners.find((r) => r.description === description)?.token ?? null;
    const places = {
      journalFile: journal,
      commandOutFile: commandOut,
      variableValues: () => variableValues(fake),
      variableValue: (project: string, key: string) => variableValue(fake, project, key),
      variableKeyHolding: (token: string) => variableKeyHolding(fake, token),
      destinationOf,
    };
    const secretsIn = (text: string): number => {
      const live = fake.runners().map((r) => fake.runnerToken(r.id)).filter((t): t is string => Boolean(t));
      return [OWNER_PAT, ...live].filter((t) => text.includes(t)).length + (text.match(/glrt-[A-Za-z0-9_-]{10,}/g)?.length ?? 0);
    };

    for (let cycle = 1; cycle <= opts.cycles; cycle++) {
      const started = Date.now();
      const rng = root.fork(`cycle-${cycle}`);
      const mutated = model.mutate(rng.fork('desired'));
      // After the cycle's attribute edits, so a runner with also_in stays unlocked (also-in.ts).
      const shared = features.alsoIn ? mutateAlsoIn(model.scopes, [...SCOPE_PATHS.projects, VARIABLE_PROJECT], rng.fork('also-in')) : '';
      const edits = [mutated, shared].filter(Boolean).join(' ');
      writeFileSync(yamlFile, model.toYaml());
      const problems: string[] = [];
      let secrets = 0;

      // 1. plan (no faults): how many creates the apply will start.
      const plan = await spawnCli(['plan', '--format', 'json', ...planJournal, ...conn], dir).done;
      secrets += secretsIn(plan.stdout + plan.stderr);
      let creates: number | string = '?';
      if (plan.code === 0) creates = (JSON.parse(plan.stdout) as { summary: { create: number } }).summary.create;
      else problems.push(`plan exited ${exitText(plan)}: ${tail(plan.stderr)}`);

      // 2. apply with random faults, latency, and in about half the cycles a signal while creates are in flight.
      const chaos = rng.fork('chaos');
      const signal: Stop | null = chaos.chance(0.5) ? chaos.pick(STOPS) : null;
      // Sometimes a second SIGTERM/SIGHUP (an impatient CI runner): the apply must stop at once, tokens in hand made durable.
      const secondAfterMs = (signal === 'SIGTERM' || signal === 'SIGHUP') && chaos.chance(0.35) ? chaos.int(0, 300) : null;
      const createCount = typeof creates === 'number' ? creates : 0;
      const nth = chaos.int(1, Math.max(1, createCount));
      const latency = chaos.int(20, 120);
      // From "the n-th create just arrived" to a few round trips later: some creates answered, some in flight.
      const delayMs = chaos.int(0, latency * 4);
      const profile = injector.arm(chaos.fork('faults'), { slowFaults: chaos.chance(0.1) });
      if (chaos.chance(0.3)) front.arm(chaos.fork('redirects'), 0.05);
      // A full disk instead of a signal: the apply runs under unshare's shell, which a signal would not reach.
      const fullDisk = !noFullDisk && signal === null && chaos.chance(0.25) ? fullDiskPrefix(journalDir, join(dir, 'stage'), chaos.int(0, 12_000)) : null;
      fake.setLatencyMs(latency);
      fake.resetStats();
      const apply = spawnCli(['apply', '--auto-approve', '--tokens-out', journal, ...conn], dir, fullDisk?.prefix);
      const stop = { done: false };
      let signalText = '-';
      const watcher =
        signal && createCount > 0
          ? nthCreate(fake, nth, stop).then(async (reached) => {
              if (!reached) return;
              await sleep(delayMs);
              if (stop.done || !(signal === 'EPIPE' ? apply.closeStdout() : apply.kill(signal))) return;
              signalled[signal]++;
              signalText = `${short(signal)}@${nth}`;
              if (secondAfterMs === null || signal === 'EPIPE') return;
              await sleep(secondAfterMs);
              if (!stop.done && apply.kill(signal)) signalText = `${short(signal)}×2@${nth}`;
            })
          : Promise.resolve();
      const applied = await apply.done;
      stop.done = true;
      await watcher;
      if (signal && signalText === '-') signalText = `(${short(signal)})`;
      injector.disarm();
      front.disarm();
      const injected = injector.hits();
      const redirects = front.hits();
      const disk = fullDisk ? `disk${Math.round(fullDisk.sizeBytes / 1024)}k` : '';
      if (fullDisk) diskCycles++;
      const hits = { total: injected.total, text: [disk, injected.text === '-' ? '' : injected.text, redirects].filter(Boolean).join(' ') || '-' };
      faultHits += hits.total;
      fake.setLatencyMs(0);
      secrets += secretsIn(applied.stdout + applied.stderr);
      // Requests the apply sent before it died are still being served (latency), and a late-applied
      // create may still land: let them, as GitLab would, before counting and converging.
      await sleep(Math.max(profile.settleMs, latency * 2 + 250));
      // Runners the interrupted apply left without a stored token (before the converging apply).
      const unstored = audit(fake, places).lost.filter((id) => !lostEver.has(id)).length;

      // 3. converge: apply without faults or signals, then nothing may be left to plan.
      const converge = await spawnCli(['apply', '--auto-approve', '--tokens-out', journal, ...conn], dir).done;
      secrets += secretsIn(converge.stdout + converge.stderr);
      if (converge.code !== 0) problems.push(`converging apply exited ${exitText(converge)}:\n${tail(converge.stdout + converge.stderr, 25)}`);
      const check = await spawnCli(['plan', '--detailed-exitcode', ...planJournal, ...conn], dir).done;
      secrets += secretsIn(check.stdout + check.stderr);
      if (check.code !== 0) problems.push(`plan after converging exited ${exitText(check)}:\n${tail(check.stdout + check.stderr, 25)}`);

      const end: Audit = audit(fake, places);
      // Every request of this cycle's apply, converge and plan that reached the fake around the proxy.
      const misplaced = misplacedSecrets(fake.requests, [OWNER_PAT]);
      misplacedTotal += misplaced;
      const lostNew = end.lost.filter((id) => !lostEver.has(id));
      for (const id of end.lost) lostEver.add(id);
      for (const id of end.undelivered) undeliveredEver.add(id);
      for (const d of end.duplicateText) duplicateEver.add(d);
      for (const r of fake.runners()) {
        if (!knownIds.has(r.id)) {
          knownIds.add(r.id);
          created++;
        }
      }
      if (lostNew.length) problems.push(`lost tokens (neither stored nor delivered): runner ${lostNew.map((id) => `#${id}`).join(', ')}`);
      if (end.undelivered.length) problems.push(`current token not in the destination the file declares: runner ${end.undeliveredText.join(', ')}`);
      if (end.duplicates) problems.push(`duplicates: ${end.duplicateText.join('; ')}`);
      if (secrets) problems.push(`${secrets} secret(s) in CLI output`);
      if (misplaced) problems.push(`${misplaced} request(s) carried a secret to another origin (a followed redirect)`);

      const result: CycleResult = {
        cycle,
        edits,
        creates,
        signal: signalText,
        faults: hits.text,
        applyExit: exitText(applied),
        unstored,
        convergeExit: exitText(converge),
        planExit: exitText(check),
        duplicates: end.duplicates,
        lostNew: lostNew.length,
        undelivered: end.undelivered.length,
        secrets,
        seconds: Math.round((Date.now() - started) / 1000),
        converged: converge.code === 0 && check.code === 0,
      };
      results.push(result);
      process.stdout.write(
        table.row([
          cycle,
          edits,
          creates,
          signalText,
          hits.text,
          result.applyExit,
          result.unstored,
          result.convergeExit,
          result.planExit,
          result.duplicates,
          result.lostNew,
          result.undelivered,
          secrets,
          misplaced,
          result.seconds,
        ]),
      );
      for (const p of problems) process.stdout.write(`      ! ${p.replace(/\n/g, '\n        ')}\n`);
      if (opts.verbose) {
        process.stdout.write(`      apply (${exitText(applied)}, faults: ${profile.label}):\n${indent(tail(applied.stdout + applied.stderr, 40))}\n`);
      }
    }

    const nonConverged = results.filter((r) => !r.converged).length;
    const secretsTotal = results.reduce((n, r) => n + r.secrets, 0);
    const interrupted = results.filter((r) => /^(TERM|HUP|KILL|EPIPE)(×2)?@/.test(r.signal)).length;
    const twice = results.filter((r) => r.signal.includes('×2@')).length;
    const summary = new Table([
      ['measure', 44],
      ['value', 14],
      ['must be', 7],
    ]);
    process.stdout.write(`\nSummary (seed ${opts.seed})\n`);
    process.stdout.write(summary.header());
    const line = (name: string, value: number | string, must = '') => process.stdout.write(summary.row([name, value, must]));
    line('cycles', results.length);
    line('applies stopped (TERM / KILL / HUP / EPIPE)', STOPS.map((s) => signalled[s]).join(' / '));
    line('  of which while creates were in flight', interrupted);
    line('  of which signalled twice', twice);
    line('applies with a full disk under the journal', noFullDisk ? `skipped` : diskCycles);
    line('runners created (distinct ids)', created);
    line('faults that hit a request', faultHits);
    line('runners without stored token after the', results.reduce((n, r) => n + r.unstored, 0));
    line('  interrupted apply (sum over cycles)', '');
    line('duplicates', duplicateEver.size, '0');
    line('lost tokens', lostEver.size, '0');
    line('tokens not in their declared destination', undeliveredEver.size, '0');
    line('non-converged cycles', nonConverged, '0');
    line('secrets in CLI output', secretsTotal, '0');
    line('secrets sent to another origin (misplaced)', misplacedTotal, '0');
    const failed = duplicateEver.size + lostEver.size + undeliveredEver.size + nonConverged + secretsTotal + misplacedTotal > 0;
    process.stdout.write(
      failed
        ? `\nSOAK FAILED. Replay: node dist/test/soak/main.js --seed ${opts.seed} --cycles ${opts.cycles}${opts.stableKeys ? ' --stable-keys' : ''}${opts.keep ? '' : ' --keep'}\n`
        : '\nSoak passed.\n',
    );
    if (opts.keep) process.stdout.write(`Files kept in ${dir}\n`);
    process.exitCode = failed ? 1 : 0;
  } finally {
    await cleanup();
  }
}

/** How an apply is stopped: a signal, or its stdout closed by the reader (EPIPE). */
type Stop = 'SIGTERM' | 'SIGKILL' | 'SIGHUP' | 'EPIPE';
const STOPS: readonly Stop[] = ['SIGTERM', 'SIGKILL', 'SIGHUP', 'EPIPE'];
const short = (s: Stop) => s.replace('SIG', '');

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`soak: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
