// The shared GraphQL conformance script (../shared/conformance/graphql_conformance.mjs)
// against the fake, with every option: it must pass every check. Skipped where the
// shared folder is absent (a clean clone); test/fake-gitlab/conformance.sh runs it too.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Seed } from '../fake-gitlab/seed.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';

const root = resolve(import.meta.dirname, '../..');
const script = resolve(root, '../shared/conformance/graphql_conformance.mjs');
const seedFile = resolve(root, 'test/fixtures/seeds/conformance.json');

describe.skipIf(!existsSync(script))('fake GraphQL: shared conformance script', () => {
  let fake: FakeGitLab;
  beforeAll(async () => {
    fake = await startFakeGitLab(JSON.parse(readFileSync(seedFile, 'utf8')) as Seed);
  });
  afterAll(() => fake.close());

  it('passes every check with --subgroup, --maintainer-token, --bad-token and --many', async () => {
    const args = [
      script,
      '--url', fake.url,
      '--token', 'glpat-conformance-owner-000000000',
      '--group', 'conformance/sub',
      '--subgroup', 'conformance/sub/team',
      '--project', 'conformance/sub/app',
      '--maintainer-token', 'glpat-conformance-maintainer-00000',
      '--bad-token', 'glpat-conformance-not-a-valid-token',
      '--many',
    ];
    const run = await promisify(execFile)(process.execPath, args, { timeout: 180_000 }).catch((e: { stdout?: string; code?: number }) => e);
    const out = String(run.stdout);
    expect(out.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(out).toMatch(/^25 passed, 0 failed$/m);
    expect(fake.graphqlStats()).toMatchObject({ overSizeLimit: 1, overComplexityLimit: 1 }); // the script's two deliberate refusals
    expect(fake.runners().filter((r) => r.description?.startsWith('conformance-'))).toEqual([]);
  }, 200_000);
});
