// `runnerform health`: reads GitLab (runners, their managers, GitLab's version,
// groups' stale pruning) and checks the declared health rules. Changes nothing.
// Exit 0 healthy, 1 error, 2 findings (as `plan --detailed-exitcode`).
import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { readTokenEntries } from '../apply/journal.js';
import type { GitLabClient } from '../gitlab/client.js';
import { readHealthLive } from '../gitlab/health-read.js';
import { checkHealth, type StoredToken } from '../health/rules.js';
import { renderHealthJson } from '../render/health-json.js';
import { renderHealthMetrics } from '../render/health-metrics.js';
import { renderHealthText } from '../render/health-text.js';
import { addConnectionOptions, connect } from './connection.js';
import { EXIT_CHANGES, EXIT_OK } from './exit-codes.js';
import { addFileArguments, addFileOption, filesFrom, takePositionalFiles } from './files.js';
import { loadValidDesiredState, sourceLabel } from './pipeline.js';
import { createProgress } from './progress.js';

const FORMATS = ['text', 'json', 'openmetrics'] as const;

interface HealthOptions {
  format: (typeof FORMATS)[number];
  tokensOut?: string;
  out?: string;
}

export function registerHealth(program: Command): void {
  const cmd = program
    .command('health')
    .description("Check the declared runners' health (managers, versions, contact, tokens, legacy registrations, stale pruning); changes nothing. Exit 0 healthy, 2 findings, 1 error")
    .addOption(new Option('--format <format>', 'output format (openmetrics: for Prometheus\' textfile collector)').choices([...FORMATS]).default('text'))
    .option('--tokens-out <file>', "apply's tokens file, read (never written) to tell a token gitlab-runner rotated itself")
    .option('-o, --out <file>', "write the report to this file (replaced atomically, as Prometheus' textfile collector needs) instead of stdout");
  addFileOption(cmd);
  addFileArguments(cmd);
  addConnectionOptions(cmd);
  cmd.action(async (positional: string[], opts: HealthOptions) => {
    takePositionalFiles(positional, opts);
    const files = filesFrom(opts);
    const desired = loadValidDesiredState(files);
    const api = connect(opts);
    const { live, fleet } = await readWithProgress(api, desired.scopes.map((s) => s.ref));
    const report = checkHealth({
      desired,
      live,
      gitlab_version: fleet.gitlab_version,
      pruning: fleet.pruning,
      stored: opts.tokensOut ? await storedTokens(opts.tokensOut) : {},
      now: new Date(),
    });
    const out =
      opts.format === 'json' ? renderHealthJson(report) : opts.format === 'openmetrics' ? renderHealthMetrics(report) : renderHealthText(report, sourceLabel(files));
    if (opts.out) await writeAtomically(opts.out, out);
    else process.stdout.write(out);
    process.exitCode = report.findings.length > 0 ? EXIT_CHANGES : EXIT_OK;
  });
}

async function readWithProgress(api: GitLabClient, refs: Parameters<typeof readHealthLive>[1]) {
  const progress = createProgress(process.stderr);
  try {
    const notice = (line: string) => {
      progress.done();
      process.stderr.write(`${line}\n`);
    };
    return await readHealthLive(api, refs, { onProgress: progress.update, settings: api.readSettings, log: api.log, notice });
  } finally {
    progress.done();
  }
}

/** A temporary file renamed over `path`: a reader never sees half a report. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** Runner id → the token runnerform stored last for it (its expiry, and the intent written before it was issued). */
async function storedTokens(path: string): Promise<Record<number, StoredToken>> {
  const entries = (await readTokenEntries(path)) ?? [];
  const out: Record<number, { at: string; token: StoredToken }> = {};
  for (const e of entries) {
    if (e.id === null || e.token === undefined) continue;
    const prev = out[e.id];
    if (!prev || e.written_at >= prev.at) out[e.id] = { at: e.written_at, token: { expires_at: e.token_expires_at, issued_after: e.intent_at ?? null } };
  }
  return Object.fromEntries(Object.entries(out).map(([id, v]) => [id, v.token]));
}
