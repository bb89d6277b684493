// The shared front half of plan and apply: desired state → live state → plan.
// Nothing is sent to GitLab before the desired state is valid.
import type { GitLabApi } from '../gitlab/api.js';
import { readLive as readLiveVia } from '../gitlab/read-live.js';
import type { GitLabClient } from '../gitlab/client.js';
import { loadDesiredState, formatProblem } from '../config/index.js';
import { computePlan } from '../plan/engine.js';
import type { DesiredState, LiveState, Plan, ScopeRef, TokenEvidence } from '../model.js';
import { UserError } from '../errors.js';
import { colorFor } from './color.js';
import { createProgress } from './progress.js';
import { gatherEvidence } from '../apply/evidence.js';
import { tokensPlanSends } from '../apply/verify-stored.js';
import { readOwnContact } from '../apply/own-contact-evidence.js';
import { resolveTokensPath } from '../apply/tokens-path.js';
import { readEnablementFacts, type EnablementReadOptions } from '../gitlab/enabled-projects.js';

/** How the runners' projects are read: through GraphQL when the live state was (gitlab/enabled-projects.ts). */
export function enablementReadOptions(api: GitLabApi): EnablementReadOptions {
  const client = api as Partial<GitLabClient>;
  return client.readSettings?.api !== 'rest' && client.graphql ? { graphql: client.graphql } : {};
}

/** Loads and checks the desired state; invalid input is a UserError listing every problem. */
export function loadValidDesiredState(files: string[]): DesiredState {
  const { state, problems } = loadDesiredState(files);
  if (!state || problems.length > 0) {
    const lines = problems.map(formatProblem);
    const n = problems.length;
    throw new UserError(`${lines.join('\n')}\n${n} problem${n === 1 ? '' : 's'} found; nothing was sent to GitLab.`);
  }
  return state;
}

/** Reads the live runners of the given scopes, with a progress line on a TTY. */
export async function readLive(api: GitLabApi, refs: ScopeRef[]): Promise<LiveState> {
  const progress = createProgress(process.stderr);
  try {
    const client = api as Partial<GitLabClient>;
    const notice = (line: string) => {
      progress.done();
      process.stderr.write(`${line}\n`);
    };
    return await readLiveVia(api, refs, { onProgress: progress.update, settings: client.readSettings, log: client.log, notice });
  } finally {
    progress.done();
  }
}

/**
 * Reads GitLab and the token evidence (the --tokens-out journal, read only, and the
 * declared CI/CD variables' descriptions), then plans. `now` is the only clock the engine sees.
 */
export async function planWithLive(
  api: GitLabApi,
  desired: DesiredState,
  targets: string[],
  opts: { tokensOut?: string } = {},
): Promise<{ plan: Plan; live: LiveState; evidence: TokenEvidence }> {
  // A --tokens-out that is not a regular file (a FIFO, a device) is refused before GitLab is asked anything.
  if (opts.tokensOut) checkTokensOut(opts.tokensOut);
  const live = await readEnablementFacts(api, desired, await readLive(api, desired.scopes.map((s) => s.ref)), enablementReadOptions(api));
  let gathered;
  try {
    gathered = await gatherEvidence(api, desired, opts.tokensOut);
  } catch (err) {
    throw new UserError(`${(err as Error).message}. Nothing was changed.`);
  }
  for (const line of gathered.unreadable) {
    process.stderr.write(`Note: the plan cannot tell whose token ${line.replace(/\.?$/, '')}.\n`);
  }
  // Stored tokens to deliver are part of the plan (Plan.deliveries): every output shows them.
  const now = new Date();
  const own = await readOwnContact(api, live);
  let evidence: TokenEvidence = own.length > 0 ? { ...gathered.evidence, own_contact: own } : gathered.evidence;
  let plan = computePlan(desired, live, { targets, evidence, now });
  // Only the stored tokens this plan sends are checked (a verify is a heartbeat in GitLab); a dead
  // one is then judged as if the journal did not hold it, so the plan is made again with that fact.
  const stored = await gathered.verifyStored(tokensPlanSends(plan));
  for (const line of stored.unverified) {
    process.stderr.write(`Note: the plan cannot tell whether GitLab still accepts the stored token of ${line.replace(/\.?$/, '')}.\n`);
  }
  if (stored.dead.length > 0) {
    evidence = { ...evidence, dead_tokens: stored.dead };
    plan = computePlan(desired, live, { targets, evidence, now });
  }
  return { plan, live, evidence };
}

function checkTokensOut(path: string): void {
  try {
    resolveTokensPath(path);
  } catch (err) {
    throw new UserError(`${(err as Error).message}. Nothing was changed.`);
  }
}

/** How plan output names the desired state: "runners.yaml", or the files joined. */
export function sourceLabel(files: string[]): string {
  return files.join(', ');
}

/** Colour as --color, FORCE_COLOR, NO_COLOR, TERM and the terminal decide (see color.ts). */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return colorFor(stream, env);
}
