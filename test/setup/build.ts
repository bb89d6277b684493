// vitest globalSetup: compile src/ and test/ and bundle the CLI (as the package ships it) before
// any test file runs, so a plain `npx vitest run` spawns the current CLI and fake GitLab, never a
// stale dist/.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export default function setup(): void {
  // .ci/run sets this for the runs that follow its first `npm test` (which built): they share
  // dist/, and running in parallel they must not rewrite it under each other.
  if (process.env.RUNNERFORM_TEST_PREBUILT === '1') return;
  const root = resolve(import.meta.dirname, '../..');
  const tsc = join(root, 'node_modules/typescript/bin/tsc'); // not in typescript's exports map
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`tsc -p tsconfig.json failed:\n${out}`, { cause: err });
  }
  // Over tsc's dist/src/cli/main.js: the tests spawn the bundle the package ships.
  try {
    execFileSync(process.execPath, [join(root, 'scripts/bundle.mjs')], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    throw new Error(`scripts/bundle.mjs failed:\n${(err as { stderr?: Buffer }).stderr?.toString() ?? ''}`, { cause: err });
  }
}
