// Tokens pasted into a desired-state file never come back out in problems.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseDesiredState } from '../../src/config/index.js';

const PAT = 'glpat-AbCdEf0123456789xyz';
const RUNNER = 'glrt-t1_AbCdEf0123456789';

describe('secrets in problems', () => {
  it('are redacted wherever a value or key is echoed', () => {
    const text = `version: 1
groups:
  - path: acme/platform
    runners:
      - description: ${RUNNER}
        access_level: ${PAT}
        maximum_timeout: ${PAT}
        ${RUNNER}: 1
        tag_list: ["${PAT},x"]
      - description: ${RUNNER}
`;
    const { problems } = parseDesiredState([{ file: 'r.yaml', text }]);
    expect(problems.length).toBeGreaterThanOrEqual(5);
    const everything = problems.map(formatProblem).join('\n') + inspect(problems, { depth: 5 }) + JSON.stringify(problems);
    expect(everything).not.toContain(PAT);
    expect(everything).not.toContain(RUNNER);
    expect(everything).not.toMatch(/gl(pat|rt)-[A-Za-z0-9]/);
    expect(everything).toContain('glpat-[REDACTED]');
  });

  it('are redacted in YAML errors that quote the source', () => {
    const { problems } = parseDesiredState([{ file: 'r.yaml', text: `version: 1\n${PAT}: 1\n${PAT}: 2\n` }]);
    expect(problems).toHaveLength(1);
    expect(formatProblem(problems[0])).toBe('r.yaml:3:1: YAML error: duplicated mapping key `glpat-[REDACTED]`');
  });
});
