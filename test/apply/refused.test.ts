// apply never sends a change the plan knows GitLab will refuse: it fails with
// the plan's reason and the other changes go ahead.
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/executor.js';
import { TestJournal, noSinks } from './test-journal.js';
import { createGitLabClient } from '../../src/gitlab/client.js';
import { readLive } from '../../src/gitlab/read-live.js';
import type { DesiredState } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { BOTH_TOKEN, borrowSeed } from '../gitlab/seeds.js';

let fake: FakeGitLab | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const src = { file: 'runners.yaml', line: 1, column: 1 };
// team/a owns runner 7 (also enabled in team/b) and declares only a new runner: prune deletes 7.
const desired: DesiredState = {
  files: ['runners.yaml'],
  scopes: [{ ref: { type: 'project', path: 'team/a' }, prune: true, source: src, runners: [{ description: 'fresh', attrs: {}, source: src, token: null, renamed_from: [] }] }],
};

describe('apply with a refused change', () => {
  for (const api of ['rest', 'graphql'] as const) {
    it(`reports the refused delete failed without sending it, and creates the other runner (${api} read)`, async () => {
      fake = await startFakeGitLab(borrowSeed());
      const client = createGitLabClient({ gitlabUrl: fake.url, token: BOTH_TOKEN, retry: { limit: 0 } });
      const live = await readLive(client, desired.scopes.map((s) => s.ref), { settings: { api } });
      const plan = computePlan(desired, live);
      const del = plan.changes.find((c) => c.action === 'delete')!;
      expect(del.runner_id).toBe(7);
      expect(del.refused).toBe('only an administrator may delete a runner enabled in 2 projects');

      fake.resetStats();
      const journal = new TestJournal();
      const report = await applyPlan(client, plan, { journal, sinkFor: noSinks, parallelism: 1 });
      const outcome = report.outcomes.find((o) => o.change === del)!;
      expect(outcome.status).toBe('failed');
      expect(outcome.error!.message).toBe('not sent: GitLab will refuse this: only an administrator may delete a runner enabled in 2 projects');
      expect(fake.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
      expect(report.created).toBe(1);
      expect(journal.entries).toHaveLength(1);
      expect(report.failed).toBe(1);
      expect(fake.runners().map((r) => r.id)).toContain(7);
    });
  }
});
