// Argument errors are reported without echoing a token typed on the command line.
import { describe, expect, it } from 'vitest';
import { startFakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile, writes } from './harness.js';

describe('argument errors', () => {
  it('redact a token in an unknown option', async () => {
    const r = await runCli(['plan', '--gitlab-token=glpat-abcdefghijklmnopqrstu'], { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown option '--gitlab-token=glpat-[REDACTED]'");
    expect(secretsIn(r.stderr.replace(/glpat-\[REDACTED\]/g, ''))).toEqual([]);
  });

  it('redact a token passed where a file is expected (the error names the file)', async () => {
    const r = await runCli(['validate', 'glrt-abcdefghijklmnopqrstu'], { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('glrt-abcdefghijklmnopqrstu');
    expect(r.stderr).toContain('glrt-[REDACTED]: cannot read');
  });
});

describe('a scope declared by path in one file and by id in another', () => {
  it('is refused naming both places, before anything changes', async () => {
    const fake = await startFakeGitLab(e2eSeed());
    try {
      const dir = tempDir();
      writeFile(dir, 'a.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    runners: []\n');
      writeFile(dir, 'b.yaml', 'version: 1\ngroups:\n  - id: 11\n    runners: []\n');
      const r = await runCli(['plan', '-f', 'a.yaml', '-f', 'b.yaml'], { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/a\.yaml:3:\d+ \(group "acme\/platform"\) and b\.yaml:3:\d+ \(group id 11\) are the same group \(acme\/platform, id 11\)/);
      expect(writes(fake)).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
