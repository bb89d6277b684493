// `runnerform show PLANFILE`: render a saved plan again, offline, e.g. before
// `apply PLANFILE` in a pipeline, or as Markdown for a review.
import { Command, Option } from 'commander';
import { readPlanFile } from './plan-file.js';
import { renderPlan } from './plan.js';

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('Render a plan saved by `runnerform plan --out` (offline)')
    .argument('<planfile>', 'the saved plan')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .action(async (planfile: string, opts: { format: 'text' | 'markdown' | 'json' }) => {
      // The plan file does not name the desired-state files it came from.
      process.stdout.write(renderPlan(await readPlanFile(planfile), opts.format, 'the desired state'));
    });
}
