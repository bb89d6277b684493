// Temporary directories for tests, removed when the test file ends: a test run
// must leave nothing behind in TMPDIR (some of these hold token files).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

// Registered when a test file first imports this module (each file gets its own copy).
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory under TMPDIR, deleted with everything in it after the test file. */
export function tempDir(prefix = 'runnerform-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
