// Plans predict GitLab's refusals from each owned runner's permissions.
import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/engine.js';
import { refusalOf } from '../../src/plan/refusals.js';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';
import { GROUP, PROJECT, desired, desiredScope, live, liveRunner, liveScope, refOf, want } from './fixtures.js';

const ALL = { update: true, delete: true };

describe('refusals', () => {
  it('marks a non-administrator\'s delete of a runner enabled in 3 projects, warns and counts it', () => {
    const shared = liveRunner(PROJECT, 7, 'shared', {}, { permissions: { update: true, delete: false }, project_count: 3 });
    const own = liveRunner(PROJECT, 8, 'own', {}, { permissions: ALL, project_count: 1 });
    const plan = computePlan(desired(desiredScope(refOf(PROJECT), [want('keep', { paused: true })], true)), live(liveScope(PROJECT, [shared, own])));
    const byId = new Map(plan.changes.map((c) => [c.runner_id, c]));
    expect(byId.get(7)!.refused).toBe('only an administrator may delete a runner enabled in 3 projects');
    expect(byId.get(8)!.refused).toBeNull();
    expect(plan.summary.refused).toBe(1);
    expect(plan.summary.delete).toBe(2);
    expect(plan.warnings).toEqual([
      { address: byId.get(7)!.address, kind: 'refused', message: 'GitLab will refuse this: only an administrator may delete a runner enabled in 3 projects' },
    ]);
    const text = renderText(plan, { source: 'runners.yaml', color: false });
    expect(text).toContain('# GitLab will refuse this: only an administrator may delete a runner enabled in 3 projects');
    // The mark sits under its own change, not under the other delete.
    const block = text.slice(text.indexOf(`# ${byId.get(7)!.address} would be DELETED (refused: apply skips it)`));
    // Only the delete GitLab allows is announced as a runner that goes.
    expect(text).toContain("WARNING: 1 runner will be DELETED from GitLab.");
    expect(block.split('\n').slice(0, 4).join('\n')).toContain('GitLab will refuse this');
    expect(renderMarkdown(plan, { source: 'runners.yaml' })).toContain('# GitLab will refuse this: only an administrator');
    expect(JSON.parse(renderJson(plan)).summary.refused).toBe(1);
  });

  it('marks an update and a token reset the token may not make; no-ops, creates and permitted changes stay unmarked', () => {
    const locked = liveRunner(GROUP, 4, 'locked-down', {}, { permissions: { update: false, delete: false } });
    const free = liveRunner(GROUP, 5, 'free', {}, { permissions: ALL });
    const plan = computePlan(
      desired(desiredScope(refOf(GROUP), [want('locked-down', { paused: true }), want('free', { paused: true }), want('new')])),
      live(liveScope(GROUP, [locked, free])),
    );
    const refused = plan.changes.filter((c) => c.refused !== null);
    expect(refused.map((c) => [c.description, c.refused])).toEqual([['locked-down', 'this token may not update runner #4 (it needs the Owner role on its group)']]);
    expect(refusalOf({ ...plan.changes.find((c) => c.runner_id === 4)!, action: 'token-reset' } as never, locked)).toBe(
      'this token may not reset the token of runner #4 (it needs the Owner role on its group)',
    );
    expect(refusalOf({ ...plan.changes.find((c) => c.runner_id === 4)!, action: 'no-op' } as never, locked)).toBeNull();
    expect(refusalOf({ ...plan.changes.find((c) => c.runner_id === 4)!, action: 'delete' } as never, locked)).toBe(
      'this token may not delete runner #4 (it needs the Owner role on its group)',
    );
  });

  it('without permissions (a reader that cannot tell) nothing is marked and the plan is unchanged', () => {
    const plain = liveRunner(PROJECT, 7, 'shared', {}, { project_count: 3 });
    const plan = computePlan(desired(desiredScope(refOf(PROJECT), [], true)), live(liveScope(PROJECT, [plain])));
    expect(plan.changes[0]?.refused).toBeNull();
    expect(plan.summary.refused).toBe(0);
    expect(plan.warnings).toEqual([]);
    expect(renderText(plan, { source: 'runners.yaml', color: false })).not.toContain('refuse');
  });
});
