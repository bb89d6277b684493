// Executes a Plan through the GitLab client. Deletions first, then updates and
// creates. On the first failure no new change starts; in-flight ones finish.
// Creates that lost an answer are looked at once more at the end (lost-create-review).
import type { GitLabApi } from '../gitlab/api.js';
import type { Change, Plan } from '../model.js';
import { createBody, updateBody } from '../plan/requests.js';
import { createRunnerOnce, CreateRecoveryError, type RecoverySchedule } from './create.js';
import { reviewLostCreates } from './lost-create-review.js';
import { refusalError } from './refused.js';
import type { TokenSink } from './token-sink.js';

export type ApplyEvent =
  | { type: 'start'; change: Change }
  | { type: 'done'; change: Change; runnerId: number; note?: string }
  | { type: 'failed'; change: Change; error: Error };

export type OutcomeStatus = 'done' | 'failed' | 'not-started';

export interface ApplyOutcome {
  change: Change;
  status: OutcomeStatus;
  runnerId: number | null;
  error?: Error;
}

export interface ApplyReport {
  outcomes: ApplyOutcome[];
  created: number;
  updated: number;
  deleted: number;
  failed: number;
  notStarted: number;
}

export interface ApplyOptions {
  /** Required when the plan creates runners (the caller checks this before any change). */
  tokens: TokenSink | null;
  parallelism: number;
  onEvent?: (event: ApplyEvent) => void;
  /** Waits after a lost create answer and between token resets; the default looks for about 30 s. Tests pass milliseconds. */
  recovery?: Partial<RecoverySchedule>;
}

export async function applyPlan(api: GitLabApi, plan: Plan, opts: ApplyOptions): Promise<ApplyReport> {
  const work = plan.changes.filter((c) => c.action !== 'no-op');
  if (work.some((c) => c.action === 'create') && !opts.tokens) {
    throw new Error('the plan creates runners: a tokens file is required to keep their tokens');
  }
  const outcomes = new Map<Change, ApplyOutcome>(
    work.map((c) => [c, { change: c, status: 'not-started', runnerId: c.runner_id }]),
  );
  let stopped = false;
  const emit = opts.onEvent ?? (() => undefined);
  // Creates that lost an answer: GitLab may still carry one out after we stopped looking.
  const lostCreates = new Set<Change>();
  const ctx: ExecContext = { tokens: opts.tokens, recovery: opts.recovery, onLostAnswer: (c) => lostCreates.add(c) };

  const run = async (change: Change): Promise<void> => {
    if (stopped) return;
    const outcome = outcomes.get(change)!;
    // Known refusals fail without a request, and without stopping the others (apply/refused.ts).
    const refusal = refusalError(change);
    if (refusal) {
      Object.assign(outcome, { status: 'failed', error: refusal });
      return emit({ type: 'failed', change, error: refusal });
    }
    emit({ type: 'start', change });
    try {
      const { runnerId, note } = await execute(api, change, ctx);
      outcome.status = 'done';
      outcome.runnerId = runnerId;
      emit({ type: 'done', change, runnerId, note });
    } catch (err) {
      stopped = true;
      outcome.status = 'failed';
      outcome.error = err as Error;
      emit({ type: 'failed', change, error: err as Error });
    }
  };

  // Deletions first, so that a prune frees names and quota before anything new appears.
  await pool(work.filter((c) => c.action === 'delete'), opts.parallelism, run);
  await pool(work.filter((c) => c.action !== 'delete'), opts.parallelism, run);
  await reportLostCreates(api, [...lostCreates].map((c) => outcomes.get(c)!), emit);

  const all = [...outcomes.values()];
  const count = (action: Change['action']) =>
    all.filter((o) => o.status === 'done' && o.change.action === action).length;
  return {
    outcomes: all,
    created: count('create'),
    updated: count('update'),
    deleted: count('delete'),
    failed: all.filter((o) => o.status === 'failed').length,
    notStarted: all.filter((o) => o.status === 'not-started').length,
  };
}

/** Looks once more at the scopes of creates that lost an answer; a duplicate or tokenless runner fails its change, loudly. */
async function reportLostCreates(api: GitLabApi, lost: ApplyOutcome[], emit: (e: ApplyEvent) => void): Promise<void> {
  if (lost.length === 0) return;
  const items = lost.map((o) => ({
    change: o.change,
    storedId: o.status === 'done' ? o.runnerId : null,
    namedId: o.error instanceof CreateRecoveryError ? o.error.runnerId : null,
  }));
  const problems = await reviewLostCreates(api, items);
  for (const o of lost) {
    const problem = problems.get(o.change);
    if (!problem) continue;
    o.error = o.status === 'failed' && o.error ? new Error(`${o.error.message} ${problem}`, { cause: o.error }) : new Error(problem);
    o.status = 'failed';
    emit({ type: 'failed', change: o.change, error: o.error });
  }
}

interface ExecContext {
  tokens: TokenSink | null;
  recovery?: Partial<RecoverySchedule>;
  onLostAnswer: (change: Change) => void;
}

async function execute(api: GitLabApi, change: Change, ctx: ExecContext): Promise<{ runnerId: number; note?: string }> {
  const { tokens } = ctx;
  switch (change.action) {
    case 'delete': {
      const result = await api.deleteRunner(change.runner_id!);
      return { runnerId: change.runner_id!, note: result === 'gone' ? 'already gone' : undefined };
    }
    case 'update': {
      await api.updateRunner(change.runner_id!, updateBody(change));
      return { runnerId: change.runner_id! };
    }
    case 'create': {
      const created = await createRunnerOnce(api, change, createBody(change), {
        recovery: ctx.recovery,
        onLostAnswer: () => ctx.onLostAnswer(change),
      });
      // The token is written before this change counts as done, and before the next starts.
      try {
        await tokens!.add({
          scope: change.scope,
          description: change.description,
          id: created.id,
          token: created.token,
          token_expires_at: created.token_expires_at ?? null,
          source: created.recovered ? 'reset' : 'create',
        });
      } catch (err) {
        throw new CreateRecoveryError(
          `the runner was created (id ${created.id}) but its token could not be written: ${(err as Error).message}. ` +
            `Get a new token with POST /runners/${created.id}/reset_authentication_token (or "Reset token" in GitLab).`,
          created.id,
        );
      }
      return { runnerId: created.id, note: created.recovered ? 'answer was lost; token recovered by reset' : undefined };
    }
    default:
      throw new Error(`unexpected action ${change.action}`);
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
