#!/usr/bin/env node
// Entry point: the only place that touches argv and exit codes.
import { Command, Option } from 'commander';
// First: a closed or full stdout must never kill the work in flight (output.ts guards both streams on import).
import './output.js';
import { VERSION } from '../version.js';
import { COLOR_MODES, setColorMode, type ColorMode } from './color.js';
import { commandsToLoad } from './lazy-commands.js';
import { terraformHabits } from './terraform-habits.js';
import { EXIT_ERROR } from './exit-codes.js';
import { redact } from '../secrets.js';
import { escapeInvisible } from '../plan/address.js';

const program = new Command()
  .name('runnerform')
  .description('Declarative GitLab CI runners: validate, plan, apply and export runners.yaml')
  .version(VERSION, '-V, --version', 'print the version of runnerform')
  .addOption(
    new Option('--color <when>', 'colour output: auto = on a terminal, unless NO_COLOR or TERM=dumb (FORCE_COLOR forces it)')
      .choices(COLOR_MODES)
      .default('auto'),
  )
  .option('--no-color', 'same as --color never')
  // `runnerform plan --help` lists --color too (it works after the command as well).
  .configureHelp({ showGlobalOptions: true })
  // commander echoes bad arguments (`unknown option '--token=glpat-…'`): redact them too.
  .configureOutput({ outputError: (text, write) => write(redact(text)) })
  .hook('preAction', (root) => {
    const color = root.opts().color as ColorMode | false;
    setColorMode(color === false ? 'never' : color);
  });

// Only the command being run is loaded (its modules are a separate chunk of the bundle):
// `--version` loads none, `--help` and an unknown command load all.
let args: string[];
try {
  args = terraformHabits(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`error: ${redact((err as Error).message)}\nTry \`runnerform --help\`.\n`);
  process.exit(EXIT_ERROR);
}
for (const register of await commandsToLoad(args)) register(program);

// A usage error is one line and a pointer to the help, not the whole help.
program.showHelpAfterError('Try `runnerform --help`.');
for (const cmd of program.commands) cmd.showHelpAfterError(`Try \`runnerform ${cmd.name()} --help\`.`);

// User errors and GitLab errors carry messages written for the user; anything else
// is still shown as one line (redacted once more and its control characters escaped, as a last
// guard: some carry text GitLab sent, such as an id it answered), never as a stack.
program.parseAsync(args, { from: 'user' }).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`Error: ${escapeInvisible(redact(message), '\n')}\n`);
  process.exitCode = EXIT_ERROR;
});
