// examples/gitlab-ci/.gitlab-ci.yml against GitLab's own CI JSON Schema (the one its pipeline
// editor uses), from ../shared/gitlab-ci/ci.json beside this checkout when it is there.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { load } from 'js-yaml';
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
