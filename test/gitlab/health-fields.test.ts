// The health read asks only for the fields this GitLab has; what it lacks reads as unknown (null), never healthy.
import { describe, expect, it } from 'vitest';
import { healthFactsOfNode, healthNodeFields, schemaFieldsFrom } from '../../src/gitlab/health-fields.js';
import { printQuery } from '../../src/gitlab/graphql-query.js';

const print = (fields: ReturnType<typeof healthNodeFields>) => printQuery('Q', {}, [{ name: 'runner', children: fields }]);

describe('health fields of a runner node', () => {
  it('asks for managers (with version and jobExecutionStatus) and creationMethod on a current GitLab', () => {
    const has = schemaFieldsFrom({
      r: { fields: [{ name: 'id' }, { name: 'managers' }, { name: 'creationMethod' }] },
      m: { fields: ['systemId', 'version', 'revision', 'platformName', 'architectureName', 'status', 'contactedAt', 'jobExecutionStatus'].map((name) => ({ name })) },
    })!;
    expect(print(healthNodeFields(has))).toBe(
      'query Q { runner { creationMethod managers(first: 50) { pageInfo { hasNextPage } nodes { systemId version revision platformName architectureName status contactedAt jobExecutionStatus } } } }',
    );
  });

  it('leaves out what an older GitLab lacks (16.2: no creationMethod, no jobExecutionStatus), and reads those as unknown', () => {
    const has = schemaFieldsFrom({
      r: { fields: [{ name: 'managers' }] },
      m: { fields: ['systemId', 'version', 'revision', 'platformName', 'architectureName', 'status', 'contactedAt'].map((name) => ({ name })) },
    })!;
    const text = print(healthNodeFields(has));
    expect(text).not.toContain('creationMethod');
    expect(text).not.toContain('jobExecutionStatus');
    const facts = healthFactsOfNode({ managers: { nodes: [{ systemId: 's', version: '16.2.0', revision: null, platformName: null, architectureName: null, status: 'ONLINE', contactedAt: null }] } });
    expect(facts).toEqual({
      managers: [{ system_id: 's', version: '16.2.0', revision: null, platform: null, architecture: null, status: 'online', contacted_at: null, job_execution_status: null }],
      managers_truncated: false,
      creation_method: null,
    });
  });

  it('reads a GitLab without runner managers (before 16.0) as managers unknown', () => {
    const has = schemaFieldsFrom({ r: { fields: [{ name: 'id' }] }, m: null })!;
    expect(healthNodeFields(has)).toEqual([]);
    expect(healthFactsOfNode({})).toEqual({ managers: null, managers_truncated: false, creation_method: null });
  });
});
