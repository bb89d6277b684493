// `runnerform validate`: check desired-state files offline, with line:column problems.
import { Command, Option } from 'commander';
import { formatProblem, loadDesiredState } from '../config/index.js';
import type { DesiredState } from '../model.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { addFileArguments, addFileOption, filesFrom, takePositionalFiles } from './files.js';
import { redactTokens } from '../secrets.js';

interface ValidateOptions {
  file: string[];
  format: 'text' | 'json';
}

export function registerValidate(program: Command): void {
  const cmd = program
    .command('validate')
    .description('Check desired-state files without contacting GitLab; print every problem as FILE:LINE:COL')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  addFileOption(cmd);
  addFileArguments(cmd);
  cmd.action((positional: string[], opts: ValidateOptions) => {
    takePositionalFiles(positional, opts);
    const inputs = filesFrom(opts);
    const { state, problems } = loadDesiredState(inputs);
    if (opts.format === 'json') {
      const rows = problems.map(({ file, line, column, path, message }) => ({ file, line, column, path, message }));
      // File names come from the command line, where a pasted token can end up.
      process.stdout.write(redactTokens(JSON.stringify(rows, null, 2)) + '\n');
    } else if (state) {
      process.stdout.write(redactTokens(`Valid: ${inputs.join(', ')} (${summarize(state, inputs)}).\n`));
    } else {
      process.stderr.write(redactTokens(problems.map((p) => formatProblem(p) + '\n').join('')));
      process.stderr.write(`${count(problems.length, 'problem')} found.\n`);
    }
    process.exitCode = state ? EXIT_OK : EXIT_ERROR;
  });
}

/** e.g. "2 groups, 1 project, 5 runners"; files are counted when a directory was given. */
export function summarize(state: DesiredState, inputs: string[] = []): string {
  const parts: string[] = [];
  if (state.files.length !== inputs.length && inputs.length > 0) parts.push(count(state.files.length, 'file'));
  const groups = state.scopes.filter((s) => s.ref.type === 'group').length;
  const projects = state.scopes.filter((s) => s.ref.type === 'project').length;
  parts.push(count(groups, 'group'), count(projects, 'project'));
  if (state.scopes.some((s) => s.ref.type === 'instance')) parts.push('instance');
  parts.push(count(state.scopes.reduce((n, s) => n + s.runners.length, 0), 'runner'));
  return parts.join(', ');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
