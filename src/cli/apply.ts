// `runnerform apply`: plan and apply after approval, or apply a saved plan exactly.
import type { Command } from 'commander';
import { applyPlan } from '../apply/executor.js';
import { TokenFile, type TokenSink } from '../apply/token-sink.js';
import type { GitLabApi } from '../gitlab/api.js';
import { hasChanges, type Plan, type ScopeRef } from '../model.js';
import { whyStale } from '../plan/stale.js';
import { renderApplyEvent, renderApplySummary } from '../render/apply.js';
import { renderText } from '../render/text.js';
import { addConnectionOptions, connect } from './connection.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { UserError } from '../errors.js';
import { addFileOption, filesFrom, isDesiredStatePath } from './files.js';
import { addTargetOption, savedPlanArgument } from './targets.js';
import { loadValidDesiredState, makePlan, readLive, sourceLabel, useColor } from './pipeline.js';
import { readPlanFile } from './plan.js';
import { confirmApply } from './prompt.js';

interface ApplyOptions {
  autoApprove?: boolean;
  tokensOut?: string;
  parallelism?: number | string;
  target?: string[];
}

export function registerApply(program: Command): void {
  const cmd = program
    .command('apply')
    .description('Change GitLab until it matches the desired state (or apply a saved plan exactly)')
    .argument('[planfile]', 'a plan saved by `runnerform plan --out`; applied without asking (a .yaml file or a directory is desired state, as with -f)')
    .option('--auto-approve', 'do not ask for confirmation (needed when stdin is not a terminal)')
    .option('--tokens-out <file>', "where created runners' tokens are written (JSON, mode 0600); required when runners are created");
  addTargetOption(cmd);
  addFileOption(cmd);
  addConnectionOptions(cmd);
  cmd.action(async (arg: string | undefined, opts: ApplyOptions, command: Command) => {
    const planfile = savedPlanArgument(arg, opts, isDesiredStatePath);
    if (planfile) return applySavedPlan(planfile, opts, command);
    return planAndApply(opts);
  });
}

async function planAndApply(opts: ApplyOptions): Promise<void> {
  const files = filesFrom(opts);
  const desired = loadValidDesiredState(files);
  const interactive = Boolean(process.stdin.isTTY);
  if (!opts.autoApprove && !interactive) {
    throw new UserError('apply needs --auto-approve when stdin is not a terminal (or apply a saved plan: runnerform apply PLANFILE). Nothing was changed.');
  }
  const api = connect(opts);
  const plan = await makePlan(api, desired, opts.target ?? []);
  process.stdout.write(renderText(plan, { color: useColor(process.stdout), source: sourceLabel(files) }));
  if (!hasChanges(plan)) {
    process.stdout.write('\nApply complete: 0 created, 0 updated, 0 deleted.\n');
    return;
  }
  const tokens = await openTokens(plan, opts);
  if (!opts.autoApprove && !(await confirmApply(process.stdin, process.stdout))) {
    throw new UserError('Apply cancelled. Nothing was changed.');
  }
  await execute(api, plan, tokens, opts);
}

async function applySavedPlan(planfile: string, opts: ApplyOptions, command: Command): Promise<void> {
  if (command.getOptionValueSource('file') === 'cli') {
    throw new UserError('a saved plan is applied exactly as planned: do not combine PLANFILE with -f/--file.');
  }
  const plan = await readPlanFile(planfile);
  const api = connect(opts);
  // Checked again by whyStale; here it saves reading a GitLab the plan was never meant for.
  if (plan.gitlab_url !== api.baseUrl) {
    throw new UserError(`plan is stale: it was made for ${plan.gitlab_url}, not ${api.baseUrl}. Nothing was changed.`);
  }
  const tokens = await openTokens(plan, opts);
  // Re-read exactly the scopes the plan covers and refuse if anything moved since.
  const refs: ScopeRef[] = plan.scopes.map((s) => (s.type === 'instance' ? { type: 'instance' } : { type: s.type, id: s.id! }));
  const live = await readLive(api, refs);
  const stale = whyStale(plan, live);
  if (stale) throw new UserError(`plan is stale: ${stale}. Run \`runnerform plan\` again. Nothing was changed.`);
  await execute(api, plan, tokens, opts);
}

/** Tokens are shown by GitLab once: the file must be writable before the first create. */
async function openTokens(plan: Plan, opts: ApplyOptions): Promise<TokenSink | null> {
  if (!plan.changes.some((c) => c.action === 'create')) return null;
  if (!opts.tokensOut) {
    throw new UserError(
      "the plan creates runners and GitLab shows a new runner's token only once: pass --tokens-out FILE to keep them. Nothing was changed.",
    );
  }
  try {
    return await TokenFile.open(opts.tokensOut);
  } catch (err) {
    throw new UserError(`${(err as Error).message}. Nothing was changed.`);
  }
}

async function execute(api: GitLabApi, plan: Plan, tokens: TokenSink | null, opts: ApplyOptions): Promise<void> {
  process.stdout.write('\n');
  const report = await applyPlan(api, plan, {
    tokens,
    parallelism: Number(opts.parallelism ?? 8),
    onEvent: (e) => process.stdout.write(renderApplyEvent(e)),
  });
  process.stdout.write(renderApplySummary(report));
  if (report.created > 0 && opts.tokensOut) {
    process.stderr.write(`Tokens of created runners were written to ${opts.tokensOut} (mode 0600).\n`);
  }
  process.exitCode = report.failed > 0 || report.notStarted > 0 ? EXIT_ERROR : EXIT_OK;
}
