// The executor against the fake GitLab: order, stop-on-failure and what happens
// when a token cannot be kept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan, type ApplyEvent } from '../../src/apply/executor.js';
import { TestJournal, noSinks } from './test-journal.js';
import { MemoryJournal, TokenFile } from '../../src/apply/journal.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitLabClient } from '../../src/gitlab/client.js';
import { readLiveState } from '../../src/gitlab/live.js';
import type { DesiredState } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed } from '../e2e/harness.js';

let fake: FakeGitLab;
beforeEach(async () => {
  const seed = e2eSeed();
  seed.runners!.push({ id: 50, runner_type: 'group_type', group: 'acme/platform', description: 'old' });
  fake = await startFakeGitLab(seed);
});
afterEach(() => fake.close());

const src = { file: 'runners.yaml', line: 1, column: 1 };
const desired: DesiredState = {
  files: ['runners.yaml'],
  scopes: [
    {
      ref: { type: 'group', path: 'acme/platform' },
      prune: true,
      source: src,
      runners: [
        { description: 'a', attrs: { tag_list: ['x'] }, source: src, token: null, renamed_from: [] },
        { description: 'b', attrs: { tag_list: ['y'] }, source: src, token: null, renamed_from: [] },
      ],
    },
  ],
};

async function planNow() {
  const api = createGitLabClient({ gitlabUrl: fake.url, token: OWNER_TOKEN, retry: { limit: 0 } });
  const live = await readLiveState(api, desired.scopes.map((s) => s.ref));
  return { api, plan: computePlan(desired, live) };
}

describe('applyPlan', () => {
  it('deletes first, then creates, keeping each token', async () => {
    const { api, plan } = await planNow();
    const events: string[] = [];
    const sink = new TestJournal();
    const report = await applyPlan(api, plan, {
      journal: sink,
      sinkFor: noSinks,
      parallelism: 1,
      onEvent: (e: ApplyEvent) => 'change' in e && events.push(`${e.type} ${e.change.action} ${e.change.description}`),
    });
    expect(events).toEqual(['start delete old', 'done delete old', 'start create a', 'done create a', 'start create b', 'done create b']);
    expect(report).toMatchObject({ created: 2, deleted: 1, updated: 0, failed: 0, notStarted: 0 });
    for (const e of sink.entries) expect(fake.runnerToken(e.id)).toBe(e.token);
  });

  it('stops when a token cannot be kept, naming the runner and how to get a new token', async () => {
    const { api, plan } = await planNow();
    const report = await applyPlan(api, plan, { journal: new TestJournal(1), sinkFor: noSinks, parallelism: 1 });
    expect(report).toMatchObject({ deleted: 1, created: 1, failed: 1, notStarted: 1 });
    const failed = report.outcomes.find((o) => o.status === 'failed')!;
    const id = fake.runners().find((r) => r.description === 'a')!.id;
    expect(failed.error!.message).toContain(`the runner was created (id ${id}) but its token could not be written: ENOSPC`);
    expect(failed.error!.message).toContain(`POST /runners/${id}/reset_authentication_token`);
    expect(fake.runners().some((r) => r.description === 'b')).toBe(false);
  });

  it('refuses a plan with creates but no token sink, before any request', async () => {
    const { api, plan } = await planNow();
    fake.resetStats();
    await expect(applyPlan(api, plan, { journal: new MemoryJournal(), sinkFor: noSinks, parallelism: 1 })).rejects.toThrow(/tokens file is required/);
    expect(fake.requests).toHaveLength(0);
  });

  it('a token reset updates the changed attributes first, then resets, stores and delivers; a failing sink fails only its change', async () => {
    const { api, plan } = await planNow();
    const [scope] = plan.scopes;
    expect(scope).toBeDefined();
    const reset = (id: number, changed: ('tag_list')[]) => ({
      action: 'token-reset' as const,
      address: `group["acme/platform"].runner["r${id}"]`,
      scope: scope!,
      description: `r${id}`,
      reason: 'interrupted_create' as const,
      token: { kind: 'command' as const, argv: [`sink-${id}`] },
      refused: null,
      runner_id: id,
      before: {},
      after: { tag_list: ['new'] },
      changed,
      renamed_from: null,
      status: 'never_contacted' as const,
      contacted_at: null,
    });
    const journal = new TestJournal();
    const delivered: string[] = [];
    fake.resetStats();
    const report = await applyPlan(api, { changes: [reset(50, ['tag_list'])] }, {
      journal,
      parallelism: 1,
      sinkFor: (dest) => ({
        describe: () => `sink ${dest.kind === 'command' ? dest.argv[0] : '?'}`,
        deliver: (t) => {
          delivered.push(`${t.runner_id}:${t.token === fake.runnerToken(t.runner_id)}`);
          return Promise.resolve();
        },
      }),
    });
    expect(report).toMatchObject({ reset: 1, failed: 0 });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['PUT /runners/50', 'POST /runners/50/reset_authentication_token']);
    expect(fake.runners().find((r) => r.id === 50)!.tag_list).toEqual(['new']);
    expect(journal.entries).toEqual([{ id: 50, token: fake.runnerToken(50) }]);
    expect(delivered).toEqual(['50:true']);

    // A destination that fails: that change fails, the apply goes on with the next one.
    const second = fake.addRunner({ runner_type: 'group_type', group: 'acme/platform', description: 'r2' });
    const failing = await applyPlan(api, { changes: [reset(50, []), reset(second, [])] }, {
      journal: new TestJournal(),
      parallelism: 1,
      sinkFor: (dest) => ({
        describe: () => 'the sink',
        deliver: () => (dest.kind === 'command' && dest.argv[0] === 'sink-50' ? Promise.reject(new Error('exit 1')) : Promise.resolve()),
      }),
    });
    expect(failing.outcomes.map((o) => [o.runner_id, o.status])).toEqual([
      [50, 'failed'],
      [second, 'done'],
    ]);
    expect(failing.outcomes[0]?.error?.message).toContain('runner 50 has a new token, but delivering it to the sink failed: exit 1. The token is kept in test-journal');
  });
});

describe('applyPlan: a stored token that moves (token_move)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const FROM = { kind: 'command' as const, argv: ['old-sink'] };
  const TO = { kind: 'command' as const, argv: ['new-sink'] };
  const move = (id: number) => ({
    action: 'update' as const,
    address: `group["acme/platform"].runner["m${id}"]`,
    scope: { type: 'group' as const, path: 'acme/platform', id: 11 },
    description: `m${id}`,
    reason: null,
    token: TO,
    refused: null,
    runner_id: id,
    before: {},
    after: {},
    changed: [],
    renamed_from: null,
    token_move: { from: FROM, from_description: `m${id}` },
    status: 'online' as const,
    contacted_at: null,
  });

  it('delivers the journal\'s token to the new destination without a change in GitLab; a failure keeps it pending there', async () => {
    const api = createGitLabClient({ gitlabUrl: fake.url, token: OWNER_TOKEN, retry: { limit: 0 } });
    const id = fake.addRunner({ runner_type: 'group_type', group: 'acme/platform', description: 'm' });
    const dir = mkdtempSync(join(tmpdir(), 'runnerform-move-'));
    dirs.push(dir);
    const journal = await TokenFile.open(join(dir, 'tokens.json'));
    const entry = await journal.intend({ scope: move(id).scope, description: `m${id}`, address: move(id).address, destination: FROM, runner_id: id });
    const stored = fake.runnerToken(id)!;
    await journal.store(entry, { id, token: stored, token_expires_at: null, source: 'create' });
    await journal.delivered(entry);

    let fail = true;
    const delivered: string[] = [];
    const sinkFor = (dest: { kind: string; argv?: string[] }) => ({
      describe: () => `sink ${dest.argv?.[0]}`,
      deliver: (t: { token: string }) => {
        if (fail) return Promise.reject(new Error('exit 1'));
        delivered.push(`${dest.argv?.[0]}:${t.token}`);
        return Promise.resolve();
      },
    });
    fake.resetStats();
    const failed = await applyPlan(api, { changes: [move(id)] }, { journal, parallelism: 1, sinkFor });
    expect(failed.outcomes[0]?.status).toBe('failed');
    expect(failed.outcomes[0]?.error?.message).toContain('delivering it to sink new-sink failed: exit 1');
    // Only the question whether GitLab still accepts the token (POST /runners/verify): no change.
    expect(fake.requests.filter((r) => r.method !== 'GET').map((r) => r.path)).toEqual(['/runners/verify']);
    expect(journal.pendingDeliveries().map((e) => [e.id, e.destination])).toEqual([[id, TO]]);

    fail = false;
    const done = await applyPlan(api, { changes: [move(id)] }, { journal, parallelism: 1, sinkFor });
    expect(done).toMatchObject({ updated: 1, failed: 0 });
    expect(done.outcomes[0]?.status).toBe('done');
    // Delivered once, by the move itself: the same token, no reset (a plan made now would show a delivery instead).
    expect(delivered).toEqual([`new-sink:${stored}`]);
    expect(journal.pendingDeliveries()).toEqual([]);
    expect(fake.requests.some((r) => r.path.includes('reset_authentication_token'))).toBe(false);
  });

  it('never moves a token GitLab no longer accepts (reset since without the journal): the change fails, nothing is delivered', async () => {
    const api = createGitLabClient({ gitlabUrl: fake.url, token: OWNER_TOKEN, retry: { limit: 0 } });
    const id = fake.addRunner({ runner_type: 'group_type', group: 'acme/platform', description: 'm' });
    const dir = mkdtempSync(join(tmpdir(), 'runnerform-move-'));
    dirs.push(dir);
    const journal = await TokenFile.open(join(dir, 'tokens.json'));
    const entry = await journal.intend({ scope: move(id).scope, description: `m${id}`, address: move(id).address, destination: FROM, runner_id: id });
    await journal.store(entry, { id, token: fake.runnerToken(id)!, token_expires_at: null, source: 'create' });
    await journal.delivered(entry);
    await api.resetRunnerToken(id); // as `runnerform rotate` without --tokens-out does
    const delivered: string[] = [];
    const sinkFor = () => ({
      describe: () => 'sink',
      deliver: (t: { token: string }) => {
        delivered.push(t.token);
        return Promise.resolve();
      },
    });
    const report = await applyPlan(api, { changes: [move(id)] }, { journal, parallelism: 1, sinkFor });
    expect(report.outcomes[0]?.status).toBe('failed');
    expect(report.outcomes[0]?.error?.message).toContain(`GitLab no longer accepts the stored token of runner ${id}`);
    expect(delivered).toEqual([]);
  });

  it('fails the change, naming rotate, when this apply has no journal holding the token', async () => {
    const api = createGitLabClient({ gitlabUrl: fake.url, token: OWNER_TOKEN, retry: { limit: 0 } });
    const id = fake.addRunner({ runner_type: 'group_type', group: 'acme/platform', description: 'm' });
    const report = await applyPlan(api, { changes: [move(id)] }, { journal: new MemoryJournal(), parallelism: 1, sinkFor: noSinks });
    expect(report.outcomes[0]?.status).toBe('failed');
    expect(report.outcomes[0]?.error?.message).toContain(`does not hold it; apply with the --tokens-out file the plan was made with, or run \`runnerform rotate ${move(id).address}\``);
  });
});
