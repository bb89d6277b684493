// `runnerform rotate ADDRESS...`: reset the token of declared, owned runners and
// deliver each new token to its `token:` destination (or --tokens-out). For a
// leaked token, a lost host, or a runner left without a token. Asks like apply.
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { rotationPlan } from '../plan/rotation.js';
import { renderText } from '../render/text.js';
import { addConnectionOptions, connect } from './connection.js';
import { addFileOption, filesFrom } from './files.js';
import { loadValidDesiredState, planWithLive, sourceLabel, useColor } from './pipeline.js';
import { confirmApply } from './prompt.js';
import { lockTokensFile, openJournal, runChanges } from './run-apply.js';

interface RotateOptions {
  autoApprove?: boolean;
  tokensOut?: string;
  parallelism?: number | string;
}

export function registerRotate(program: Command): void {
  const cmd = program
    .command('rotate')
    .description("Reset the token of declared runners and deliver the new one to its destination (leaked token, lost host)")
    .argument('<address...>', 'runner or scope addresses, as --target takes them, e.g. group["acme/platform"].runner["docker-amd64"]')
    .option('--auto-approve', 'do not ask for confirmation (needed when stdin is not a terminal)')
    .option('--tokens-out <file>', 'tokens file and journal (JSON, mode 0600); required when a rotated runner has no `token:` destination');
  addFileOption(cmd);
  addConnectionOptions(cmd);
  cmd.action(async (addresses: string[], opts: RotateOptions) => {
    const files = filesFrom(opts);
    const desired = loadValidDesiredState(files);
    if (!opts.autoApprove && !process.stdin.isTTY) {
      throw new UserError('rotate needs --auto-approve when stdin is not a terminal. Nothing was changed.');
    }
    const api = connect(opts);
    await lockTokensFile(opts.tokensOut);
    const { plan, live, evidence } = await planWithLive(api, desired, [], { tokensOut: opts.tokensOut });
    const rotation = rotationPlan(plan, desired, live, addresses, evidence.unwritable);
    process.stdout.write(renderText(rotation, { color: useColor(process.stdout), source: sourceLabel(files) }));
    const journal = await openJournal(rotation, opts.tokensOut, 'rotate');
    if (!opts.autoApprove && !(await confirmApply(process.stdin, process.stdout))) {
      throw new UserError('Rotate cancelled. Nothing was changed.');
    }
    await runChanges(api, rotation, journal, { parallelism: opts.parallelism, declared: { desired, live } });
  });
}
