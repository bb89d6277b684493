import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/engine.js';
import { parsePlan } from '../../src/plan/planfile.js';
import { renderJson } from '../../src/render/json.js';
import { emptyGitlabScenario, hostileScenario, noChangesScenario, richScenario, tokensScenario } from '../plan/fixtures.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

const scenarios = { rich: richScenario, 'empty-gitlab': emptyGitlabScenario, 'no-changes': noChangesScenario, hostile: hostileScenario, tokens: tokensScenario };

describe('renderJson', () => {
  for (const [name, make] of Object.entries(scenarios)) {
    it(`renders a plan the schema accepts (${name})`, () => {
      const { desired, live, ...opts } = make() as ReturnType<typeof tokensScenario>;
      const plan = computePlan(desired, live, { targets: name === 'rich' ? ['group[10]'] : [], now: opts.now, evidence: opts.evidence });
      const data = JSON.parse(renderJson(plan));
      expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
      // Everything round-trips, except a token found in GitLab data, which is masked.
      expect(data).toEqual(JSON.parse(JSON.stringify(plan).replace(/glrt-[A-Za-z0-9]{16,}/g, 'glrt-[REDACTED]')));
      expect(JSON.stringify(data)).not.toMatch(/gl(rt|pat)-[A-Za-z0-9]/);
    });
  }

  it('uses a stable key order, 2-space indent and a trailing newline', () => {
    const { desired, live } = richScenario();
    const plan = computePlan(desired, live);
    // Same plan, keys shuffled: same bytes.
    const shuffled = JSON.parse(JSON.stringify(plan), (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    );
    const out = renderJson(plan);
    expect(renderJson(shuffled)).toBe(out);
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.split('\n')[1]).toBe('  "format_version": 1,');
    expect(Object.keys(JSON.parse(out))).toEqual(['format_version', 'gitlab_url', 'scopes', 'fingerprint', 'targets', 'changes', 'deliveries', 'unmanaged', 'warnings', 'summary']);
    expect(Object.keys(JSON.parse(out).changes[0])).toEqual([
      'address', 'action', 'scope', 'description', 'runner_id', 'before', 'after', 'changed', 'status', 'contacted_at', 'reason', 'token', 'refused', 'duplicate_of',
    ]);
  });

  it('the schema rejects what is not a plan', () => {
    const { desired, live } = richScenario();
    const data = JSON.parse(renderJson(computePlan(desired, live)));
    for (const broken of [
      { ...data, format_version: 2 },
      { ...data, fingerprint: 'abc' },
      { ...data, changes: [{ ...data.changes[0], after: {} }] },
      { ...data, scopes: [{ type: 'instance', path: 'x', id: null }] },
      { ...data, summary: { ...data.summary, no_op: -1 } },
    ]) {
      expect(validate(broken)).toBe(false);
    }
  });

  it('the schema ties reasons to actions and renamed_from to renames', () => {
    const { desired, live, now, evidence } = tokensScenario();
    const data = JSON.parse(renderJson(computePlan(desired, live, { now, evidence })));
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    const index = (action: string, reason?: string) =>
      data.changes.findIndex((c: { action: string; reason: string | null }) => c.action === action && (reason === undefined || c.reason === reason));
    const withChange = (i: number, edit: Record<string, unknown>) => ({ ...data, changes: data.changes.map((c: object, j: number) => (j === i ? { ...c, ...edit } : c)) });
    const rename = index('update', 'renamed');
    const reset = index('token-reset');
    expect(rename).toBeGreaterThanOrEqual(0);
    for (const broken of [
      withChange(index('delete'), { reason: null }),
      withChange(index('delete'), { reason: 'renamed' }),
      withChange(index('create'), { reason: 'undeclared' }),
      withChange(reset, { reason: null }),
      // A token reset may carry a rename (its destination moved); a create never does.
      withChange(index('create'), { renamed_from: 'x' }),
      withChange(rename, { renamed_from: null }),
      withChange(rename, { reason: null }),
      withChange(index('no-op'), { reason: 'duplicate' }),
    ]) {
      expect(validate(broken)).toBe(false);
    }
  });

  it('round-trips a plan with token destinations, resets, a rename and warnings', () => {
    const { desired, live, now, evidence } = tokensScenario();
    const plan = computePlan(desired, live, { now, evidence });
    expect(parsePlan(renderJson(plan))).toEqual(plan);
  });

  it('round-trips through parsePlan', () => {
    const { desired, live } = emptyGitlabScenario();
    const plan = computePlan(desired, live);
    expect(renderJson(parsePlan(renderJson(plan)))).toBe(renderJson(plan));
  });
});
