// examples/gitlab-ci/.gitlab-ci.yml against GitLab's own CI JSON Schema (the one its pipeline
// editor uses), from ../shared/gitlab-ci/ci.json beside this checkout when it is there.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { load, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const SCHEMA = resolve(root, '../shared/gitlab-ci/ci.json');
const present = existsSync(SCHEMA);
if (!present) console.warn(`SKIPPED: GitLab's CI schema is not at ${SCHEMA}; the CI example is not checked against it.`);

describe.skipIf(!present)("examples/gitlab-ci/.gitlab-ci.yml against GitLab's CI schema", () => {
  // draft-07; strict off for GitLab's own keywords (markdownDescription…); formats are not checked.
  const validate = present ? new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(JSON.parse(readFileSync(SCHEMA, 'utf8'))) : null;
  const ci = load(readFileSync(join(root, 'examples/gitlab-ci/.gitlab-ci.yml'), 'utf8')) as Record<string, any>;

  it('has no schema errors', () => {
    validate!(ci);
    expect(validate!.errors ?? []).toEqual([]);
  });

  it('the schema check can fail: a cache key with `/` and a job with a bad stage are errors', () => {
    const slash = structuredClone(ci);
    slash.default.cache.key = 'runnerform-@acme/runnerform@0.1.0';
    expect(validate!(slash)).toBe(false);
    const badStage = structuredClone(ci);
    badStage.validate.stage = 7;
    expect(validate!(badStage)).toBe(false);
  });
});

describe.skipIf(!present)("the CI/CD component and a consumer against GitLab's CI schema", () => {
  const validate = present ? new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(JSON.parse(readFileSync(SCHEMA, 'utf8'))) : null;
  // A component is two documents: the `spec:` header, then the jobs (with $[[ inputs.x ]] in them).
  const [header, body] = loadAll(readFileSync(join(root, 'templates/runnerform.yml'), 'utf8')) as Record<string, any>[];
  if (!header || !body) throw new Error('templates/runnerform.yml must hold two documents: the spec header and the jobs');

  it('the header declares the inputs, and has no schema errors', () => {
    validate!(header);
    expect(validate!.errors ?? []).toEqual([]);
    expect(Object.keys(header.spec.inputs)).toEqual(
      expect.arrayContaining(['package', 'file', 'validate', 'merge-request-plan', 'apply', 'drift', 'health', 'read-token-variable', 'note-token-variable', 'apply-token-variable', 'validate-stage', 'plan-stage', 'apply-stage']),
    );
    expect(header.spec.inputs.health.default).toBe(false);
    expect(header.spec.inputs.package.default).toBeUndefined(); // required: no default package
  });

  it('the jobs have no schema errors', () => {
    validate!(body);
    expect(validate!.errors ?? []).toEqual([]);
  });

  it('least privilege: only the default-branch jobs use the apply token, and only they create runners', () => {
    const jobs = Object.entries(body).filter(([name]) => name.startsWith('runnerform:'));
    const applyTokenJobs = jobs.filter(([, j]) => JSON.stringify(j.variables ?? {}).includes('inputs.apply-token-variable')).map(([n]) => n);
    expect(applyTokenJobs.sort()).toEqual(['runnerform:apply', 'runnerform:plan:default-branch']);
    for (const name of applyTokenJobs) expect(JSON.stringify(body[name].rules)).toContain('$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH');
    expect(body['runnerform:plan:merge-request'].variables.GITLAB_TOKEN).toBe('$$[[ inputs.read-token-variable ]]');
    expect(body['runnerform:validate'].variables).toBeUndefined();
  });

  it('the consumer README.md shows (include: component: with inputs) has no schema errors', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const snippet = /```yaml\n(include:\n {2}- component:[\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    const consumer = { ...(load(snippet!) as object), stages: ['validate', 'plan', 'apply'] };
    validate!(consumer);
    expect(validate!.errors ?? []).toEqual([]);
  });

  it('the check can fail: an input of an unknown type and a component include with a bad key are errors', () => {
    const bad = structuredClone(header);
    bad.spec.inputs.validate.type = 'bool';
    expect(validate!(bad)).toBe(false);
    expect(validate!({ include: [{ component: 'x/y/z@1', inptus: {} }] })).toBe(false);
  });
});
