// The executor under an interrupt (the CLI aborts the signal on SIGINT/SIGTERM):
// no new change starts, and a create that lost its answer stops looking at once,
// never creates again, and leaves its intent in the journal for the next plan.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/executor.js';
import { TokenFile } from '../../src/apply/journal.js';
import { createGitLabClient } from '../../src/gitlab/client.js';
import { readLiveState } from '../../src/gitlab/live.js';
import type { DesiredState } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, freshFakeAndDir } from '../e2e/harness.js';
import { noSinks } from './test-journal.js';

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
});

const src = { file: 'runners.yaml', line: 1, column: 1 };
const desired: DesiredState = {
  files: ['runners.yaml'],
  scopes: [
    {
      ref: { type: 'group', path: 'acme/platform' },
      prune: false,
      source: src,
      runners: ['a', 'b', 'c'].map((d) => ({ description: d, attrs: { tag_list: [d] }, source: src, token: null, renamed_from: [] })),
    },
  ],
};

describe('applyPlan interrupted', () => {
  it('stops looking for a lost create at once, never creates again, keeps the intent; nothing new starts', async () => {
    const api = createGitLabClient({ gitlabUrl: fake.url, token: OWNER_TOKEN, retry: { limit: 0 } });
    const plan = computePlan(desired, await readLiveState(api, desired.scopes.map((s) => s.ref)));
    // The first create's answer is lost and GitLab carries it out only much later.
    fake.inject({ method: 'POST', path: '/user/runners', times: 1, fault: { kind: 'late-apply', afterMs: 60_000 } });
    const journal = await TokenFile.open(join(dir, 'tokens.json'));
    const controller = new AbortController();
    const started = Date.now();
    const report = await applyPlan(api, plan, {
      journal,
      sinkFor: noSinks,
      parallelism: 1,
      signal: controller.signal,
      // The real schedule's first waits: the interrupt must cut them short.
      recovery: { looksMs: [0, 20_000, 20_000], resetRetriesMs: [] },
      onEvent: (e) => {
        if (e.type === 'start') setTimeout(() => controller.abort(), 200);
      },
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(report.interrupted).toBe(true);
    expect(report.outcomes.map((o) => [o.change.description, o.status])).toEqual([
      ['a', 'failed'],
      ['b', 'not-started'],
      ['c', 'not-started'],
    ]);
    expect(report.outcomes[0]?.error?.message).toContain('the apply was interrupted before the runner appeared');
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/user/runners')).toHaveLength(1);
    const entries = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { description: string; id: number | null; token?: string }[];
    expect(entries).toEqual([expect.objectContaining({ description: 'a', id: null })]);
    expect(entries[0]!.token).toBeUndefined();
  }, 60_000);
});
