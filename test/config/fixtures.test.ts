// Every invalid or malformed fixture fails with exactly the problems its
// `# expect:` comments name, at the stated FILE:LINE:COL.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadDesiredState } from '../../src/config/index.js';
import { expectationsOf } from './expectations.js';

const DIRS = ['test/fixtures/config/invalid', 'test/fixtures/config/malformed'];

for (const dir of DIRS) {
  describe(dir, () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    it('has fixtures', () => expect(files.length).toBeGreaterThan(5));
    for (const name of files) {
      const file = `${dir}/${name}`;
      it(name, () => {
        const expected = expectationsOf(file);
        expect(expected.length, 'fixture has no # expect: lines').toBeGreaterThan(0);
        const { state, problems } = loadDesiredState([file]);
        expect(state).toBeNull();
        const got = problems.map(formatProblem);
        expect(got).toHaveLength(expected.length);
        expected.forEach((e, i) => {
          expect(got[i]?.startsWith(`${file}:${e.line}:${e.column}: ${e.message}`), `${got[i]}\nexpected ${e.line}:${e.column}: ${e.message}`).toBe(true);
        });
      });
    }
  });
}
