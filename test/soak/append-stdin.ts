// The soak's `command` token destination: appends "<runner id> <stdin>" to the
// file named by argv[2], like a tiny secret store. O_APPEND keeps concurrent writers whole.
import { appendFileSync, readFileSync } from 'node:fs';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: append-stdin.js OUTFILE\n');
  process.exit(2);
}
const input = readFileSync(0, 'utf8');
appendFileSync(out, `${process.env.RUNNERFORM_RUNNER_ID ?? '?'} ${input.endsWith('\n') ? input : `${input}\n`}`, { mode: 0o600 });
