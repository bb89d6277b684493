// `runnerform schema`: print the desired-state JSON Schema, to commit beside runners.yaml
// so the `# yaml-language-server: $schema=./runners.schema.json` line that export writes resolves.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { EXIT_OK } from './exit-codes.js';
import { PACKAGE_ROOT } from '../version.js';

/** The shipped file itself, byte for byte, from schemas/ at the package root (checkout or installed package). */
export const SCHEMA_FILE = new URL('schemas/runners.schema.json', PACKAGE_ROOT);

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema of runners.yaml (save it as runners.schema.json beside the file, for editors)')
    .action(() => {
      process.stdout.write(readFileSync(SCHEMA_FILE, 'utf8'));
      process.exitCode = EXIT_OK;
    });
}
