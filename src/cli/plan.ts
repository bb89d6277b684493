// `runnerform plan`: show what apply would change; optionally save it for apply.
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { hasChanges, type Plan } from '../model.js';
import { renderJson } from '../render/json.js';
import { renderGitlabReport, renderMarkdown } from '../render/markdown.js';
import { renderText } from '../render/text.js';
import type { GitLabApi } from '../gitlab/api.js';
import { connect, addConnectionOptions } from './connection.js';
import { mergeRequestFromEnv, upsertPlanNote } from './comment.js';
import { EXIT_CHANGES, EXIT_OK } from './exit-codes.js';
import { addFileArguments, addFileOption, filesFrom, takePositionalFiles } from './files.js';
import { loadValidDesiredState, planWithLive, sourceLabel, useColor } from './pipeline.js';
import { addTargetOption } from './targets.js';

interface PlanOptions {
  out?: string;
  format: 'text' | 'markdown' | 'json';
  detailedExitcode?: boolean;
  target?: string[];
  comment?: boolean;
  gitlabReport?: string;
  tokensOut?: string;
}

export function registerPlan(program: Command): void {
  const cmd = program
    .command('plan')
    .description('Compare the desired state with GitLab and show what apply would change')
    .option('-o, --out <planfile>', 'save the plan as JSON for `runnerform apply PLANFILE`')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
    .option('--comment', 'post the plan as one note on the merge request of this GitLab CI pipeline (updated on each run), with $RUNNERFORM_COMMENT_TOKEN when set')
    .option('--gitlab-report <file>', "also write GitLab's Terraform report JSON for artifacts:reports:terraform")
    .option('--tokens-out <file>', "apply's tokens file, read (never written) to find tokens an interrupted apply did not store or deliver");
  addTargetOption(cmd);
  addFileOption(cmd);
  addFileArguments(cmd);
  addConnectionOptions(cmd);
  cmd.action(async (positional: string[], opts: PlanOptions) => {
    takePositionalFiles(positional, opts);
    const files = filesFrom(opts);
    const desired = loadValidDesiredState(files);
    const mr = opts.comment ? mergeRequestFromEnv() : null;
    const api = connect(opts);
    const { plan } = await planWithLive(api, desired, opts.target ?? [], { tokensOut: opts.tokensOut });
    const source = sourceLabel(files);
    if (opts.out) await writeFile(opts.out, renderJson(plan), { mode: 0o600 });
    if (opts.gitlabReport) await writeFile(opts.gitlabReport, renderGitlabReport(plan));
    process.stdout.write(renderPlan(plan, opts.format, source));
    if (opts.out) process.stderr.write(`Plan saved to ${opts.out}. Apply it with: runnerform apply ${opts.out}\n`);
    if (mr) {
      // A failed comment fails the job: a silent failure would hide the plan from reviewers.
      const note = await upsertPlanNote(commentApi(opts, api), mr, renderMarkdown(plan, { source }));
      process.stderr.write(`Plan comment ${note.action} on merge request !${mr.iid} (note ${note.noteId}).\n`);
    }
    // The same test as the text's "No changes": a stored token to deliver is part of the plan.
    process.exitCode = opts.detailedExitcode && hasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  });
}

/**
 * The client that posts the --comment note: with RUNNERFORM_COMMENT_TOKEN when it is set (a
 * project access token with the Reporter role, which can do nothing else), so the plan's own
 * token needs only read_api; else with the plan's token.
 */
function commentApi(opts: PlanOptions, api: GitLabApi): GitLabApi {
  const token = process.env.RUNNERFORM_COMMENT_TOKEN?.trim();
  if (!token) return api;
  return connect({ ...opts, tokenFile: undefined }, { ...process.env, GITLAB_TOKEN: token });
}

export function renderPlan(plan: Plan, format: PlanOptions['format'], source: string): string {
  switch (format) {
    case 'json':
      return renderJson(plan);
    case 'markdown':
      return renderMarkdown(plan, { source });
    default:
      return renderText(plan, { color: useColor(process.stdout), source });
  }
}
