// The GitLab CI example: it parses, has the promised jobs and rules, and every
// `runnerform …` line in it names only commands, flags and arguments that the
// built CLI's --help lists today.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../e2e/harness.js';
import { checkInvocation, commandsFromHelp, shellCommands, specFromHelp, type CommandSpec, type Invocation } from './cli-help.js';

const CI_FILE = 'examples/gitlab-ci/.gitlab-ci.yml';
const KEYWORDS = new Set(['variables', 'workflow', 'stages', 'default', 'include', 'image', 'services', 'cache', 'before_script', 'after_script']);

type Job = Record<string, any>;
const ci = load(readFileSync(CI_FILE, 'utf8')) as Record<string, any>;
const jobs: Record<string, Job> = Object.fromEntries(Object.entries(ci).filter(([k]) => !KEYWORDS.has(k) && !k.startsWith('.')));

/** Every script line of the file, with the job it belongs to ("default" for default:). */
function scriptLines(): { job: string; line: string }[] {
  const out: { job: string; line: string }[] = [];
  const add = (job: string, lines: unknown) => {
    // A block scalar (`- |`) is several shell lines.
    for (const entry of Array.isArray(lines) ? lines : lines === undefined ? [] : [lines]) {
      for (const line of String(entry).split('\n')) if (line.trim() !== '') out.push({ job, line });
    }
  };
  for (const key of ['before_script', 'script', 'after_script']) add('default', ci.default?.[key]);
  for (const [name, job] of Object.entries(jobs)) for (const key of ['before_script', 'script', 'after_script']) add(name, job[key]);
  return out;
}

const ruleIfs = (job: Job): string[] => (job.rules ?? []).map((r: any) => r.if ?? '');

let commands: Map<string, CommandSpec>;
let invocations: Invocation[];

beforeAll(async () => {
  const top = await runCli(['--help']);
  expect(top.code).toBe(0);
  commands = new Map();
  for (const name of commandsFromHelp(top.stdout)) {
    const help = await runCli([name, '--help']);
    expect(help.code).toBe(0);
    commands.set(name, specFromHelp(name, help.stdout));
  }
  invocations = [];
  for (const { job, line } of scriptLines()) {
    for (const words of shellCommands(line)) {
      if (words[0] !== 'runnerform') continue;
      const { parsed } = checkInvocation(words, commands);
      if (parsed) invocations.push({ job, line, ...parsed });
    }
  }
});

function invocationIn(job: string, command: string): Invocation {
  const found = invocations.filter((i) => i.job === job && i.command === command);
  expect(found, `${job} runs runnerform ${command} once`).toHaveLength(1);
  const [first] = found;
  if (!first) throw new Error(`${job} does not run runnerform ${command}`);
  return first;
}

function jobNamed(name: string): Job {
  const job = jobs[name];
  if (!job) throw new Error(`the example has no job ${name}`);
  return job;
}

describe('the help-based checker itself', () => {
  it('reads commands, options and arguments from the real help', () => {
    expect([...commands.keys()]).toEqual(expect.arrayContaining(['validate', 'plan', 'apply']));
    expect(commands.get('plan')!.options.get('--out')).toBe(true);
    expect(commands.get('plan')!.options.get('--detailed-exitcode')).toBe(false);
    expect(commands.get('apply')!.args).toEqual([['planfile', false]]);
  });

  it('rejects unknown commands, unknown flags, missing values and extra arguments', () => {
    const problems = (line: string) => shellCommands(line).flatMap((w) => checkInvocation(w, commands).problems);
    expect(problems('runnerform plan --out plan.json')).toEqual([]);
    expect(problems('runnerform destroy')).toEqual(['unknown command: runnerform destroy']);
    expect(problems('runnerform plan --detailed-exit-code')).toEqual(['runnerform plan: unknown option --detailed-exit-code']);
    expect(problems('runnerform plan --out')).toEqual(['runnerform plan: --out needs a value']);
    expect(problems('runnerform show plan.json extra.json')).toEqual(['runnerform show: unexpected argument extra.json']);
    expect(problems('runnerform validate a.yaml b.yaml')).toEqual([]); // [files...] takes any number
  });

  it('splits script lines like a shell', () => {
    expect(shellCommands(`if [ -s "$F" ]; then node x.mjs "$F"; fi`)).toEqual([['[', '-s', '$F', ']'], ['node', 'x.mjs', '$F'], ['fi']]);
    expect(shellCommands(`a 'b c' && runnerform plan -f "my file.yaml"`)).toEqual([['a', 'b c'], ['runnerform', 'plan', '-f', 'my file.yaml']]);
  });
});

describe(CI_FILE, () => {
  it('names only real runnerform commands, flags and arguments', async () => {
    const problems: string[] = [];
    let count = 0;
    let versionLines = 0;
    for (const { job, line } of scriptLines()) {
      for (const words of shellCommands(line)) {
        // A runnerform word anywhere but at the start would be an invocation this check misses.
        expect(words.slice(1), `${job}: ${line}`).not.toContain('runnerform');
        if (words[0] !== 'runnerform') continue;
        if (words.length === 2 && words[1] === '--version') {
          versionLines++;
          continue;
        }
        count++;
        problems.push(...checkInvocation(words, commands).problems.map((p) => `${job}: ${p}`));
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBe(7);
    // `runnerform --version` (logs which release a job ran) is a top-level option.
    expect(versionLines).toBe(1);
    expect((await runCli(['--version'])).stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('has the validate, plan and apply stages and every job in one of them', () => {
    expect(ci.stages).toEqual(['validate', 'plan', 'apply']);
    expect(Object.keys(jobs).sort()).toEqual(['apply', 'drift', 'health', 'plan:default-branch', 'plan:merge-request', 'validate']);
    for (const [name, job] of Object.entries(jobs)) expect(ci.stages, name).toContain(job.stage);
  });

  it('installs the pinned package the organisation names, with no default to fall back on', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(Object.keys(pkg.bin)).toContain('runnerform');
    // No unclaimed default: an empty value, which the before_script refuses.
    expect(ci.variables.RUNNERFORM_PACKAGE).toBe('');
    expect(ci.default.before_script.join('\n')).toContain('npm install --global --no-audit --no-fund "$RUNNERFORM_PACKAGE"');
  });

  it('runs on a supported Node image with a cache key GitLab Runner accepts', () => {
    expect(ci.default.image).toBe('node:24-slim');
    for (const job of [ci.default, ...Object.values(jobs)]) {
      if (job.image !== undefined) expect(job.image).toBe('node:24-slim');
      const key = job.cache?.key;
      if (key === undefined) continue;
      // GitLab Runner 18.2+ rejects `/` in a cache key; a variable could bring one in (scoped names).
      expect(String(key)).not.toMatch(/[/$]/);
    }
  });

  it('refuses to install when RUNNERFORM_PACKAGE is unset or not pinned, before npm runs', () => {
    const dir = tempDir();
    try {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      // Stand-ins that record what would be installed and run.
      writeFileSync(join(bin, 'npm'), `#!/bin/sh\necho "npm $*" >> ${JSON.stringify(join(dir, 'calls'))}\n`, { mode: 0o755 });
      writeFileSync(join(bin, 'runnerform'), `#!/bin/sh\necho "runnerform $*" >> ${JSON.stringify(join(dir, 'calls'))}\n`, { mode: 0o755 });
      const run = (value: string) => {
        rmSync(join(dir, 'calls'), { force: true });
        const script = `set -eo pipefail\n${(ci.default.before_script as string[]).join('\n')}\n`;
        const r = spawnSync('bash', ['-c', script], { cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin`, RUNNERFORM_PACKAGE: value }, encoding: 'utf8' });
        return { ...r, calls: existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8') : '' };
      };
      const unset = run('');
      expect(unset.status).toBe(1);
      expect(unset.stderr).toContain('RUNNERFORM_PACKAGE is not set');
      expect(unset.calls).toBe('');
      for (const unpinned of ['runnerform', '@acme/runnerform', '@acme/runnerform@latest', '@acme/runnerform@^1.0.0', 'git+https://gitlab.example.com/acme/runnerform.git']) {
        const r = run(unpinned);
        expect(r.status, unpinned).toBe(1);
        expect(r.stderr).toContain('is not pinned');
        expect(r.calls).toBe('');
      }
      for (const pinned of [
        '@acme/runnerform@0.1.0',
        '@acme/runnerform@1.2.0-rc.1',
        'https://gitlab.example.com/api/v4/projects/42/packages/generic/runnerform/0.1.0/runnerform-0.1.0.tgz',
        `git+https://gitlab.example.com/acme/runnerform.git#${'a'.repeat(40)}`,
      ]) {
        const r = run(pinned);
        expect(r.status, `${pinned}: ${r.stderr}`).toBe(0);
        expect(r.calls).toBe(`npm install --global --no-audit --no-fund ${pinned}\nrunnerform --version\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validates on every push, without a token, but not in the drift schedule', () => {
    const job = jobNamed('validate');
    expect(invocationIn('validate', 'validate')).toBeTruthy();
    expect(job.variables?.GITLAB_TOKEN).toBeUndefined();
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule"', when: 'never' }, { when: 'on_success' }]);
  });

  it('plans merge requests as one comment, with the Terraform report in the widget', () => {
    const job = jobNamed('plan:merge-request');
    expect(ruleIfs(job)).toEqual(['$CI_PIPELINE_SOURCE == "merge_request_event"']);
    const plan = invocationIn('plan:merge-request', 'plan');
    // --comment only with a note token (a Reporter project access token): `set -- --comment`, else no note.
    expect(plan.line).toContain('"$@"');
    const script = String(job.script);
    expect(script).toMatch(/if \[ -n "\$RUNNERFORM_COMMENT_TOKEN" \]; then set -- --comment; else set --;/);
    expect(job.variables.RUNNERFORM_COMMENT_TOKEN).toBe('$RUNNERFORM_NOTE_TOKEN');
    expect(plan.options.get('--format')).toBe('markdown');
    expect(plan.options.get('--out')).toBe('plan.json');
    expect(job.artifacts.reports.terraform).toBe(plan.options.get('--gitlab-report'));
    expect(job.variables.GITLAB_TOKEN).toBe('$RUNNERFORM_PLAN_TOKEN');
  });

  it('applies on the default branch exactly the plan saved by the job before, never two at once', () => {
    const planJob = jobNamed('plan:default-branch');
    const applyJob = jobNamed('apply');
    const onDefault = '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "schedule"';
    expect(ruleIfs(planJob)).toEqual([onDefault]);
    expect(ruleIfs(applyJob)).toEqual([onDefault]);
    expect(ci.stages.indexOf(planJob.stage)).toBeLessThan(ci.stages.indexOf(applyJob.stage));

    const saved = invocationIn('plan:default-branch', 'plan').options.get('--out');
    expect(planJob.artifacts.paths).toContain(saved);
    expect(applyJob.needs).toEqual([{ job: 'plan:default-branch', artifacts: true }]);
    const apply = invocationIn('apply', 'apply');
    expect(apply.positionals).toEqual([saved]);
    expect(apply.options.has('--file') || apply.options.has('-f')).toBe(false);

    expect(applyJob.resource_group).toBeTruthy();
    expect(planJob.resource_group).toBe(applyJob.resource_group);
    expect(applyJob.interruptible).toBe(false);
    expect(applyJob.variables.GITLAB_TOKEN).toBe('$RUNNERFORM_APPLY_TOKEN');
  });

  it('sends runner tokens to the token: destinations of runners.yaml, never to a file, log or artifact', () => {
    const applyJob = jobNamed('apply');
    expect(applyJob.artifacts).toBeUndefined();
    expect(invocationIn('apply', 'apply').options.has('--tokens-out')).toBe(false);
    const runners = load(readFileSync('examples/gitlab-ci/runners.yaml', 'utf8')) as any;
    expect(runners.defaults.token).toEqual({ gitlab_variable: { project: 'acme/infra/runner-fleet', key: 'RUNNER_TOKEN_{description}' } });
    for (const job of Object.values(jobs)) {
      for (const path of [...(job.artifacts?.paths ?? []), ...(job.cache?.paths ?? [])]) expect(path).not.toMatch(/token/i);
    }
  });

  it('fails the scheduled drift job on exit code 2', () => {
    const job = jobNamed('drift');
    expect(ruleIfs(job)).toEqual(['$CI_PIPELINE_SOURCE == "schedule"']);
    expect(invocationIn('drift', 'plan').options.get('--detailed-exitcode')).toBe(true);
    expect(job.allow_failure).toBe(false);
  });

  it('checks fleet health on the schedule, findings as a warning (exit 2), metrics kept as an artifact', () => {
    const job = jobNamed('health');
    expect(ruleIfs(job)).toEqual(['$CI_PIPELINE_SOURCE == "schedule"']);
    const runs = invocations.filter((i) => i.job === 'health' && i.command === 'health');
    expect(runs.map((i) => i.options.get('--format') ?? 'text')).toEqual(['openmetrics', 'text']);
    expect(job.allow_failure).toEqual({ exit_codes: [2] });
    expect(job.artifacts.paths).toEqual(['runnerform-health.prom']);
  });

  it('runs one pipeline per push (no duplicate branch + merge-request pipelines)', () => {
    expect(ci.workflow.rules).toEqual([
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
      { if: '$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS && $CI_PIPELINE_SOURCE == "push"', when: 'never' },
      { if: '$CI_COMMIT_BRANCH' },
    ]);
  });
});
