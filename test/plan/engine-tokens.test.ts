// The engine's token and rename decisions: rename in place, delete reasons,
// token resets from TokenEvidence (journal, CI/CD variables), health warnings.
import { describe, expect, it } from 'vitest';
import { hasChanges, type DesiredRunner, type JournalRecord, type Plan, type TokenDestination, type TokenEvidence } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { updateBody } from '../../src/apply/requests.js';
import { whyStale } from '../../src/plan/stale.js';
import { CLOCK_SKEW_TOLERANCE_MS } from '../../src/plan/token-reset.js';
import { variableKeyOf, type VariableDestination } from '../../src/plan/token-dest.js';
import { renderText } from '../../src/render/text.js';
import { GROUP, PROJECT, desired, desiredScope, live, liveRunner, liveScope, refOf, want } from './fixtures.js';

const VARIABLE: VariableDestination = {
  kind: 'gitlab_variable',
  owner: { type: 'project', path: 'acme/infra/runner-fleet' },
  key: 'RUNNER_TOKEN_{description}',
  protected: true,
  environment_scope: '*',
};
const COMMAND: TokenDestination = { kind: 'command', argv: ['vault', 'kv', 'put', 'secret/runners/{description}', 'token=-'] };

const INTENT_AT = '2026-03-01T10:00:00.000Z';
const NOW = new Date('2026-03-01T10:30:00.000Z');

function runner(description: string, extra: Partial<DesiredRunner> = {}): DesiredRunner {
  return { ...want(description, extra.attrs ?? {}), ...extra };
}

/** A runner GitLab created at `created_at` that has never contacted GitLab. */
function orphan(id: number, description: string, createdAt: string, attrs = {}) {
  return liveRunner(GROUP, id, description, attrs, { status: 'never_contacted', contacted_at: null, created_at: createdAt });
}

function intent(description: string, extra: Partial<JournalRecord> = {}): JournalRecord {
  return { scope: { ...GROUP }, description, intent_at: INTENT_AT, runner_id: null, stored: false, delivered: false, ...extra };
}

function evidence(journal: JournalRecord[] | null, variables: Record<string, number | null> = {}): TokenEvidence {
  return { journal, variables };
}

function planOf(runners: DesiredRunner[], owned: ReturnType<typeof liveRunner>[], opts: { evidence?: TokenEvidence; now?: Date; prune?: boolean; targets?: string[] } = {}): Plan {
  return computePlan(desired(desiredScope(refOf(GROUP), runners, opts.prune ?? false)), live(liveScope(GROUP, owned)), {
    evidence: opts.evidence,
    now: opts.now,
    targets: opts.targets,
  });
}

const brief = (plan: Plan) => plan.changes.map((c) => `${c.action}${c.reason ? `(${c.reason})` : ''} ${c.description}${c.runner_id ? `#${c.runner_id}` : ''}`);

describe('rename in place (renamed_from)', () => {
  it('updates the old runner in place: same id, reason renamed, even when no attribute differs', () => {
    const plan = planOf([runner('docker-amd64', { renamed_from: ['docker'] })], [liveRunner(GROUP, 7, 'docker')], { prune: true });
    expect(brief(plan)).toEqual(['update(renamed) docker-amd64#7']);
    const [change] = plan.changes;
    expect(change).toMatchObject({ action: 'update', runner_id: 7, renamed_from: 'docker', changed: [], address: 'group["acme/platform"].runner["docker-amd64"]' });
    expect(plan.summary).toMatchObject({ create: 0, update: 1, delete: 0 });
    expect(hasChanges(plan)).toBe(true);
    // GitLab gets the new description in the PUT, nothing else.
    expect(updateBody(change!)).toEqual({ description: 'docker-amd64' });
  });

  it('carries attribute drift along with the rename', () => {
    const plan = planOf([runner('b', { renamed_from: ['a'], attrs: { paused: true } })], [liveRunner(GROUP, 7, 'a')]);
    expect(plan.changes[0]).toMatchObject({ action: 'update', reason: 'renamed', renamed_from: 'a', changed: ['paused'] });
    expect(updateBody(plan.changes[0]!)).toEqual({ description: 'b', paused: true });
  });

  it('takes the first earlier description GitLab has, in the order written, lowest id first', () => {
    const plan = planOf(
      [runner('c', { renamed_from: ['b', 'a'] })],
      [liveRunner(GROUP, 3, 'a'), liveRunner(GROUP, 9, 'b'), liveRunner(GROUP, 8, 'b')],
      { prune: true },
    );
    expect(brief(plan)).toEqual(['delete(undeclared) a#3', 'delete(duplicate) b#9', 'update(renamed) c#8']);
  });

  it('matches the new description when both exist and says renamed_from can go', () => {
    const plan = planOf([runner('new', { renamed_from: ['old'] })], [liveRunner(GROUP, 4, 'old'), liveRunner(GROUP, 5, 'new')], { prune: true });
    expect(brief(plan)).toEqual(['delete(undeclared) old#4', 'no-op new#5']);
    expect(plan.warnings).toEqual([
      {
        address: 'group["acme/platform"].runner["new"]',
        kind: 'renamed_from_obsolete',
        message: 'renamed_from "old" can be removed: a runner named "new" exists (id 5) and is the match; the runner still named "old" (id 4) is not declared',
      },
    ]);
    expect(hasChanges(computePlan(desired(desiredScope(refOf(GROUP), [runner('new', { renamed_from: ['old'] })])), live(liveScope(GROUP, [liveRunner(GROUP, 4, 'old'), liveRunner(GROUP, 5, 'new')]))))).toBe(false);
  });

  it('creates the runner when GitLab has neither description', () => {
    const plan = planOf([runner('new', { renamed_from: ['old'] })], []);
    expect(brief(plan)).toEqual(['create new']);
  });

  it('never renames a runner that another declaration matches by description', () => {
    const plan = planOf([runner('b', { renamed_from: ['a'] }), runner('a')], [liveRunner(GROUP, 1, 'a')]);
    expect(brief(plan)).toEqual(['no-op a#1', 'create b']);
  });

  it('a saved rename plan is not stale: the runner still has its old description in GitLab', () => {
    const l = live(liveScope(GROUP, [liveRunner(GROUP, 7, 'old')]));
    const plan = computePlan(desired(desiredScope(refOf(GROUP), [runner('new', { renamed_from: ['old'] })])), l);
    expect(whyStale(plan, l)).toBeNull();
  });
});

describe('delete reasons', () => {
  it('says undeclared or duplicate', () => {
    const plan = planOf([runner('a')], [liveRunner(GROUP, 1, 'a'), liveRunner(GROUP, 2, 'a'), liveRunner(GROUP, 3, 'x')], { prune: true });
    expect(brief(plan)).toEqual(['delete(duplicate) a#2', 'delete(undeclared) x#3', 'no-op a#1']);
  });
});

describe('token destinations', () => {
  it('creates carry the destination; updates and no-ops do not', () => {
    const plan = planOf([runner('a', { token: VARIABLE }), runner('b', { token: COMMAND, attrs: { paused: true } }), runner('c')], [liveRunner(GROUP, 2, 'b')]);
    expect(plan.changes.map((c) => [c.description, c.action, c.token])).toEqual([
      ['a', 'create', VARIABLE],
      ['b', 'update', null],
      ['c', 'create', null],
    ]);
  });
});

describe('token resets after an interrupted apply (journal)', () => {
  const declared = [runner('docker', { token: COMMAND })];

  it('resets a never-contacted runner created after an intent whose token was never stored', () => {
    const plan = planOf(declared, [orphan(11, 'docker', '2026-03-01T10:00:02.000Z')], { evidence: evidence([intent('docker')]) });
    expect(brief(plan)).toEqual(['token-reset(interrupted_create) docker#11']);
    expect(plan.changes[0]).toMatchObject({ action: 'token-reset', token: COMMAND, changed: [], status: 'never_contacted' });
    expect(plan.summary.token_reset).toBe(1);
    expect(hasChanges(plan)).toBe(true);
  });

  it(`tolerates GitLab's clock up to ${CLOCK_SKEW_TOLERANCE_MS / 60_000} minutes behind the intent, not more`, () => {
    const before = (ms: number) => new Date(Date.parse(INTENT_AT) - ms).toISOString();
    const within = planOf(declared, [orphan(11, 'docker', before(CLOCK_SKEW_TOLERANCE_MS - 1000))], { evidence: evidence([intent('docker')]) });
    expect(brief(within)).toEqual(['token-reset(interrupted_create) docker#11']);
    const beyond = planOf(declared, [orphan(11, 'docker', before(CLOCK_SKEW_TOLERANCE_MS + 1000))], { evidence: evidence([intent('docker')]) });
    expect(brief(beyond)).toEqual(['no-op docker#11']);
  });

  it('matches the intent by scope and description only', () => {
    const other = evidence([intent('other'), intent('docker', { scope: { ...PROJECT } })]);
    expect(brief(planOf(declared, [orphan(11, 'docker', INTENT_AT)], { evidence: other }))).toEqual(['no-op docker#11']);
  });

  it('an intent that names the runner id counts even without created_at', () => {
    const plan = planOf(declared, [orphan(11, 'docker', INTENT_AT)].map((r) => ({ ...r, created_at: null })), {
      evidence: evidence([intent('docker', { runner_id: 11 })]),
    });
    expect(brief(plan)).toEqual(['token-reset(interrupted_create) docker#11']);
  });

  it('never resets a runner whose token the journal holds (apply delivers it from there)', () => {
    const journal = [intent('docker'), intent('docker', { runner_id: 11, stored: true, delivered: false })];
    const plan = planOf(declared, [orphan(11, 'docker', INTENT_AT)], { evidence: evidence(journal) });
    expect(brief(plan)).toEqual(['no-op docker#11']);
    expect(plan.warnings).toEqual([]);
  });

  it('never resets a runner that has contacted GitLab: it warns and names runnerform rotate', () => {
    const contacted = liveRunner(GROUP, 11, 'docker', {}, { created_at: INTENT_AT, contacted_at: '2026-03-01T10:05:00.000Z', status: 'online' });
    const plan = planOf(declared, [contacted], { evidence: evidence([intent('docker')]), now: NOW });
    expect(brief(plan)).toEqual(['no-op docker#11']);
    expect(hasChanges(plan)).toBe(false);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toMatchObject({ address: 'group["acme/platform"].runner["docker"]', kind: 'contacted_without_token' });
    expect(plan.warnings[0]?.message).toContain(`runnerform rotate 'group["acme/platform"].runner["docker"]'`);
    expect(plan.warnings[0]?.message).toContain('an interrupted apply created it and its token was never stored');
  });

  it('updates drifted attributes as part of the token reset', () => {
    const plan = planOf([runner('docker', { token: COMMAND, attrs: { paused: true, tag_list: ['x'] } })], [orphan(11, 'docker', INTENT_AT)], {
      evidence: evidence([intent('docker')]),
    });
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ action: 'token-reset', changed: ['paused', 'tag_list'], after: { paused: true, tag_list: ['x'] } });
    expect(updateBody(plan.changes[0]!)).toEqual({ paused: true, tag_list: ['x'] });
    expect(plan.summary).toMatchObject({ update: 0, token_reset: 1 });
  });

  it('resets only the matched runner and not without evidence', () => {
    expect(brief(planOf(declared, [orphan(11, 'docker', INTENT_AT)]))).toEqual(['no-op docker#11']);
    expect(brief(planOf(declared, [orphan(11, 'docker', INTENT_AT)], { evidence: evidence(null) }))).toEqual(['no-op docker#11']);
  });

  it('an undeclared orphan is left to prune, never reset', () => {
    const plan = planOf([], [orphan(11, 'docker', INTENT_AT)], { evidence: evidence([intent('docker')]), prune: true });
    expect(brief(plan)).toEqual(['delete(undeclared) docker#11']);
  });

  it('respects --target', () => {
    const plan = planOf([runner('docker', { token: COMMAND }), runner('other')], [orphan(11, 'docker', INTENT_AT), liveRunner(GROUP, 12, 'other')], {
      evidence: evidence([intent('docker')]),
      targets: ['group["acme/platform"].runner["other"]'],
    });
    expect(brief(plan)).toEqual(['no-op other#12']);
  });
});

describe('token resets for CI/CD variable destinations', () => {
  const declared = [runner('docker-amd64', { token: VARIABLE })];
  const key = variableKeyOf(VARIABLE, 'docker-amd64');

  it('resets a never-contacted runner whose variable is absent or names another runner', () => {
    for (const names of [null, 99]) {
      const plan = planOf(declared, [orphan(11, 'docker-amd64', '2026-02-01T00:00:00.000Z')], { evidence: evidence(null, { [key]: names }) });
      expect(brief(plan)).toEqual(['token-reset(undelivered_token) docker-amd64#11']);
      expect(plan.changes[0]?.token).toEqual(VARIABLE);
    }
  });

  it('leaves a runner alone when its variable names it, or when nothing is known about the variable', () => {
    expect(brief(planOf(declared, [orphan(11, 'docker-amd64', INTENT_AT)], { evidence: evidence(null, { [key]: 11 }) }))).toEqual(['no-op docker-amd64#11']);
    expect(brief(planOf(declared, [orphan(11, 'docker-amd64', INTENT_AT)], { evidence: evidence(null, {}) }))).toEqual(['no-op docker-amd64#11']);
  });

  it('a stored token GitLab no longer accepts: the reset says so (dead_stored_token, not "not stored"), and so does the warning of a contacted runner', () => {
    const journal = [intent('docker-amd64', { runner_id: 11, stored: true, delivered: true, destination: VARIABLE })];
    const dead = { ...evidence(journal, { [key]: null }), dead_tokens: [11] };
    const plan = planOf(declared, [orphan(11, 'docker-amd64', INTENT_AT)], { evidence: dead });
    expect(brief(plan)).toEqual(['token-reset(dead_stored_token) docker-amd64#11']);
    const text = renderText(plan, { color: false, source: 'runners.yaml' });
    expect(text).toContain(
      'will be reset: the token the tokens file holds no longer works (GitLab refuses it: most likely reset since without this tokens file), so it cannot be delivered or moved; ' +
        'it has never contacted GitLab, so a new token goes to its destination. Pass the tokens file (--tokens-out) to every apply and rotate so it keeps the working token\n',
    );
    expect(text).not.toContain('not stored');
    const contacted = liveRunner(GROUP, 11, 'docker-amd64', {}, { status: 'online', contacted_at: '2026-03-01T10:20:00Z' });
    const warned = planOf(declared, [contacted], { evidence: dead });
    expect(brief(warned)).toEqual(['no-op docker-amd64#11']);
    expect(warned.warnings.find((w) => w.kind === 'contacted_without_token')?.message).toMatch(
      /^its CI\/CD variable RUNNER_TOKEN_DOCKER_AMD64 of acme\/infra\/runner-fleet does not exist or names no runner, and the token the tokens file holds no longer works \(GitLab refuses it: most likely reset since without this tokens file\), but it has contacted GitLab/,
    );
  });

  it('does not reset when the journal holds the token (apply re-delivers it)', () => {
    const journal = [intent('docker-amd64', { runner_id: 11, stored: true })];
    expect(brief(planOf(declared, [orphan(11, 'docker-amd64', INTENT_AT)], { evidence: evidence(journal, { [key]: null }) }))).toEqual([
      'no-op docker-amd64#11',
    ]);
  });

  it('prefers interrupted_create when the journal says so too', () => {
    const plan = planOf(declared, [orphan(11, 'docker-amd64', INTENT_AT)], { evidence: evidence([intent('docker-amd64')], { [key]: null }) });
    expect(brief(plan)).toEqual(['token-reset(interrupted_create) docker-amd64#11']);
  });

  it('warns instead of resetting a runner that has contacted GitLab', () => {
    const contacted = liveRunner(GROUP, 11, 'docker-amd64');
    const plan = planOf(declared, [contacted], { evidence: evidence(null, { [key]: 99 }) });
    expect(brief(plan)).toEqual(['no-op docker-amd64#11']);
    expect(plan.warnings.map((w) => w.kind)).toEqual(['contacted_without_token']);
    expect(plan.warnings[0]?.message).toContain('CI/CD variable RUNNER_TOKEN_DOCKER_AMD64 of acme/infra/runner-fleet holds the token of runner 99');
    expect(plan.warnings[0]?.message).toContain('runnerform rotate');
  });
});

describe('health warnings', () => {
  const kinds = (plan: Plan) => plan.warnings.map((w) => `${w.kind} ${w.address.replace('group["acme/platform"].', '')}`);

  it('reports a runner never contacted more than an hour after its creation, not before', () => {
    const old = orphan(1, 'old', '2026-03-01T09:00:00.000Z');
    const young = orphan(2, 'young', '2026-03-01T10:00:00.000Z');
    const plan = planOf([runner('old'), runner('young')], [old, young], { now: NOW });
    expect(kinds(plan)).toEqual(['never_contacted runner["old"]']);
    expect(plan.warnings[0]?.message).toBe(
      `has never contacted GitLab since it was created at 2026-03-01T09:00:00.000Z: its token may never have reached a host (runnerform rotate 'group["acme/platform"].runner["old"]' gives it a new one)`,
    );
  });

  it('reports stale runners and tokens that expire within 7 days or have expired', () => {
    const plan = planOf(
      [runner('stale'), runner('soon'), runner('later'), runner('gone')],
      [
        liveRunner(GROUP, 1, 'stale', {}, { status: 'stale', contacted_at: '2026-01-01T00:00:00.000Z' }),
        liveRunner(GROUP, 2, 'soon', {}, { token_expires_at: '2026-03-07T00:00:00.000Z' }),
        liveRunner(GROUP, 3, 'later', {}, { token_expires_at: '2026-03-09T00:00:00.000Z' }),
        liveRunner(GROUP, 4, 'gone', {}, { token_expires_at: '2026-03-01T10:29:59.000Z' }),
      ],
      { now: NOW },
    );
    expect(kinds(plan)).toEqual(['token_expired runner["gone"]', 'token_expiring runner["soon"]', 'stale runner["stale"]']);
    expect(hasChanges(plan)).toBe(false);
  });

  it('needs a clock for time-based warnings; stale needs none', () => {
    const plan = planOf(
      [runner('old'), runner('stale')],
      [orphan(1, 'old', '2020-01-01T00:00:00.000Z'), liveRunner(GROUP, 2, 'stale', {}, { status: 'stale', token_expires_at: '2020-01-01T00:00:00.000Z' })],
    );
    expect(kinds(plan)).toEqual(['stale runner["stale"]']);
  });

  it('only for declared runners selected by --target, sorted by address then kind', () => {
    const owned = [
      orphan(1, 'b', '2026-01-01T00:00:00.000Z'),
      liveRunner(GROUP, 2, 'a', {}, { status: 'stale', token_expires_at: '2026-03-02T00:00:00.000Z' }),
      orphan(3, 'undeclared', '2026-01-01T00:00:00.000Z'),
    ];
    const all = planOf([runner('b'), runner('a')], owned, { now: NOW });
    expect(kinds(all)).toEqual(['stale runner["a"]', 'token_expiring runner["a"]', 'never_contacted runner["b"]']);
    const targeted = planOf([runner('b'), runner('a')], owned, { now: NOW, targets: ['group["acme/platform"].runner["b"]'] });
    expect(kinds(targeted)).toEqual(['never_contacted runner["b"]']);
  });

  it('does not repeat never_contacted for a runner whose token the plan resets', () => {
    const plan = planOf([runner('docker')], [orphan(11, 'docker', '2026-03-01T08:00:00.000Z')], {
      now: NOW,
      evidence: evidence([intent('docker', { intent_at: '2026-03-01T08:00:00.000Z' })]),
    });
    expect(brief(plan)).toEqual(['token-reset(interrupted_create) docker#11']);
    expect(plan.warnings).toEqual([]);
  });

  it('sorts refusals in with the other warnings, by address', () => {
    const plan = planOf(
      [runner('b'), runner('a', { attrs: { paused: true } })],
      [
        liveRunner(GROUP, 1, 'b', {}, { status: 'stale' }),
        liveRunner(GROUP, 2, 'a', {}, { permissions: { update: false, delete: false } }),
      ],
      { now: NOW },
    );
    expect(kinds(plan)).toEqual(['refused runner["a"]', 'stale runner["b"]']);
  });

  it('is deterministic: the same input gives the same plan', () => {
    const make = () =>
      planOf([runner('b'), runner('a')], [orphan(1, 'b', '2026-01-01T00:00:00.000Z'), liveRunner(GROUP, 2, 'a', {}, { status: 'stale' })], { now: NOW });
    expect(JSON.stringify(make())).toBe(JSON.stringify(make()));
  });
});

describe('a token whose destination moved (rename with {description}, changed key or owner)', () => {
  const stored = (id: number, description: string, destination: TokenDestination | null | undefined) =>
    intent(description, { runner_id: id, stored: true, delivered: true, ...(destination !== undefined ? { destination } : {}) });
  const contacted = (id: number, description: string) =>
    liveRunner(GROUP, id, description, {}, { status: 'online', contacted_at: '2026-03-01T10:20:00.000Z', created_at: INTENT_AT });

  it('moves the stored token to the new key on a rename: an update (counted, no reset), with where it was', () => {
    const plan = planOf([runner('deploy-002', { renamed_from: ['deploy-001'], token: VARIABLE })], [contacted(7, 'deploy-001')], {
      evidence: evidence([stored(7, 'deploy-001', VARIABLE)], { [variableKeyOf(VARIABLE, 'deploy-002')]: null }),
    });
    expect(brief(plan)).toEqual(['update(renamed) deploy-002#7']);
    expect(plan.changes[0]).toMatchObject({
      renamed_from: 'deploy-001',
      token: VARIABLE,
      token_move: { from: VARIABLE, from_description: 'deploy-001' },
    });
    expect(plan.summary).toMatchObject({ update: 1, token_reset: 0 });
    expect(plan.warnings).toEqual([]);
    expect(hasChanges(plan)).toBe(true);
  });

  it('moves it when the key or the owner changed, without a rename (an update with nothing for GitLab)', () => {
    const other: VariableDestination = { ...VARIABLE, owner: { type: 'group', path: 'acme/infra' } };
    const plan = planOf([runner('a', { token: other })], [contacted(7, 'a')], { evidence: evidence([stored(7, 'a', VARIABLE)]) });
    expect(brief(plan)).toEqual(['update a#7']);
    expect(plan.changes[0]).toMatchObject({ changed: [], renamed_from: null, token: other, token_move: { from: VARIABLE, from_description: 'a' } });
    expect(updateBody(plan.changes[0]!)).toEqual({});
  });

  it('moves a token the tokens file alone held, and a command whose argv uses the description', () => {
    const plan = planOf(
      [runner('a', { token: VARIABLE }), runner('c2', { renamed_from: ['c1'], token: COMMAND })],
      [contacted(7, 'a'), contacted(8, 'c1')],
      { evidence: evidence([stored(7, 'a', null), stored(8, 'c1', COMMAND)]) },
    );
    expect(plan.changes.map((c) => c.action === 'update' && c.token_move)).toEqual([
      { from: null, from_description: 'a' },
      { from: COMMAND, from_description: 'c1' },
    ]);
  });

  it('moves nothing when the destination stays (a stable key), is now only the tokens file, or was never recorded', () => {
    const STABLE: VariableDestination = { ...VARIABLE, key: 'RUNNER_TOKEN' };
    const plan = planOf(
      [runner('b', { renamed_from: ['a'], token: STABLE }), runner('d', { renamed_from: ['c'] }), runner('f', { renamed_from: ['e'], token: VARIABLE })],
      [contacted(7, 'a'), contacted(8, 'c'), contacted(9, 'e')],
      { evidence: evidence([stored(7, 'a', STABLE), stored(8, 'c', VARIABLE), stored(9, 'e', undefined)]) },
    );
    expect(brief(plan)).toEqual(['update(renamed) b#7', 'update(renamed) d#8', 'update(renamed) f#9']);
    expect(plan.changes.every((c) => c.action === 'update' && !c.token_move && c.token === null)).toBe(true);
  });

  it('without the token in a journal: a never-contacted renamed runner gets a reset with the rename', () => {
    const plan = planOf([runner('deploy-002', { renamed_from: ['deploy-001'], token: VARIABLE })], [orphan(7, 'deploy-001', INTENT_AT)], {
      evidence: evidence(null, { [variableKeyOf(VARIABLE, 'deploy-002')]: null }),
    });
    expect(brief(plan)).toEqual(['token-reset(undelivered_token) deploy-002#7']);
    expect(plan.changes[0]).toMatchObject({ renamed_from: 'deploy-001', token: VARIABLE });
    expect(updateBody(plan.changes[0]!)).toEqual({ description: 'deploy-002' });
    // A saved plan of it is not stale: GitLab still has the old description.
    expect(whyStale(plan, live(liveScope(GROUP, [orphan(7, 'deploy-001', INTENT_AT)])))).toBeNull();
  });

  it('without the token in a journal: a contacted renamed runner is renamed and warned about, naming rotate and the remedy', () => {
    const plan = planOf([runner('deploy-002', { renamed_from: ['deploy-001'], token: COMMAND })], [contacted(7, 'deploy-001')], {
      evidence: evidence(null),
    });
    expect(brief(plan)).toEqual(['update(renamed) deploy-002#7']);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]?.kind).toBe('contacted_without_token');
    expect(plan.warnings[0]?.message).toContain(
      'renamed from "deploy-001": its token went to command vault kv put secret/runners/deploy-001 token=-, and no tokens file (--tokens-out) holds it to deliver to command vault kv put secret/runners/deploy-002 token=-',
    );
    expect(plan.warnings[0]?.message).toContain(`runnerform rotate 'group["acme/platform"].runner["deploy-002"]'`);
    expect(plan.warnings[0]?.message).toContain('A destination without {description} (a stable key), or --tokens-out, lets a rename move the token itself');
  });

  it('never resets on a rename when the new variable already names the runner, or cannot be read', () => {
    const named = planOf([runner('b', { renamed_from: ['a'], token: VARIABLE })], [orphan(7, 'a', INTENT_AT)], {
      evidence: evidence(null, { [variableKeyOf(VARIABLE, 'b')]: 7 }),
    });
    const unknown = planOf([runner('b', { renamed_from: ['a'], token: VARIABLE })], [orphan(7, 'a', INTENT_AT)], { evidence: evidence(null, {}) });
    expect([...brief(named), ...brief(unknown)]).toEqual(['update(renamed) b#7', 'update(renamed) b#7']);
  });
});
