// Argument errors are reported without echoing a token typed on the command line.
import { describe, expect, it } from 'vitest';
import { runCli, secretsIn, tempDir } from './harness.js';

describe('argument errors', () => {
  it('redact a token in an unknown option', async () => {
    const r = await runCli(['plan', '--gitlab-token=glpat-abcdefghijklmnopqrstu'], { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown option '--gitlab-token=glpat-[REDACTED]'");
    expect(secretsIn(r.stderr.replace(/glpat-\[REDACTED\]/g, ''))).toEqual([]);
  });

  it('redact a token passed where a command expects none', async () => {
    const r = await runCli(['validate', 'glrt-abcdefghijklmnopqrstu'], { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('glrt-abcdefghijklmnopqrstu');
  });
});
