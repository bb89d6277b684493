// Executes a Plan through the GitLab client. First the plan's deliveries (tokens
// the journal holds), then deletions, then updates, creates and token resets
// together. On the first GitLab failure no new change starts; in-flight ones
// finish. A token's path: intent (journal) → create or reset → stored (journal)
// → delivered (sink) → marked delivered. A failing sink fails only its delivery:
// the token stays in the journal and the next plan shows its delivery.
// Creates that lost an answer are looked at once more at the end (lost-create-review).
import type { GitLabApi } from '../gitlab/api.js';
import { onlyEnablements, type Change, type Delivery, type Enablement, type TokenResetChange, type UpdateChange } from '../model.js';
import { createBody, updateBody } from './requests.js';
import { redact } from '../secrets.js';
import { createRunnerOnce, CreateRecoveryError, DEFAULT_RECOVERY, resetToken, type RecoverySchedule } from './create.js';
import { reviewLostCreates } from './lost-create-review.js';
import { RefusedEnablementError, sendEnablements } from './enablements.js';
import { refusalError } from './refused.js';
import type { DeliverableToken, TokenSink } from './sinks/index.js';
import type { IssuedToken, TokenEntry, TokenJournal } from './journal.js';
import type { TokenDestination } from '../model.js';

export type ApplyEvent =
  | { type: 'start'; change: Change }
  | { type: 'done'; change: Change; runner_id: number; note?: string }
  | { type: 'failed'; change: Change; error: Error }
  | { type: 'redelivered'; address: string; runner_id: number; where: string }
  | { type: 'redelivery-failed'; address: string; runner_id: number; error: Error };

export type OutcomeStatus = 'done' | 'failed' | 'not-started';

export interface ApplyOutcome {
  change: Change;
  status: OutcomeStatus;
  runner_id: number | null;
  /** GitLab carried out its part (runner created, updated, token reset, deleted), even if the change failed after it. */
  applied: boolean;
  /** The change's enablements GitLab carried out (or had already), even if the change failed after them. */
  enablementsDone: Enablement[];
  error?: Error;
}

export interface Redelivery {
  address: string;
  runner_id: number;
  error?: Error;
}

/** What happened, counted: a runner created whose token could not be delivered is created and a failed delivery. */
export interface ApplyReport {
  outcomes: ApplyOutcome[];
  /** Runners GitLab created (their token delivered or not). */
  created: number;
  /** Runners whose attributes, description or token destination changed: not a change that only enables or disables it in projects. */
  updated: number;
  deleted: number;
  /** Enablements in other projects carried out; present only when the plan has any (as PlanSummary.enable). */
  enabled?: number;
  /** Disablements in other projects carried out; present only when the plan has any. */
  disabled?: number;
  /** Tokens GitLab reset (their new token delivered or not). */
  reset: number;
  /** Changes that failed before or at GitLab (refused, an error, a lost-create problem). */
  failed: number;
  /** Tokens that did not reach their destination: of this apply's changes, and of the plan's deliveries. */
  deliveryFailed: number;
  notStarted: number;
  /** The plan's deliveries of stored tokens, tried at the start of this apply. */
  redelivered: Redelivery[];
  /** True when a signal stopped the apply before every change started. */
  interrupted: boolean;
}

export interface ApplyOptions {
  /** The journal (--tokens-out) or a MemoryJournal when every new token has a destination of its own. */
  journal: TokenJournal;
  /** The sink for a token destination (sinks/index.ts sinkFor). */
  sinkFor: (dest: TokenDestination) => TokenSink;
  parallelism: number;
  onEvent?: (event: ApplyEvent) => void;
  /** Waits after a lost create answer and between token resets; the default looks for about 30 s. Tests pass milliseconds. */
  recovery?: Partial<RecoverySchedule>;
  /** Aborted on SIGINT/SIGTERM/SIGHUP: no new change starts; changes in flight finish. */
  signal?: AbortSignal;
  /**
   * For journal bookkeeping of stored, undelivered tokens the plan does not deliver: the destination the
   * desired state declares for that runner (null: none, the tokens file is its home), or undefined when unknown.
   * Where a token goes is the plan's decision (Plan.deliveries), never this.
   */
  currentDestination?: (entry: TokenEntry) => TokenDestination | null | undefined;
  /** True when a stored token is void: its runner no longer exists (its scope was read and does not have it), or GitLab refused the token. */
  runnerGone?: (entry: TokenEntry) => boolean;
}

/** Changes that bring a new token into the world. */
export function issuesToken(change: Change): boolean {
  return change.action === 'create' || change.action === 'token-reset';
}

/** A destination failed; GitLab did its part. Fails only this change. */
export class DeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** The token was issued (or is held) and its destination failed: a failed delivery, not a failed change. */
export function isDeliveryFailure(outcome: ApplyOutcome): boolean {
  return outcome.status === 'failed' && outcome.error instanceof DeliveryError && (outcome.applied || outcome.change.action === 'update');
}

export async function applyPlan(api: GitLabApi, plan: { changes: Change[]; deliveries?: Delivery[] }, opts: ApplyOptions): Promise<ApplyReport> {
  const work = plan.changes.filter((c) => c.action !== 'no-op');
  const journal = opts.journal;
  if (journal.path === null && work.some((c) => issuesToken(c) && !c.token)) {
    throw new Error('the plan issues runner tokens without a destination: a tokens file is required to keep them');
  }
  const outcomes = new Map<Change, ApplyOutcome>(
    work.map((c) => [c, { change: c, status: 'not-started', runner_id: c.runner_id, applied: false, enablementsDone: [] }]),
  );
  let stopped = false;
  const halted = () => stopped || opts.signal?.aborted === true;
  const emit = opts.onEvent ?? (() => undefined);
  // Creates that lost an answer: GitLab may still carry one out after we stopped looking.
  const lostCreates = new Set<Change>();
  // Runners whose new token is kept (in the tokens file, or delivered), by change: what the lost-create review trusts.
  const kept = new Map<Change, number>();
  const ctx: ExecContext = {
    api,
    journal,
    sinkFor: opts.sinkFor,
    recovery: { ...DEFAULT_RECOVERY, ...opts.recovery },
    onLostAnswer: (c) => lostCreates.add(c),
    onKept: (c, id) => kept.set(c, id),
    signal: opts.signal,
  };

  // The plan's deliveries go first: their tokens are already issued.
  const redelivered = halted() ? [] : await redeliver(ctx, emit, plan.deliveries ?? []);
  if (!halted()) await settleJournal(ctx, plan.deliveries ?? [], opts.currentDestination ?? (() => undefined), opts.runnerGone ?? (() => false));

  const run = async (change: Change): Promise<void> => {
    if (halted()) return;
    const outcome = outcomes.get(change)!;
    // Known refusals fail without a request, and without stopping the others (apply/refused.ts).
    const refusal = refusalError(change);
    if (refusal) {
      Object.assign(outcome, { status: 'failed', error: refusal });
      return emit({ type: 'failed', change, error: refusal });
    }
    emit({ type: 'start', change });
    try {
      const { runner_id, note } = await execute(change, ctx, () => (outcome.applied = true), (e) => outcome.enablementsDone.push(e));
      outcome.status = 'done';
      outcome.runner_id = runner_id;
      emit({ type: 'done', change, runner_id, note });
    } catch (err) {
      // A destination's failure is its own: GitLab is fine, the other changes go on.
      // So is a refused enablement (apply/enablements.ts): GitLab did the rest of the change.
      if (!(err instanceof DeliveryError || err instanceof RefusedEnablementError)) stopped = true;
      outcome.status = 'failed';
      outcome.error = err as Error;
      outcome.runner_id = runnerIdOf(err) ?? outcome.runner_id;
      // GitLab made the runner, though its token was lost on the way: it was created.
      if (change.action === 'create' && err instanceof CreateRecoveryError && err.runner_id !== null) outcome.applied = true;
      emit({ type: 'failed', change, error: err as Error });
    }
  };

  // Deletions first, so that a prune frees names and quota before anything new appears.
  await pool(work.filter((c) => c.action === 'delete'), opts.parallelism, run);
  await pool(work.filter((c) => c.action !== 'delete'), opts.parallelism, run);
  if (!halted() || lostCreates.size > 0) await reportLostCreates(api, [...lostCreates].map((c) => outcomes.get(c)!), kept, emit);

  const all = [...outcomes.values()];
  // As the plan counts: a change that only enables or disables the runner in projects is not an update.
  const count = (action: Change['action']) => all.filter((o) => (o.status === 'done' || o.applied) && o.change.action === action && !onlyEnablements(o.change)).length;
  const deliveryFailures = all.filter(isDeliveryFailure).length;
  const subs = all.flatMap((o) => o.enablementsDone);
  return {
    outcomes: all,
    created: count('create'),
    updated: count('update'),
    deleted: count('delete'),
    ...(work.some((c) => c.enablements?.length)
      ? { enabled: subs.filter((e) => e.action === 'enable').length, disabled: subs.filter((e) => e.action === 'disable').length }
      : {}),
    reset: count('token-reset'),
    failed: all.filter((o) => o.status === 'failed').length - deliveryFailures,
    deliveryFailed: deliveryFailures + redelivered.filter((r) => r.error).length,
    notStarted: all.filter((o) => o.status === 'not-started').length,
    redelivered,
    interrupted: opts.signal?.aborted === true && all.some((o) => o.status === 'not-started'),
  };
}

function runnerIdOf(err: unknown): number | null {
  const id = (err as { runner_id?: unknown }).runner_id;
  return typeof id === 'number' ? id : null;
}

/** Looks once more at the scopes of creates that lost an answer; a duplicate or tokenless runner fails its change, loudly. */
async function reportLostCreates(api: GitLabApi, lost: ApplyOutcome[], kept: ReadonlyMap<Change, number>, emit: (e: ApplyEvent) => void): Promise<void> {
  if (lost.length === 0) return;
  const items = lost.map((o) => ({
    change: o.change,
    // Whether the token was kept, not whether the change succeeded: an enable failing after it does not lose it.
    storedId: kept.get(o.change) ?? null,
    namedId: o.error instanceof CreateRecoveryError ? o.error.runner_id : null,
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
  api: GitLabApi;
  journal: TokenJournal;
  sinkFor: (dest: TokenDestination) => TokenSink;
  recovery: RecoverySchedule;
  onLostAnswer: (change: Change) => void;
  /** The change's new token is kept: written to the tokens file, or delivered. */
  onKept: (change: Change, runner_id: number) => void;
  signal?: AbortSignal;
}

/** The runner's change, with its enablements in other projects: a delete's disables first, the others' after (apply/enablements.ts). */
async function execute(change: Change, ctx: ExecContext, applied: () => void, enabled: (e: Enablement) => void): Promise<{ runner_id: number; note?: string }> {
  if (!change.enablements?.length) return executeRunner(change, ctx, applied);
  const first = change.action === 'delete' ? await sendEnablements(ctx.api, change, change.runner_id, enabled) : undefined;
  let done;
  try {
    done = await executeRunner(change, ctx, applied);
  } catch (err) {
    throw change.action === 'delete' ? err : enablementsNotSent(err, change);
  }
  let after;
  try {
    after = change.action === 'delete' ? undefined : await sendEnablements(ctx.api, change, done.runner_id, enabled);
  } catch (err) {
    throw afterRunner(err, done);
  }
  return { ...done, note: [done.note, first, after].filter(Boolean).join('; ') || undefined };
}

/** The runner's part failed, so its enables and disables were not sent: the error says so (the next plan shows them again). */
function enablementsNotSent(err: unknown, change: Change): unknown {
  const unsent = (change.enablements ?? []).filter((e) => e.refused === null).map((e) => `${e.action} in ${e.project.path}`);
  if (unsent.length === 0 || !(err instanceof Error)) return err;
  err.message = `${err.message.replace(/\.?$/, '.')} Not sent with it: ${unsent.join(', ')} (the next plan shows ${unsent.length === 1 ? 'it' : 'them'} again).`;
  return err;
}

/** An enablement failed after GitLab did the runner's part: the error names the runner and what became of its token. */
function afterRunner(err: unknown, done: { runner_id: number; note?: string }): Error {
  const said = `[id=${done.runner_id}]${done.note ? ` (${done.note})` : ''}`;
  if (err instanceof RefusedEnablementError) {
    err.message = `${err.message} ${said}`;
    return err;
  }
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(`${message.replace(/\.?$/, '.')} ${said}`, { cause: err }), { runner_id: done.runner_id });
}

/** `applied` is called once GitLab has done its part, before the token's delivery. */
async function executeRunner(change: Change, ctx: ExecContext, applied: () => void): Promise<{ runner_id: number; note?: string }> {
  const { api } = ctx;
  switch (change.action) {
    case 'delete': {
      const result = await api.deleteRunner(change.runner_id);
      applied();
      return { runner_id: change.runner_id, note: result === 'gone' ? 'already gone' : undefined };
    }
    case 'update': {
      const body = updateBody(change);
      // A change that only moves a token has nothing to send to GitLab.
      if (Object.keys(body).length > 0) {
        await api.updateRunner(change.runner_id, body);
        applied();
      }
      if (!change.token_move) return { runner_id: change.runner_id };
      const where = await moveToken(change, ctx);
      return { runner_id: change.runner_id, note: `token moved → ${where}` };
    }
    case 'create':
      return createAndDeliver(change, ctx, applied);
    case 'token-reset':
      return resetAndDeliver(change, ctx, applied);
    default:
      throw new Error(`unexpected action ${change.action}`);
  }
}

async function createAndDeliver(change: Change & { action: 'create' }, ctx: ExecContext, applied: () => void): Promise<{ runner_id: number; note?: string }> {
  const entry = await intend(change, null, ctx);
  let created;
  try {
    created = await createRunnerOnce(ctx.api, change, createBody(change), {
      recovery: ctx.recovery,
      onLostAnswer: () => ctx.onLostAnswer(change),
      signal: ctx.signal,
    });
  } catch (err) {
    // A definite refusal created nothing: drop the intent. Otherwise it is the evidence the next plan needs.
    if (err instanceof CreateRecoveryError) {
      if (err.runner_id !== null) await ctx.journal.identify(entry, err.runner_id).catch(() => undefined);
    } else if (!(err as { maybeApplied?: boolean }).maybeApplied) {
      await ctx.journal.forget(entry).catch(() => undefined);
    }
    throw err;
  }
  applied();
  const issued: IssuedToken = {
    id: created.id,
    token: created.token,
    token_expires_at: created.token_expires_at ?? null,
    source: created.recovered ? 'reset' : 'create',
  };
  await store(change, entry, issued, ctx);
  const where = await deliver(change, entry, issued, ctx);
  const notes = [created.recovered ? 'answer was lost; token recovered by reset' : null, where ? `token → ${where}` : null].filter(Boolean);
  return { runner_id: created.id, note: notes.length ? notes.join('; ') : undefined };
}

async function resetAndDeliver(change: TokenResetChange, ctx: ExecContext, applied: () => void): Promise<{ runner_id: number; note?: string }> {
  const id = change.runner_id;
  if (change.changed.length > 0 || change.renamed_from) {
    const asUpdate: UpdateChange = { ...change, action: 'update', reason: change.renamed_from ? 'renamed' : null, renamed_from: change.renamed_from ?? null, token_move: null };
    await ctx.api.updateRunner(id, updateBody(asUpdate));
  }
  await withdraw(change, ctx);
  const entry = await intend(change, id, ctx);
  let reset;
  try {
    reset = await resetToken(ctx.api, change, id, ctx.recovery.resetRetriesMs);
  } catch (err) {
    // A refused reset left the old token valid: put its journal entry back.
    if (!((err as Error).cause as { maybeApplied?: boolean } | undefined)?.maybeApplied) await ctx.journal.forget(entry).catch(() => undefined);
    throw err;
  }
  applied();
  const issued: IssuedToken = { id, token: reset.token, token_expires_at: reset.token_expires_at ?? null, source: 'reset' };
  await store(change, entry, issued, ctx);
  const where = await deliver(change, entry, issued, ctx);
  return { runner_id: id, note: where ? `token → ${where}` : undefined };
}

/**
 * Delivers the token the journal holds to the destination declared now (same token, no reset).
 * The journal records the new destination first, so a failed delivery is retried by the next
 * apply. The old destination is left as it is: runnerform never deletes a variable silently.
 */
async function moveToken(change: UpdateChange, ctx: ExecContext): Promise<string> {
  const entry = ctx.journal.storedToken(change.runner_id);
  if (!entry?.token || !change.token) {
    throw new DeliveryError(
      `${change.address} was planned to move its stored token, but ${ctx.journal.path ?? 'this apply (no --tokens-out)'} does not hold it; ` +
        `apply with the --tokens-out file the plan was made with, or run \`runnerform rotate ${change.address}\``,
    );
  }
  if (await isDead(ctx.api, entry.token)) throw Object.assign(new DeliveryError(deadTokenMessage(change.runner_id)), { runner_id: change.runner_id });
  await ctx.journal.relocate(entry, { description: change.description, address: change.address, destination: change.token });
  const issued: IssuedToken = { id: change.runner_id, token: entry.token, token_expires_at: entry.token_expires_at, source: entry.source ?? 'create' };
  return (await deliver(change, entry, issued, ctx))!;
}

async function intend(change: Change, runner_id: number | null, ctx: ExecContext): Promise<TokenEntry> {
  try {
    return await ctx.journal.intend({ scope: change.scope, description: change.description, address: change.address, destination: change.token, runner_id });
  } catch (err) {
    // Nothing was sent yet: without a durable intent a crash could lose the token.
    throw new Error(`could not write to the tokens file ${ctx.journal.path}: ${(err as Error).message}. Nothing was sent to GitLab for ${change.address}.`, { cause: err });
  }
}

/** The token is in the journal before the change counts as done, and before its delivery. */
async function store(change: Change, entry: TokenEntry, issued: IssuedToken, ctx: ExecContext): Promise<void> {
  try {
    await ctx.journal.store(entry, issued);
    if (ctx.journal.path) ctx.onKept(change, issued.id);
  } catch (err) {
    if (change.token) return; // the destination can still receive it; the delivery decides the outcome
    throw new CreateRecoveryError(
      `the runner ${change.action === 'create' ? 'was created' : 'token was reset'} (id ${issued.id}) but its token could not be written: ${(err as Error).message}. ` +
        `Get a new token with \`runnerform rotate ${change.address}\` (or POST /runners/${issued.id}/reset_authentication_token).`,
      issued.id,
    );
  }
}

/** Before a reset: the destination stops naming the runner (sink.withdraw); if it cannot, nothing is reset. */
async function withdraw(change: TokenResetChange, ctx: ExecContext): Promise<void> {
  if (!change.token) return;
  const sink = ctx.sinkFor(change.token);
  if (!sink.withdraw) return;
  const runner = { runner_id: change.runner_id, address: change.address, description: change.description, scope: change.scope };
  try {
    await sink.withdraw(runner);
  } catch (err) {
    const where = sink.describe({ ...runner, token: '', tokenExpiresAt: null });
    throw Object.assign(
      new DeliveryError(`cannot write ${where}, so runner ${change.runner_id}'s token was not reset (the current one keeps working): ${redact((err as Error).message)}`, {
        cause: err,
      }),
      { runner_id: change.runner_id },
    );
  }
}

/** Delivers to the change's destination; returns where it went (null: the tokens file only). */
async function deliver(change: Change, entry: TokenEntry, issued: IssuedToken, ctx: ExecContext): Promise<string | null> {
  if (!change.token) return null;
  const sink = ctx.sinkFor(change.token);
  const token: DeliverableToken = {
    runner_id: issued.id,
    address: change.address,
    description: change.description,
    scope: change.scope,
    token: issued.token,
    tokenExpiresAt: issued.token_expires_at,
  };
  const where = sink.describe(token);
  try {
    await sink.deliver(token);
  } catch (err) {
    const why = redact((err as Error).message, [issued.token]);
    await ctx.journal.undelivered(entry, why).catch(() => undefined);
    const kept = ctx.journal.path
      ? `The token is kept in ${ctx.journal.path}; the next apply delivers it again.`
      : `The token was not kept (no --tokens-out); run \`runnerform rotate ${change.address}\` once the destination works.`;
    throw Object.assign(new DeliveryError(`runner ${issued.id} has a new token, but delivering it to ${where} failed: ${why.replace(/\.$/, '')}. ${kept}`, { cause: err }), {
      runner_id: issued.id,
    });
  }
  ctx.onKept(change, issued.id);
  await ctx.journal.delivered(entry).catch(() => undefined);
  return where;
}

/** Delivers the plan's stored tokens (same token, no reset) to the destinations the plan names. */
async function redeliver(ctx: ExecContext, emit: (e: ApplyEvent) => void, deliveries: readonly Delivery[]): Promise<Redelivery[]> {
  const out: Redelivery[] = [];
  for (const delivery of deliveries) {
    const { address, runner_id: runner_id } = delivery;
    const fail = (error: Error) => {
      out.push({ address, runner_id, error });
      emit({ type: 'redelivery-failed', address, runner_id, error });
    };
    const refusal = refusalError(delivery);
    if (refusal) {
      fail(refusal);
      continue;
    }
    const entry = ctx.journal.storedToken(runner_id);
    if (!entry?.token) {
      fail(
        new DeliveryError(
          `the plan delivers the stored token of runner ${runner_id}, but ${ctx.journal.path ?? 'this apply (no --tokens-out)'} does not hold it; ` +
            'apply with the --tokens-out file the plan was made with',
        ),
      );
      continue;
    }
    // A saved plan may be older than a reset made without this file: a dead token never overwrites the working one.
    if (await isDead(ctx.api, entry.token)) {
      fail(new DeliveryError(deadTokenMessage(runner_id)));
      continue;
    }
    // The destination declared now is recorded first, so a failed delivery is tried there again.
    if (entry.description !== delivery.description || JSON.stringify(entry.destination ?? null) !== JSON.stringify(delivery.token)) {
      await ctx.journal.relocate(entry, { description: delivery.description, address, destination: delivery.token });
    }
    const token: DeliverableToken = {
      runner_id,
      address,
      description: delivery.description,
      scope: delivery.scope,
      token: entry.token,
      tokenExpiresAt: entry.token_expires_at,
    };
    const sink = ctx.sinkFor(delivery.token);
    const where = sink.describe(token);
    try {
      await sink.deliver(token);
      await ctx.journal.delivered(entry);
      out.push({ address, runner_id });
      emit({ type: 'redelivered', address, runner_id, where });
    } catch (err) {
      const why = redact((err as Error).message, [token.token]);
      await ctx.journal.undelivered(entry, why).catch(() => undefined);
      fail(new DeliveryError(`stored token of runner ${runner_id} still not delivered to ${where}: ${why}`));
    }
  }
  return out;
}

/**
 * Journal bookkeeping for stored, undelivered tokens the plan does not deliver: a deleted runner's
 * token is void (delivering it could overwrite the token of the runner that replaced it), and a
 * token whose runner is declared without a destination now is home in the tokens file. Others stay.
 */
async function settleJournal(
  ctx: ExecContext,
  deliveries: readonly Delivery[],
  current: (entry: TokenEntry) => TokenDestination | null | undefined,
  gone: (entry: TokenEntry) => boolean,
): Promise<void> {
  const planned = new Set(deliveries.map((d) => d.runner_id));
  for (const entry of ctx.journal.pendingDeliveries()) {
    if (entry.id === null || planned.has(entry.id)) continue;
    if (gone(entry)) await ctx.journal.forget(entry);
    else if (current(entry) === null) {
      // The file is the token's only home now: recorded so, or `tokens prune` would take it for delivered elsewhere.
      entry.destination = null;
      await ctx.journal.delivered(entry);
    }
  }
}

/** GitLab refuses the token (POST /runners/verify → 403). Unknown (no answer, or a client without verify) is not dead. */
async function isDead(api: GitLabApi, token: string): Promise<boolean> {
  if (!api.verifyRunnerToken) return false;
  return (await api.verifyRunnerToken(token).catch(() => 'unknown')) === 'invalid';
}

function deadTokenMessage(runner_id: number): string {
  return (
    `GitLab no longer accepts the stored token of runner ${runner_id} (it was reset since, without this tokens file): ` +
    'it was not delivered, so the working token stays where it is; run `runnerform plan` again'
  );
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  // One iterator shared by the workers: each takes the next item not yet taken.
  const queue = items.values();
  const worker = async () => {
    for (const item of queue) await fn(item);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
