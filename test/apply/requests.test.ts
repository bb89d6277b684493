import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { createBody, updateBody } from '../../src/apply/requests.js';
import { GROUP, INSTANCE, PROJECT, desired, desiredScope, live, liveRunner, liveScope, refOf, want } from '../plan/fixtures.js';

function only(plan: { changes: Change[] }): Change {
  expect(plan.changes).toHaveLength(1);
  const [change] = plan.changes;
  if (!change) throw new Error('the plan has no change');
  return change;
}

describe('createBody', () => {
  it('sends runner_type, the scope id, the description and the declared attributes', () => {
    const change = only(
      computePlan(
        desired(desiredScope(refOf(GROUP), [want('g', { tag_list: ['b', 'a'], run_untagged: false, maximum_timeout: 3600, maintenance_note: 'hi' })])),
        live(liveScope(GROUP)),
      ),
    );
    expect(createBody(change)).toEqual({
      runner_type: 'group_type',
      group_id: 10,
      description: 'g',
      run_untagged: false,
      tag_list: ['a', 'b'],
      maximum_timeout: 3600,
      maintenance_note: 'hi',
    });
  });

  it('uses project_id for project runners and no id for instance runners', () => {
    const p = only(computePlan(desired(desiredScope(refOf(PROJECT), [want('p', { locked: true })])), live(liveScope(PROJECT))));
    expect(createBody(p)).toEqual({ runner_type: 'project_type', project_id: 42, description: 'p', locked: true });
    const i = only(computePlan(desired(desiredScope({ type: 'instance' }, [want('i')])), live(liveScope(INSTANCE))));
    expect(createBody(i)).toEqual({ runner_type: 'instance_type', description: 'i' });
  });

  it('never sends a null or zero maximum_timeout, nor a null note', () => {
    const change = only(
      computePlan(
        desired(desiredScope(refOf(GROUP), [want('g', { maximum_timeout: null, maintenance_note: null, paused: false })])),
        live(liveScope(GROUP)),
      ),
    );
    expect(createBody(change)).toEqual({ runner_type: 'group_type', group_id: 10, description: 'g', paused: false });
    expect(createBody({ ...change, after: { maximum_timeout: 0 }, changed: ['maximum_timeout'] } as Change)).not.toHaveProperty('maximum_timeout');
  });

  it('refuses other actions', () => {
    const change = only(computePlan(desired(desiredScope(refOf(GROUP), [want('g')])), live(liveScope(GROUP, [liveRunner(GROUP, 1, 'g')]))));
    expect(() => createBody(change)).toThrow(/needs a create change/);
  });
});

describe('updateBody', () => {
  it('sends only the changed managed attributes, the whole tag list', () => {
    const change = only(
      computePlan(
        desired(desiredScope(refOf(GROUP), [want('g', { paused: true, tag_list: ['a', 'c'], locked: false, maximum_timeout: 1200 })])),
        live(liveScope(GROUP, [liveRunner(GROUP, 5, 'g', { tag_list: ['a', 'b'], maximum_timeout: 1200, access_level: 'ref_protected' })])),
      ),
    );
    expect(updateBody(change)).toEqual({ paused: true, tag_list: ['a', 'c'] });
  });

  it('clears a note with an empty string', () => {
    const change = only(
      computePlan(
        desired(desiredScope(refOf(GROUP), [want('g', { maintenance_note: null })])),
        live(liveScope(GROUP, [liveRunner(GROUP, 5, 'g', { maintenance_note: 'old' })])),
      ),
    );
    expect(updateBody(change)).toEqual({ maintenance_note: '' });
  });

  it('refuses to send a null maximum_timeout', () => {
    const change = only(
      computePlan(
        desired(desiredScope(refOf(GROUP), [want('g', { maximum_timeout: null })])),
        live(liveScope(GROUP, [liveRunner(GROUP, 5, 'g', { maximum_timeout: 3600 })])),
      ),
    );
    expect(() => updateBody(change)).toThrow(/maximum_timeout cannot be removed/);
  });

  it('refuses other actions', () => {
    const change = only(computePlan(desired(desiredScope(refOf(GROUP), [want('g')])), live(liveScope(GROUP))));
    expect(() => updateBody(change)).toThrow(/needs an update or token-reset change/);
  });
});
