// A saved plan is applied only to the GitLab state it was made from.
import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/engine.js';
import { whyStale } from '../../src/plan/stale.js';
import { GITLAB_URL, GROUP, desired, desiredScope, live, liveRunner, liveScope, refOf, want } from './fixtures.js';

function scenario() {
  const d = desired(desiredScope(refOf(GROUP), [want('a', { paused: true }), want('new')], true));
  const l = live(liveScope(GROUP, [liveRunner(GROUP, 1, 'a'), liveRunner(GROUP, 2, 'old')]));
  return { plan: computePlan(d, l), live: l };
}

describe('whyStale', () => {
  it('accepts the state the plan was made from', () => {
    const { plan, live: l } = scenario();
    expect(plan.summary).toMatchObject({ create: 1, update: 1, delete: 1 });
    expect(whyStale(plan, l)).toBeNull();
  });

  it('refuses another GitLab', () => {
    const { plan, live: l } = scenario();
    expect(whyStale(plan, { ...l, gitlabUrl: 'https://other.example.com' })).toBe(`it was made for ${GITLAB_URL}, not https://other.example.com`);
  });

  it('refuses when the runners changed since', () => {
    const { plan } = scenario();
    const changed = live(liveScope(GROUP, [liveRunner(GROUP, 1, 'a', { paused: true }), liveRunner(GROUP, 2, 'old')]));
    expect(whyStale(plan, changed)).toBe('the runners in GitLab changed since it was made');
  });

  it('refuses a plan edited to touch a runner its scope does not own', () => {
    const { plan, live: l } = scenario();
    const edited = structuredClone(plan);
    edited.changes.find((c) => c.action === 'delete')!.runner_id = 999;
    expect(whyStale(edited, l)).toMatch(/names runner 999, which that scope does not own/);
  });
});
