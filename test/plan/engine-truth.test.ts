// The plan carries every decision a reader needs: a reason per action (rotate and
// duplicates included), unique addresses, stored tokens to deliver as part of the
// plan, live evidence over the journal's memory, destinations known unwritable.
import { describe, expect, it } from 'vitest';
import { hasChanges, type DesiredRunner, type JournalRecord, type Plan, type TokenDestination, type TokenEvidence } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { parseTarget } from '../../src/plan/address.js';
import { parsePlan } from '../../src/plan/planfile.js';
import { rotationPlan } from '../../src/plan/rotation.js';
import { variableKeyOf, type VariableDestination } from '../../src/plan/token-dest.js';
import { renderJson } from '../../src/render/json.js';
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
const NOWHERE: VariableDestination = { ...VARIABLE, owner: { type: 'project', path: 'acme/nope' } };
const ADDRESS = (d: string) => `group["acme/platform"].runner["${d}"]`;

const runner = (description: string, extra: Partial<DesiredRunner> = {}): DesiredRunner => ({ ...want(description, extra.attrs ?? {}), ...extra });

function stored(description: string, runner_id: number, extra: Partial<JournalRecord> = {}): JournalRecord {
  return { scope: { ...GROUP }, description, intent_at: '2026-03-01T10:00:00.000Z', runner_id: runner_id, stored: true, delivered: true, ...extra };
}

function planOf(runners: DesiredRunner[], owned: ReturnType<typeof liveRunner>[], opts: { evidence?: TokenEvidence; prune?: boolean; targets?: string[] } = {}): Plan {
  return computePlan(desired(desiredScope(refOf(GROUP), runners, opts.prune ?? false)), live(liveScope(GROUP, owned)), opts);
}

describe('reasons typed per action', () => {
  it('a rotate carries reason rotate, for an online runner whose token was delivered too', () => {
    const d = desired(desiredScope(refOf(GROUP), [runner('docker', { token: VARIABLE })]));
    const l = live(liveScope(GROUP, [liveRunner(GROUP, 7, 'docker')]));
    const rotation = rotationPlan(computePlan(d, l), d, l, [ADDRESS('docker')]);
    expect(rotation.changes).toEqual([expect.objectContaining({ action: 'token-reset', reason: 'rotate', runner_id: 7, token: VARIABLE, refused: null })]);
  });

  it('a duplicate names the runner kept; the kept runner need not be in the plan (--target)', () => {
    const runners = [runner('new', { renamed_from: ['old'] })];
    const owned = [liveRunner(GROUP, 5, 'old'), liveRunner(GROUP, 9, 'old'), liveRunner(GROUP, 12, 'gone')];
    const full = planOf(runners, owned, { prune: true });
    expect(full.changes.filter((c) => c.action === 'delete')).toEqual([
      expect.objectContaining({ address: ADDRESS('gone'), reason: 'undeclared', duplicate_of: null }),
      expect.objectContaining({ address: ADDRESS('old'), reason: 'duplicate', duplicate_of: 5 }),
    ]);
    // Only the duplicate is targeted: the change still says which runner is kept.
    const targeted = planOf(runners, owned, { prune: true, targets: [ADDRESS('old')] });
    expect(targeted.changes).toEqual([expect.objectContaining({ runner_id: 9, reason: 'duplicate', duplicate_of: 5 })]);
  });
});

describe('addresses are unique within a plan', () => {
  it('marks a second runner with a declared description with its id (deleted or kept unmanaged)', () => {
    const owned = [liveRunner(GROUP, 21, 'arm'), liveRunner(GROUP, 25, 'arm'), liveRunner(GROUP, 30, 'x'), liveRunner(GROUP, 31, 'x')];
    const pruned = planOf([runner('arm')], owned, { prune: true });
    expect(pruned.changes.map((c) => c.address).sort()).toEqual([ADDRESS('arm'), `${ADDRESS('arm')}#25`, ADDRESS('x'), `${ADDRESS('x')}#31`].sort());
    const kept = planOf([runner('arm')], owned);
    expect(kept.unmanaged.map((u) => u.address)).toEqual([`${ADDRESS('arm')}#25`, ADDRESS('x'), `${ADDRESS('x')}#31`]);
    // A saved plan with such addresses reads back; one with an address twice does not.
    expect(parsePlan(renderJson(pruned))).toEqual(pruned);
    const twice = JSON.parse(renderJson(pruned)) as { changes: { address: string; runner_id: number }[] };
    const deposed = twice.changes.find((c) => c.address.endsWith('#25'))!;
    deposed.address = ADDRESS('arm');
    expect(() => parsePlan(JSON.stringify(twice))).toThrow(/names two runners of the plan/);
  });

  it('an address with its id (#25), copied from a plan, selects that runner only (--target, rotate)', () => {
    const owned = [liveRunner(GROUP, 21, 'arm'), liveRunner(GROUP, 25, 'arm')];
    expect(parseTarget(`${ADDRESS('arm')}#25`)).toEqual({ type: 'group', path: 'acme/platform', description: 'arm', runner_id: 25 });
    expect(() => parseTarget(`${ADDRESS('arm')}#x`)).toThrow(/a runner id is written #25/);
    expect(() => parseTarget(`${ADDRESS('arm')}#0`)).toThrow(/a runner id is written #25/);
    const targeted = planOf([runner('arm', { attrs: { paused: true } })], owned, { prune: true, targets: [`${ADDRESS('arm')}#25`] });
    expect(targeted.changes.map((c) => [c.action, c.runner_id])).toEqual([['delete', 25]]);
    const both = planOf([runner('arm', { attrs: { paused: true } })], owned, { prune: true, targets: [ADDRESS('arm')] });
    expect(both.changes.map((c) => [c.action, c.runner_id])).toEqual([['delete', 25], ['update', 21]]);
    expect(() => planOf([runner('arm')], owned, { prune: true, targets: [`${ADDRESS('arm')}#99`] })).toThrow(/matches no runner/);
  });
});

describe('stored tokens to deliver are part of the plan', () => {
  it('an undelivered stored token is a delivery to the destination declared now, never a move, and a change of the plan', () => {
    const journal = [stored('docker', 7, { delivered: false, destination: { ...COMMAND, argv: ['old-vault', 'token=-'] } })];
    const plan = planOf([runner('docker', { token: COMMAND })], [liveRunner(GROUP, 7, 'docker')], { evidence: { journal, variables: {} } });
    expect(plan.changes).toEqual([expect.objectContaining({ action: 'no-op', runner_id: 7 })]);
    expect(plan.deliveries).toEqual([
      { address: ADDRESS('docker'), scope: GROUP, description: 'docker', runner_id: 7, reason: 'undelivered', token: COMMAND, refused: null },
    ]);
    expect(plan.summary.deliver).toBe(1);
    expect(hasChanges(plan)).toBe(true);
    expect(parsePlan(renderJson(plan))).toEqual(plan);
  });

  it('declared without a destination now, the tokens file is its home: nothing to deliver', () => {
    const journal = [stored('docker', 7, { delivered: false, destination: COMMAND })];
    const plan = planOf([runner('docker')], [liveRunner(GROUP, 7, 'docker')], { evidence: { journal, variables: {} } });
    expect(plan.deliveries).toEqual([]);
    expect(hasChanges(plan)).toBe(false);
  });

  it('a stored token of a scope the plan does not read goes where the journal recorded it; --target selects deliveries like changes', () => {
    const other = { type: 'project' as const, id: 77, path: 'acme/elsewhere' };
    const journal = [{ ...stored('far', 70, { delivered: false, destination: COMMAND }), scope: other }];
    const plan = planOf([runner('docker')], [liveRunner(GROUP, 7, 'docker')], { evidence: { journal, variables: {} } });
    expect(plan.deliveries).toEqual([expect.objectContaining({ address: 'project["acme/elsewhere"].runner["far"]', runner_id: 70, token: COMMAND })]);
    const targeted = planOf([runner('docker')], [liveRunner(GROUP, 7, 'docker')], { evidence: { journal, variables: {} }, targets: [ADDRESS('docker')] });
    expect(targeted.deliveries).toEqual([]);
  });
});

describe('live evidence wins over the journal (issue 13 item 12)', () => {
  const key = variableKeyOf(VARIABLE, 'docker');
  const journal = [stored('docker', 7, { destination: VARIABLE })];

  it('a journal saying delivered while the variable is missing or names another runner: the stored token is delivered again', () => {
    for (const names of [null, 99]) {
      const plan = planOf([runner('docker', { token: VARIABLE })], [liveRunner(GROUP, 7, 'docker')], { evidence: { journal, variables: { [key]: names } } });
      expect(plan.deliveries).toEqual([expect.objectContaining({ runner_id: 7, reason: 'destination_lost', token: VARIABLE })]);
      expect(hasChanges(plan)).toBe(true);
    }
  });

  it('a variable naming the runner, or unknown, leaves the delivered token alone', () => {
    for (const variables of [{ [key]: 7 }, {}]) {
      const plan = planOf([runner('docker', { token: VARIABLE })], [liveRunner(GROUP, 7, 'docker')], { evidence: { journal, variables } });
      expect(plan.deliveries).toEqual([]);
      expect(hasChanges(plan)).toBe(false);
    }
  });
});

describe('a token destination known unwritable is refused at plan time (issue 13 item 5)', () => {
  const why = 'Project acme/nope not found or not visible to this token (GET /projects/acme%2Fnope/variables/RUNNER_TOKEN_NEW → 404 Project Not Found).';
  const unwritable = { [variableKeyOf(NOWHERE, 'new')]: why };

  it('refuses the create itself (runnerform, not GitLab, says no), warns, counts it; other runners are planned as usual', () => {
    const plan = planOf([runner('new', { token: NOWHERE }), runner('fine', { token: VARIABLE })], [], { evidence: { journal: null, variables: {}, unwritable } });
    const [fine, refused] = plan.changes;
    expect(fine).toMatchObject({ action: 'create', description: 'fine', refused: null });
    expect(fine).not.toHaveProperty('refused_by');
    expect(refused).toMatchObject({
      action: 'create',
      description: 'new',
      refused:
        'runnerform will not create a runner whose token it cannot deliver (GitLab would create it): ' +
        'its token cannot be written to CI/CD variable RUNNER_TOKEN_NEW of acme/nope: ' +
        why.replace(/\.$/, ''),
      refused_by: 'runnerform',
    });
    expect(plan.summary).toMatchObject({ create: 2, refused: 1 });
    expect(plan.warnings).toEqual([{ address: ADDRESS('new'), kind: 'refused', message: refused?.refused }]);
    expect(parsePlan(renderJson(plan))).toEqual(plan);
    expect(() => parsePlan(renderJson({ ...plan, changes: [fine!, { ...refused!, refused_by: undefined }].map((c, i) => (i === 0 ? { ...c, refused_by: 'runnerform' as const } : c)) }))).toThrow(
      /\/changes\/0\/refused: must be string/,
    );
    expect(renderText(plan, { color: false, source: 'runners.yaml' })).toContain('Plan: 2 to create, 0 to update, 0 to delete (0 unchanged, 0 unmanaged). 1 refused by runnerform (apply skips it).');
  });

  it('refuses a token reset, a rotate and a delivery to such a destination too', () => {
    const evidence: TokenEvidence = {
      journal: [stored('new', 8, { delivered: false, destination: NOWHERE })],
      variables: { [variableKeyOf(NOWHERE, 'new')]: null },
      unwritable,
    };
    const d = desired(desiredScope(refOf(GROUP), [runner('new', { token: NOWHERE })]));
    const l = live(liveScope(GROUP, [liveRunner(GROUP, 8, 'new', {}, { status: 'never_contacted', contacted_at: null })]));
    const plan = computePlan(d, l, { evidence });
    expect(plan.deliveries).toEqual([expect.objectContaining({ runner_id: 8, refused: expect.stringContaining('RUNNER_TOKEN_NEW of acme/nope') })]);
    expect(plan.summary.refused).toBe(1);
    const rotation = rotationPlan(plan, d, l, [ADDRESS('new')], unwritable);
    expect(rotation.changes[0]?.refused).toMatch(
      /^runnerform will not reset a token it cannot deliver \(GitLab would reset it; the current token keeps working\): its token cannot be written to CI\/CD variable RUNNER_TOKEN_NEW of acme\/nope/,
    );
    expect(rotation.changes[0]?.refused_by).toBe('runnerform');
    // A delivery of the stored token is a write GitLab itself will refuse.
    expect(plan.deliveries[0]).not.toHaveProperty('refused_by');
    expect(plan.warnings.map((w) => w.message)).toContain(`GitLab will refuse this delivery of its stored token: ${plan.deliveries[0]?.refused}`);
    expect(rotation.summary.refused).toBe(1);
    const reset = computePlan(d, l, { evidence: { ...evidence, journal: null } });
    expect(reset.changes).toEqual([
      expect.objectContaining({ action: 'token-reset', reason: 'undelivered_token', refused: expect.stringMatching(/^runnerform will not reset .*acme\/nope/), refused_by: 'runnerform' }),
    ]);
  });

  it('a project scope is planned the same way (the key is the destination, not the scope)', () => {
    const plan = computePlan(desired(desiredScope(refOf(PROJECT), [runner('new', { token: NOWHERE })])), live(liveScope(PROJECT)), {
      evidence: { journal: null, variables: {}, unwritable },
    });
    expect(plan.changes[0]?.refused).toContain('acme/nope');
  });
});
