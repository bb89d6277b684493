// Golden file of a failed apply's output (events and summary), from a real run of the
// executor against the fake GitLab: a runner is deleted, two are created, one token's
// destination refuses it. The summary counts what happened. Regenerate with
//   UPDATE_GOLDEN=1 npx vitest run test/render/apply-golden.test.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/executor.js';
import type { DeliverableToken, TokenSink } from '../../src/apply/sinks/index.js';
import { createGitLabClient } from '../../src/gitlab/client.js';
import { readLiveState } from '../../src/gitlab/live.js';
import type { DesiredState, TokenDestination } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { renderApplyEvent, renderApplySummary } from '../../src/render/apply.js';
import { TestJournal } from '../apply/test-journal.js';
import { OWNER_TOKEN, e2eSeed } from '../e2e/harness.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'apply-failed', 'apply.txt');

let fake: FakeGitLab;
beforeEach(async () => {
  const seed = e2eSeed();
  seed.runners!.push({ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'old' });
  fake = await startFakeGitLab(seed);
});
afterEach(() => fake.close());

const src = { file: 'runners.yaml', line: 1, column: 1 };
const dest = (name: string): TokenDestination => ({ kind: 'command', argv: [name] });
const desired: DesiredState = {
  files: ['runners.yaml'],
  scopes: [
    {
      ref: { type: 'group', path: 'acme/platform' },
      prune: true,
      source: src,
      runners: [
        { description: 'a', attrs: { tag_list: ['x'] }, source: src, token: dest('vault-down'), renamed_from: [] },
        { description: 'b', attrs: { tag_list: ['y'] }, source: src, token: dest('vault'), renamed_from: [] },
      ],
    },
  ],
};

/** A command destination that is `vault-down` refuses every token. */
function sinkFor(d: TokenDestination): TokenSink {
  const name = d.kind === 'command' ? d.argv[0] : 'variable';
  return {
    describe: () => `command ${name}`,
    deliver: (_t: DeliverableToken) => (name === 'vault-down' ? Promise.reject(new Error('the command exited with status 3.')) : Promise.resolve()),
  };
}

describe('golden apply output', () => {
  it('a failed apply counts what happened: 2 created, 1 deleted, 1 delivery failed', async () => {
    const api = createGitLabClient({ gitlabUrl: fake.url, token: OWNER_TOKEN, retry: { limit: 0 } });
    const plan = computePlan(desired, await readLiveState(api, desired.scopes.map((s) => s.ref)));
    let out = '';
    const report = await applyPlan(api, plan, { journal: new TestJournal(), sinkFor, parallelism: 1, onEvent: (e) => (out += renderApplyEvent(e)) });
    out += renderApplySummary(report);
    expect(report).toMatchObject({ created: 2, deleted: 1, deliveryFailed: 1, failed: 0, notStarted: 0 });
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(dirname(GOLDEN), { recursive: true });
      writeFileSync(GOLDEN, out);
      return;
    }
    if (!existsSync(GOLDEN)) throw new Error(`missing golden file ${GOLDEN}; create it with UPDATE_GOLDEN=1`);
    expect(out).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
