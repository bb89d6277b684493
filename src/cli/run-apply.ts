// Runs a plan's changes with the token journal, the sinks and the signal rules
// shared by `apply` and `rotate`:
// - first SIGINT/SIGTERM/SIGHUP (a closed terminal or SSH session): no new change
//   starts; changes in flight finish (each bounded by the request timeout) and their
//   tokens are stored and delivered; the summary says the apply was interrupted;
//   exit 130 / 143 / 129;
// - a second signal: whatever token is in hand is written synchronously to the
//   journal, then the process exits at once.
import { applyPlan, issuesToken } from '../apply/executor.js';
import { sinkFor } from '../apply/sinks/index.js';
import { MemoryJournal, TokenFile, type TokenJournal } from '../apply/journal.js';
import type { GitLabApi } from '../gitlab/api.js';
import type { DesiredState, LiveState, Plan } from '../model.js';
import { declaredDestination, ownsRunner } from '../plan/declared-destination.js';
import { applyFailed, renderApplyEvent, renderApplySummary } from '../render/apply.js';
import { UserError } from '../errors.js';
import { EXIT_ERROR, EXIT_OK, EXIT_SIGHUP, EXIT_SIGINT, EXIT_SIGTERM } from './exit-codes.js';
import { lastWords, workStopping } from './output.js';
import { writeSync } from 'node:fs';

type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
const SIGNAL_EXIT: Record<StopSignal, number> = { SIGINT: EXIT_SIGINT, SIGTERM: EXIT_SIGTERM, SIGHUP: EXIT_SIGHUP };

/**
 * Locks the tokens file before GitLab is read for a plan: another apply finishing between
 * that read and this apply would leave it applying a stale plan (a second create, say).
 */
export async function lockTokensFile(tokensOut: string | undefined): Promise<void> {
  if (!tokensOut) return;
  try {
    await TokenFile.lock(tokensOut);
  } catch (err) {
    throw new UserError(`${(err as Error).message}. Nothing was changed.`);
  }
}

/**
 * The journal for this run. --tokens-out is required when a new token has no
 * destination of its own; when given it is opened (and proved writable) before any change.
 */
export async function openJournal(plan: Plan, tokensOut: string | undefined, what = 'the plan'): Promise<TokenJournal> {
  if (tokensOut) {
    try {
      return await TokenFile.open(tokensOut);
    } catch (err) {
      throw new UserError(`${(err as Error).message}. Nothing was changed.`);
    }
  }
  // Only a plan made with --tokens-out has deliveries: their tokens are in that file.
  const stored = plan.deliveries.filter((d) => d.refused === null);
  const [first] = stored;
  if (first) {
    throw new UserError(
      `${what} delivers ${stored.length === 1 ? 'a stored token' : `${stored.length} stored tokens`} (${first.address}${stored.length > 1 ? ', …' : ''}) ` +
        'kept in the tokens file it was made with: pass that file as --tokens-out. Nothing was changed.',
    );
  }
  const bare = plan.changes.filter((c) => issuesToken(c) && !c.token);
  if (bare.length > 0) {
    const names = bare.slice(0, 3).map((c) => c.address).join(', ') + (bare.length > 3 ? `, … (${bare.length} in all)` : '');
    throw new UserError(
      `${what} issues runner tokens that have no \`token:\` destination (${names}) and GitLab shows a token only once: ` +
        'pass --tokens-out FILE to keep them, or give those runners a `token:` destination. Nothing was changed.',
    );
  }
  return new MemoryJournal();
}

export interface RunOptions {
  parallelism?: number | string;
  /** The desired state and the live state the plan came from (absent for a saved plan). */
  declared?: { desired: DesiredState; live: LiveState; /** Runners whose stored token GitLab refused (TokenEvidence.dead_tokens): void. */ deadTokens?: readonly number[] };
}

export async function runChanges(api: GitLabApi, plan: Plan, journal: TokenJournal, opts: RunOptions): Promise<void> {
  const declared = opts.declared;
  const controller = new AbortController();
  let first: StopSignal | null = null;
  const onSignal = (signal: StopSignal) => {
    if (first === null) {
      first = signal;
      controller.abort();
      workStopping(signal);
      process.stderr.write(`\n${signal} received: no new change starts; waiting for the changes in flight to finish and deliver their tokens. Send it again to stop at once.\n`);
      return;
    }
    // Second signal: make whatever token is in hand durable, then stop now.
    let saved: string;
    try {
      journal.flushSync();
      saved = journal.path
        ? ` Tokens in hand were written to ${journal.path}.`
        : ' Without --tokens-out a token not yet delivered is lost: the next plan resets a never-contacted runner whose CI/CD variable does not name it; for a command destination run `runnerform rotate`.';
    } catch (err) {
      saved = ` Writing the tokens file failed: ${(err as Error).message}.`;
    }
    lastWords(`\n${signal} received again: stopping at once.${saved} Run \`runnerform plan\` to see what is left.\n`, (text) => writeSync(2, text));
    process.exit(SIGNAL_EXIT[first]);
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    process.stdout.write('\n');
    const report = await applyPlan(api, plan, {
      journal,
      sinkFor: (dest) => sinkFor(dest, { api }),
      parallelism: Number(opts.parallelism ?? 8),
      signal: controller.signal,
      currentDestination: declared ? (e) => declaredDestination(declared.desired, declared.live, e.scope, e.description) : undefined,
      runnerGone: declared
        ? (e) => e.id !== null && (declared.deadTokens?.includes(e.id) === true || ownsRunner(declared.live, e.scope, e.id) === false)
        : undefined,
      onEvent: (e) => process.stdout.write(renderApplyEvent(e)),
    });
    // A signal after every change had started stopped nothing: the work went on to the end.
    if (!report.interrupted) workStopping(null);
    process.stdout.write(renderApplySummary(report, { signal: first ?? undefined }));
    if ((report.created > 0 || report.reset > 0) && journal.path) {
      process.stderr.write(`Tokens of created and reset runners were written to ${journal.path} (mode 0600).\n`);
    }
    process.exitCode = first !== null ? SIGNAL_EXIT[first] : applyFailed(report) ? EXIT_ERROR : EXIT_OK;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
