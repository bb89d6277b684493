// The engine's enable/disable sub-changes (plan/project-enablement.ts): pure, from fixtures.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { DesiredRunner, EnablementFacts, LiveState } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { renderGitlabReport } from '../../src/render/markdown.js';
import { desired, desiredScope, live, liveRunner, liveScope, PROJECT, refOf, visible, want } from './fixtures.js';

const WEB = { id: 50, path: 'acme/web' };
const WORKER = { id: 51, path: 'acme/worker' };
const OWNER = { id: PROJECT.id!, path: PROJECT.path! };

const facts = (over: Partial<EnablementFacts> = {}): EnablementFacts => ({
  admin: false,
  projects: { 'acme/web': WEB, 'acme/worker': WORKER, '50': WEB },
  maintains: [OWNER.id, WEB.id, WORKER.id],
  owners: {},
  ...over,
});
const alsoIn = (runner: DesiredRunner, ...refs: (string | number)[]): DesiredRunner => ({
  ...runner,
  also_in: refs.map((ref, i) => ({ ref, source: { file: 'runners.yaml', line: 90, column: 10 + i } })),
});
const withFacts = (state: LiveState, f: EnablementFacts = facts()): LiveState => ({ ...state, enablement: f });
const shared = (id: number, description: string, projects: { id: number; path: string }[], extra: object = {}) =>
  liveRunner(PROJECT, id, description, {}, { permissions: { update: true, delete: projects.length === 1 }, project_count: projects.length, projects, ...extra });

describe('also_in', () => {
  it('creates a runner, then enables it in the declared projects; a locked one is refused for a non-administrator', () => {
    const plan = computePlan(
      desired(desiredScope(refOf(PROJECT), [alsoIn(want('pool'), 'acme/web'), alsoIn(want('locked', { locked: true }), 'acme/web')])),
      withFacts(live(liveScope(PROJECT))),
    );
    const [locked, pool] = plan.changes;
    expect(pool).toMatchObject({ action: 'create', enablements: [{ action: 'enable', project: WEB, refused: null }] });
    expect(locked?.enablements?.[0]?.refused).toMatch(/^the runner is locked: only an administrator may enable/);
    expect(plan.summary).toMatchObject({ create: 2, enable: 2, disable: 0, refused: 1 });
  });

  it('lets an administrator enable a locked runner, and a change that unlocks it first', () => {
    const state = live(liveScope(PROJECT, [shared(7, 'locked', [OWNER], {}), shared(8, 'unlock', [OWNER])]));
    const scope = state.scopes[0]!;
    scope.owned = scope.owned.map((r) => ({ ...r, attrs: { ...r.attrs, locked: true } }));
    const want2 = desired(desiredScope(refOf(PROJECT), [alsoIn(want('locked'), 'acme/web'), alsoIn(want('unlock', { locked: false }), 'acme/web')]));
    const asMaintainer = computePlan(want2, withFacts(state));
    expect(asMaintainer.changes.map((c) => [c.description, c.action, c.enablements?.[0]?.refused === null])).toEqual([
      ['locked', 'update', false],
      ['unlock', 'update', true],
    ]);
    // Everything refused: the change itself is refused, so apply sends nothing for it.
    expect(asMaintainer.changes[0]?.refused).toMatch(/^enable in acme\/web: the runner is locked/);
    const asAdmin = computePlan(want2, withFacts(state, facts({ admin: true })));
    expect(asAdmin.changes.every((c) => c.refused === null && c.enablements?.[0]?.refused === null)).toBe(true);
  });

  it('counts a change that only enables or disables in enable/disable, not as an update; the GitLab report counts each', () => {
    const state = live(liveScope(PROJECT, [shared(7, 'only', [OWNER]), shared(8, 'both', [OWNER, WEB])]));
    const plan = computePlan(desired(desiredScope(refOf(PROJECT), [alsoIn(want('only'), 'acme/web'), alsoIn(want('both', { maximum_timeout: 600 }))])), withFacts(state));
    expect(plan.changes.map((c) => [c.description, c.action, c.enablements?.map((e) => e.action)])).toEqual([
      ['both', 'update', ['disable']],
      ['only', 'update', ['enable']],
    ]);
    expect(plan.summary).toMatchObject({ update: 1, no_op: 0, enable: 1, disable: 1 });
    expect(JSON.parse(renderGitlabReport(plan))).toEqual({ create: 0, update: 3, delete: 0 });
  });

  it('needs the Maintainer role on the target project', () => {
    const plan = computePlan(
      desired(desiredScope(refOf(PROJECT), [alsoIn(want('pool'), 'acme/worker')])),
      withFacts(live(liveScope(PROJECT, [shared(7, 'pool', [OWNER])])), facts({ maintains: [OWNER.id] })),
    );
    expect(plan.changes[0]?.enablements).toEqual([
      { action: 'enable', project: WORKER, refused: 'this token needs the Maintainer role on project acme/worker to enable runners there' },
    ]);
  });

  it('disables projects not listed, never the owner; [] disables every other project; a match is a no-op', () => {
    const runner = shared(7, 'pool', [OWNER, WEB, WORKER]);
    const none = computePlan(desired(desiredScope(refOf(PROJECT), [alsoIn(want('pool'))])), withFacts(live(liveScope(PROJECT, [runner]))));
    expect(none.changes[0]?.enablements!.map((e) => [e.action, e.project.path])).toEqual([
      ['disable', 'acme/web'],
      ['disable', 'acme/worker'],
    ]);
    // Named by id (50) or by path in another case: the same project.
    const same = computePlan(desired(desiredScope(refOf(PROJECT), [alsoIn(want('pool'), 50, 'ACME/WORKER'.toLowerCase())])), withFacts(live(liveScope(PROJECT, [runner]))));
    expect(same.changes[0]).toMatchObject({ action: 'no-op' });
    expect(same.changes[0]!.enablements).toBeUndefined();
    expect(same.summary).not.toHaveProperty('enable');
  });

  it('says when GitLab counts projects the token cannot see, and leaves them alone', () => {
    const runner = shared(7, 'pool', [OWNER, WEB], { project_count: 3 });
    const plan = computePlan(desired(desiredScope(refOf(PROJECT), [alsoIn(want('pool'), 'acme/web')])), withFacts(live(liveScope(PROJECT, [runner]))));
    expect(plan.changes[0]?.action).toBe('no-op');
    expect(plan.warnings).toEqual([
      expect.objectContaining({ kind: 'hidden_projects', message: expect.stringMatching(/^GitLab says runner #7 is enabled in 1 more project this token cannot see/) }),
    ]);
  });

  it('refuses also_in on a runner the scope only borrows, naming its owner project', () => {
    const borrowed = visible(liveRunner(PROJECT, 9, 'pool', {}, {}), 'borrowed');
    const run = () =>
      computePlan(desired(desiredScope(refOf(PROJECT), [alsoIn(want('pool'), 'acme/web')])), withFacts(live(liveScope(PROJECT, [], [borrowed])), facts({ owners: { '9': 'acme/tools' } })));
    expect(run).toThrow(UserError);
    expect(run).toThrow(/runner "pool" \(#9\) is enabled in project acme\/platform\/api but owned by project acme\/tools: declare it under its owner project/);
  });
});

describe('a prune of a runner enabled in several projects', () => {
  const prune = desired(desiredScope(refOf(PROJECT), [], true));

  it('disables it in the other projects first, then deletes it, when the token may', () => {
    const plan = computePlan(prune, withFacts(live(liveScope(PROJECT, [shared(7, 'multi', [OWNER, WEB])]))));
    expect(plan.changes[0]).toMatchObject({ action: 'delete', refused: null, enablements: [{ action: 'disable', project: WEB, refused: null }] });
    expect(plan.warnings).toEqual([]);
    expect(plan.summary).toMatchObject({ delete: 1, disable: 1, refused: 0 });
  });

  it('reports the refusal when it cannot disable it everywhere (locked, or a project it cannot see)', () => {
    const locked = shared(7, 'multi', [OWNER, WEB]);
    locked.attrs = { ...locked.attrs, locked: true };
    const a = computePlan(prune, withFacts(live(liveScope(PROJECT, [locked]))));
    expect(a.changes[0]?.refused).toMatch(/cannot first disable it in acme\/web \(the runner is locked/);
    expect(a.changes[0]?.enablements).toEqual([]);
    expect(a.warnings.map((w) => w.kind)).toEqual(['refused']);
    const hidden = computePlan(prune, withFacts(live(liveScope(PROJECT, [shared(7, 'multi', [OWNER, WEB], { project_count: 3 })]))));
    expect(hidden.changes[0]?.refused).toMatch(/^it is enabled in 3 projects, 1 of them hidden from this token/);
  });

  it('without enablement facts (nothing read), keeps the plain refusal', () => {
    const plan = computePlan(prune, live(liveScope(PROJECT, [shared(7, 'multi', [OWNER, WEB])])));
    expect(plan.changes[0]?.refused).toBe('only an administrator may delete a runner enabled in 2 projects');
  });
});
