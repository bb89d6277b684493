// A plan whose only work is a stored token to deliver: every rendering says so,
// and none says "No changes" (which --detailed-exitcode ties to exit 0).
import { describe, expect, it } from 'vitest';
import { hasChanges, type TokenDestination } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { renderJson } from '../../src/render/json.js';
import { renderGitlabReport, renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';
import { GROUP, desired, desiredScope, live, liveRunner, liveScope, refOf, want } from '../plan/fixtures.js';

const VAULT: TokenDestination = { kind: 'command', argv: ['vault', 'kv', 'put', 'secret/{description}', 'token=-'] };

function deliveryOnly() {
  return computePlan(desired(desiredScope(refOf(GROUP), [{ ...want('gpu'), token: VAULT }])), live(liveScope(GROUP, [liveRunner(GROUP, 31, 'gpu')])), {
    evidence: {
      journal: [{ scope: { ...GROUP }, description: 'gpu', intent_at: '2026-03-01T10:00:00.000Z', runner_id: 31, stored: true, delivered: false, destination: VAULT }],
      variables: {},
    },
  });
}

describe('a plan with a stored token to deliver and no other change', () => {
  it('has changes, and no rendering says "No changes"', () => {
    const plan = deliveryOnly();
    expect(hasChanges(plan)).toBe(true);
    const text = renderText(plan, { color: false, source: 'runners.yaml' });
    expect(text).not.toContain('No changes');
    // No symbol is used: no legend to explain.
    expect(text).not.toContain('Runner actions are indicated');
    expect(text).toContain('  # group["acme/platform"].runner["gpu"] will get its stored token delivered (same token, no reset)\n');
    expect(text).toContain('  # token → command vault kv put secret/gpu token=-\n');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Plan: 0 to create, 0 to update, 0 to delete, 1 stored token to deliver (1 unchanged, 0 unmanaged).');
    const md = renderMarkdown(plan, { source: 'runners.yaml' });
    expect(md).not.toContain('No changes');
    expect(md).toContain('<details><summary>Show plan (0 changes, 1 stored token delivery)</summary>');
    expect(JSON.parse(renderJson(plan))).toMatchObject({ deliveries: [{ runner_id: 31, reason: 'undelivered' }], summary: { deliver: 1 } });
    // GitLab's merge request widget knows creates, updates and deletes: a delivery shows as an update, not as nothing.
    expect(JSON.parse(renderGitlabReport(plan))).toEqual({ create: 0, update: 1, delete: 0 });
  });
});
