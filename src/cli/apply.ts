// `runnerform apply`: plan and apply after approval, or apply a saved plan exactly.
import type { Command } from 'commander';
import { hasChanges, type ScopeRef } from '../model.js';
import { whyStale } from '../plan/stale.js';
import { renderText } from '../render/text.js';
import { addConnectionOptions, connect } from './connection.js';
import { UserError } from '../errors.js';
import { addFileOption, filesFrom, isDesiredStatePath } from './files.js';
import { addTargetOption, savedPlanArgument } from './targets.js';
import { loadValidDesiredState, planWithLive, readLive, sourceLabel, useColor } from './pipeline.js';
import { readPlanFile } from './plan-file.js';
import { confirmApply } from './prompt.js';
import { lockTokensFile, openJournal, runChanges } from './run-apply.js';

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
    .option(
      '--tokens-out <file>',
      'tokens file and journal (JSON, mode 0600): every new token is kept here before it is delivered; required when a created or reset runner has no `token:` destination',
    );
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
  await lockTokensFile(opts.tokensOut);
  const { plan, live, evidence } = await planWithLive(api, desired, opts.target ?? [], { tokensOut: opts.tokensOut });
  process.stdout.write(renderText(plan, { color: useColor(process.stdout), source: sourceLabel(files) }));
  const journal = await openJournal(plan, opts.tokensOut);
  // A stored token to deliver is part of the plan: hasChanges counts it.
  if (!hasChanges(plan)) {
    process.stdout.write('\nApply complete: 0 created, 0 updated, 0 deleted.\n');
    return;
  }
  if (!opts.autoApprove && !(await confirmApply(process.stdin, process.stdout))) {
    throw new UserError('Apply cancelled. Nothing was changed.');
  }
  await runChanges(api, plan, journal, { parallelism: opts.parallelism, declared: { desired, live, deadTokens: evidence.dead_tokens } });
}

async function applySavedPlan(planfile: string, opts: ApplyOptions, command: Command): Promise<void> {
  if (command.getOptionValueSource('file') === 'cli') {
    throw new UserError('a saved plan is applied exactly as planned: do not combine PLANFILE with -f/--file.');
  }
  const plan = await readPlanFile(planfile);
  const api = connect(opts);
  // Checked again by whyStale; here it saves reading a GitLab the plan was never meant for.
  if (plan.gitlab_url !== api.gitlabUrl) {
    throw new UserError(`plan is stale: it was made for ${plan.gitlab_url}, not ${api.gitlabUrl}. Nothing was changed.`);
  }
  const journal = await openJournal(plan, opts.tokensOut);
  // Re-read exactly the scopes the plan covers and refuse if anything moved since.
  const refs: ScopeRef[] = plan.scopes.map((s) => (s.type === 'instance' ? { type: 'instance' } : { type: s.type, id: s.id! }));
  const live = await readLive(api, refs);
  const stale = whyStale(plan, live);
  if (stale) throw new UserError(`plan is stale: ${stale}. Run \`runnerform plan\` again. Nothing was changed.`);
  await runChanges(api, plan, journal, opts);
}
