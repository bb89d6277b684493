// Rendering of a token that moves with a rename or a changed destination (the
// journal's stored token, no reset), and of a token reset that also renames.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { DesiredRunner, Plan, TokenDestination, TokenEvidence } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { parsePlan } from '../../src/plan/planfile.js';
import { variableKeyOf, type VariableDestination } from '../../src/plan/token-dest.js';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';
import { GROUP, desired, desiredScope, live, liveRunner, liveScope, refOf, want } from '../plan/fixtures.js';

const VARIABLE: VariableDestination = {
  kind: 'gitlab_variable',
  owner: { type: 'project', path: 'acme/infra/runner-fleet' },
  key: 'RUNNER_TOKEN_{description}',
  protected: true,
  environment_scope: '*',
};
const COMMAND: TokenDestination = { kind: 'command', argv: ['vault', 'kv', 'put', 'secret/runners/{description}', 'token=-'] };
const AT = '2026-03-01T10:00:00.000Z';

const runner = (description: string, extra: Partial<DesiredRunner>): DesiredRunner => ({ ...want(description, {}), ...extra });
const stored = (id: number, description: string, destination: TokenDestination | null) => ({
  scope: { ...GROUP }, description, intent_at: AT, runner_id: id, stored: true, delivered: true, destination,
});

function movePlan(): Plan {
  const evidence: TokenEvidence = { journal: [stored(7, 'deploy-001', VARIABLE), stored(8, 'c1', COMMAND), stored(9, 'f', null)], variables: {} };
  return computePlan(
    desired(desiredScope(refOf(GROUP), [
      runner('deploy-002', { renamed_from: ['deploy-001'], token: VARIABLE }),
      runner('c2', { renamed_from: ['c1'], token: COMMAND }),
      runner('f', { token: VARIABLE }),
    ])),
    live(liveScope(GROUP, [
      liveRunner(GROUP, 7, 'deploy-001', {}, { status: 'online', contacted_at: AT }),
      liveRunner(GROUP, 8, 'c1', {}, { status: 'online', contacted_at: AT }),
      liveRunner(GROUP, 9, 'f', {}, { status: 'online', contacted_at: AT }),
    ])),
    { evidence },
  );
}

function renamedResetPlan(): Plan {
  return computePlan(
    desired(desiredScope(refOf(GROUP), [runner('deploy-002', { renamed_from: ['deploy-001'], token: VARIABLE })])),
    live(liveScope(GROUP, [liveRunner(GROUP, 7, 'deploy-001', {}, { status: 'never_contacted', contacted_at: null, created_at: AT })])),
    { evidence: { journal: null, variables: { [variableKeyOf(VARIABLE, 'deploy-002')]: null } } },
  );
}

describe('token move', () => {
  it('shows where the token moves, under the rename, and that an old variable is left in place', () => {
    const out = renderText(movePlan(), { color: false, source: 'runners.yaml' });
    expect(out).toContain(
      '  # group["acme/platform"].runner["deploy-002"] will be updated in-place\n' +
        '  # (renamed in place from "deploy-001": same id, same token)\n' +
        '  # (id 7, status online, last contact 2026-03-01T10:00:00.000Z)\n' +
        '  # token → moves to CI/CD variable RUNNER_TOKEN_DEPLOY_002 of acme/infra/runner-fleet (from CI/CD variable RUNNER_TOKEN_DEPLOY_001 of acme/infra/runner-fleet, which is left in place)\n' +
        '  ~ group["acme/platform"].runner["deploy-002"] {\n' +
        '      ~ description = "deploy-001" -> "deploy-002"\n',
    );
    expect(out).toContain('  # token → moves to command vault kv put secret/runners/c2 token=- (from command vault kv put secret/runners/c1 token=-)\n');
    expect(out).toContain('  # token → moves to CI/CD variable RUNNER_TOKEN_F of acme/infra/runner-fleet (from the --tokens-out file only)\n');
    expect(out).toContain('Plan: 0 to create, 3 to update, 0 to delete (0 unchanged, 0 unmanaged).');
    expect(renderMarkdown(movePlan(), { source: 'runners.yaml' })).toContain('# token → moves to CI/CD variable RUNNER_TOKEN_DEPLOY_002');
  });

  it('shows a token reset that also renames', () => {
    const out = renderText(renamedResetPlan(), { color: false, source: 'runners.yaml' });
    expect(out).toContain(
      '  # token → CI/CD variable RUNNER_TOKEN_DEPLOY_002 of acme/infra/runner-fleet\n' +
        '  ~ token of group["acme/platform"].runner["deploy-002"] will be reset: its token never reached its destination and is not stored, and it has never contacted GitLab\n' +
        '  # and first renamed in place from "deploy-001":\n' +
        '  ~ group["acme/platform"].runner["deploy-002"] {\n' +
        '      ~ description = "deploy-001" -> "deploy-002"\n',
    );
  });

  it('JSON carries token_move and a reset\'s renamed_from only when set; the schema accepts them; they round-trip', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    for (const plan of [movePlan(), renamedResetPlan()]) {
      const text = renderJson(plan);
      const data = JSON.parse(text);
      expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
      expect(parsePlan(text)).toEqual(JSON.parse(JSON.stringify(plan)));
    }
    const moved = JSON.parse(renderJson(movePlan())).changes.find((c: { description: string }) => c.description === 'deploy-002');
    expect(moved.token_move).toEqual({
      from: { kind: 'gitlab_variable', owner: { type: 'project', path: 'acme/infra/runner-fleet' }, key: 'RUNNER_TOKEN_{description}', protected: true, environment_scope: '*' },
      from_description: 'deploy-001',
    });
    expect(JSON.parse(renderJson(renamedResetPlan())).changes[0]).toMatchObject({ action: 'token-reset', renamed_from: 'deploy-001' });
    // A token_move on another action, or an update that changes nothing and moves nothing, is refused.
    const bad = JSON.parse(renderJson(renamedResetPlan()));
    bad.changes[0].token_move = moved.token_move;
    expect(validate(bad)).toBe(false);
    const empty = JSON.parse(renderJson(movePlan()));
    const f = empty.changes.findIndex((c: { description: string }) => c.description === 'f');
    delete empty.changes[f].token_move;
    expect(validate(empty)).toBe(false);
  });
});
