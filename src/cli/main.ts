#!/usr/bin/env node
// Entry point: the only place that touches argv and exit codes.
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerApply } from './apply.js';
import { EXIT_ERROR, UserError } from './exit-codes.js';
import { registerExport } from './export.js';
import { registerPlan } from './plan.js';
import { registerValidate } from './validate.js';

const program = new Command()
  .name('runnerform')
  .description('Declarative GitLab CI runners: validate, plan, apply and export runners.yaml')
  .version(VERSION)
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerValidate(program);
registerPlan(program);
registerApply(program);
registerExport(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const exitCode = err instanceof UserError ? err.exitCode : EXIT_ERROR;
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`Error: ${message}\n`);
  process.exitCode = exitCode;
});
