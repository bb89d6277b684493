// Lost-create recovery against the fake GitLab over HTTP, with a schedule in
// milliseconds: look several times before creating again, retry lost token
// resets, and never leave a created runner without saying so.
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan, type ApplyEvent, type ApplyReport } from '../../src/apply/executor.js';
import { TestJournal, noSinks } from './test-journal.js';
import { createGitLabClient } from '../../src/gitlab/client.js';
import { readLiveState } from '../../src/gitlab/live.js';
import type { DesiredState } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, secretsIn } from '../e2e/harness.js';

const LOOKS = [0, 20, 40, 80, 160];
const RESETS = [10, 20, 40];
const recovery = { looksMs: LOOKS, resetRetriesMs: RESETS };
const ADDRESS = 'group["acme/platform"].runner["a"]';
const CREATE = { method: 'POST', path: '/user/runners' };
const RESET = { method: 'POST', path: /^\/runners\/\d+\/reset_authentication_token$/ };

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await startFakeGitLab(e2eSeed());
});
afterEach(() => fake.close());

const src = { file: 'runners.yaml', line: 1, column: 1 };
const desired: DesiredState = {
  files: ['runners.yaml'],
  scopes: [{ ref: { type: 'group', path: 'acme/platform' }, prune: true, source: src, runners: [{ description: 'a', attrs: { tag_list: ['x'] }, source: src, token: null, renamed_from: [] }] }],
};

/** Plans, then (after `faults` are injected) applies with the short schedule. */
async function apply(
  faults: () => void,
  onEvent?: (e: ApplyEvent) => void,
  state: DesiredState = desired,
): Promise<{ report: ApplyReport; sink: TestJournal; events: ApplyEvent[] }> {
  const api = createGitLabClient({ gitlabUrl: fake.url, token: OWNER_TOKEN, retry: { limit: 0 } });
  const plan = computePlan(state, await readLiveState(api, state.scopes.map((s) => s.ref)));
  fake.resetStats();
  faults();
  const sink = new TestJournal();
  const events: ApplyEvent[] = [];
  const report = await applyPlan(api, plan, {
    journal: sink,
      sinkFor: noSinks,
    parallelism: 1,
    recovery,
    onEvent: (e) => {
      events.push(e);
      onEvent?.(e);
    },
  });
  return { report, sink, events };
}

const runnersA = () => fake.runners().filter((r) => r.description === 'a' && r.group === 'acme/platform');
const count = (method: string, path: RegExp | string) =>
  fake.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))).length;
const failure = (report: ApplyReport) => report.outcomes.find((o) => o.status === 'failed')?.error;

function expectNoSecrets(err: Error | undefined) {
  expect(secretsIn(err?.message ?? '')).toEqual([]);
  expect(secretsIn(inspect(err, { depth: 5 }))).toEqual([]);
}

describe('a create whose answer is lost', () => {
  it('is found in a project scope too (ownership decided as the live reader does, GraphQL included)', async () => {
    const inProject: DesiredState = {
      files: ['runners.yaml'],
      scopes: [{ ref: { type: 'project', path: 'acme/platform/api' }, prune: false, source: src, runners: [{ description: 'p', attrs: {}, source: src, token: null, renamed_from: [] }] }],
    };
    const { report, sink } = await apply(() => fake.inject({ ...CREATE, times: 1, fault: { kind: 'lost-response' } }), undefined, inProject);
    expect(report).toMatchObject({ created: 1, failed: 0 });
    const made = fake.runners().filter((r) => r.description === 'p');
    expect(made).toHaveLength(1);
    expect(count('POST', '/user/runners')).toBe(1);
    expect(sink.entries).toEqual([{ id: made[0]!.id, token: fake.runnerToken(made[0]!.id) }]);
  });

  it('is found when GitLab finishes it after the gateway timed out: one runner, a working token', async () => {
    const { report, sink, events } = await apply(() => fake.inject({ ...CREATE, times: 1, fault: { kind: 'late-apply', afterMs: 70 } }));
    await fake.settled(); // GitLab has done all it was asked: a second create would show now
    expect(report).toMatchObject({ created: 1, failed: 0 });
    expect(runnersA()).toHaveLength(1);
    expect(count('POST', '/user/runners')).toBe(1);
    expect(sink.entries).toEqual([{ id: runnersA()[0]!.id, token: fake.runnerToken(runnersA()[0]!.id) }]);
    expect(events.at(-1)).toMatchObject({ type: 'done', note: 'answer was lost; token recovered by reset' });
  });

  it('is created again only after every look found nothing (the request never reached GitLab)', async () => {
    const { report, sink } = await apply(() => fake.inject({ ...CREATE, times: 1, fault: { kind: 'reset' } }));
    expect(report).toMatchObject({ created: 1, failed: 0 });
    expect(runnersA()).toHaveLength(1);
    const order = fake.requests.map((r) => `${r.method} ${r.path}`);
    const first = order.indexOf('POST /user/runners');
    const second = order.indexOf('POST /user/runners', first + 1);
    expect(second).toBeGreaterThan(first);
    const looks = order.slice(first + 1, second).filter((r) => r === 'GET /groups/11/runners');
    expect(looks).toHaveLength(LOOKS.length);
    expect(sink.entries[0]?.token).toBe(fake.runnerToken(runnersA()[0]!.id));
  });

  it('retries a token reset whose answer is lost too, and stores the token that works', async () => {
    const { report, sink } = await apply(() => {
      fake.inject({ ...CREATE, times: 1, fault: { kind: 'lost-response' } });
      fake.inject({ ...RESET, times: 1, fault: { kind: 'lost-response' } });
    });
    expect(report).toMatchObject({ created: 1, failed: 0 });
    expect(count('POST', RESET.path)).toBe(2);
    expect(runnersA()).toHaveLength(1);
    expect(sink.entries).toHaveLength(1);
    expect(sink.entries[0]?.token).toBe(fake.runnerToken(runnersA()[0]!.id));
  });

  it('names the runner that exists without a stored token when every reset fails', async () => {
    const { report, sink } = await apply(() => {
      fake.inject({ ...CREATE, times: 1, fault: { kind: 'lost-response' } });
      fake.inject({ ...RESET, times: 100, fault: { kind: 'status', status: 500 } });
    });
    expect(report).toMatchObject({ created: 1, failed: 1 }); // GitLab made the runner: it counts as created, and failed
    expect(count('POST', RESET.path)).toBe(1 + RESETS.length);
    const id = runnersA()[0]!.id;
    const err = failure(report);
    expect(err?.message).toContain(
      `runner ${id} (${ADDRESS}) was created but has no stored token: reset it with POST /runners/${id}/reset_authentication_token or in GitLab's UI`,
    );
    expect(err?.message).toContain('Running apply again will not do it');
    expect(sink.entries).toEqual([]);
    expectNoSecrets(err);
  });

  it('says the runner may exist, and never creates again, when looking for it fails', async () => {
    const { report } = await apply(() => {
      fake.inject({ ...CREATE, times: 1, fault: { kind: 'lost-response' } });
      fake.inject({ method: 'GET', path: '/groups/11/runners', times: 100, fault: { kind: 'status', status: 500 } });
    });
    expect(report).toMatchObject({ created: 0, failed: 1 }); // no runner is known to exist
    expect(count('POST', '/user/runners')).toBe(1);
    expect(count('GET', '/groups/11/runners')).toBe(LOOKS.length + 1); // the looks, then the last review
    const err = failure(report);
    expect(err?.message).toContain(`the answer to creating ${ADDRESS} was lost`);
    expect(err?.message).toContain('The runner may exist: check with `runnerform plan`');
    expect(err?.message).toContain('reset it with POST /runners/<id>/reset_authentication_token');
    expect(runnersA()).toHaveLength(1);
    expectNoSecrets(err);
  });

  it('gives up after three lost attempts that left nothing, saying GitLab may still create it', async () => {
    const { report } = await apply(() => fake.inject({ ...CREATE, times: 3, fault: { kind: 'status', status: 502 } }));
    expect(report).toMatchObject({ created: 0, failed: 1 }); // no runner is known to exist
    expect(count('POST', '/user/runners')).toBe(3);
    expect(failure(report)?.message).toContain(`the answers to 3 attempts to create ${ADDRESS} were lost (last: HTTP 502)`);
    expect(failure(report)?.message).toContain('The runner may exist');
    expect(runnersA()).toHaveLength(0);
  });

  it('reports a duplicate that slipped through (GitLab carried out the lost create after the looks)', async () => {
    let lateId = 0;
    // The lost request lands late: after the looks and the second create.
    const { report, events } = await apply(
      () => fake.inject({ ...CREATE, times: 1, fault: { kind: 'status', status: 504 } }),
      (e) => {
        if (e.type === 'done') lateId = fake.addRunner({ runner_type: 'group_type', group: 'acme/platform', description: 'a' });
      },
    );
    const storedId = report.outcomes[0]!.runner_id!;
    expect(lateId).toBeGreaterThan(storedId);
    expect(report).toMatchObject({ created: 1, failed: 1 }); // GitLab made the runner: it counts as created, and failed
    const message = failure(report)!.message;
    expect(message).toContain(`group acme/platform now owns 2 runners "a" (#${storedId}, #${lateId})`);
    expect(message).toContain(`Runner ${storedId}'s token is in the tokens file; #${lateId} has no stored token: delete it`);
    expect(events.map((e) => e.type)).toEqual(['start', 'done', 'failed']);
  });

  it('does not look again when nothing was lost', async () => {
    const { report } = await apply(() => undefined);
    expect(report).toMatchObject({ created: 1, failed: 0 });
    expect(count('GET', '/groups/11/runners')).toBe(0);
  });
});
