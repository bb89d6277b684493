// Hostile input fails cleanly with a positioned problem instead of hanging or
// crashing; legitimate anchors and aliases keep working. (The vitest timeout is
// the only clock here: no performance assertions.)
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_EXPANDED_NODES, MAX_FILE_BYTES, formatProblem, loadDesiredState, parseDesiredState } from '../../src/config/index.js';
import { tempDir } from '../temp.js';

const dir = tempDir('runnerform-hostile-');
const parse = (text: string) => parseDesiredState([{ file: 'h.yaml', text }]);

/** Billion laughs: 9 levels of 9 aliases each, 9^9 nodes once expanded. */
function aliasBomb(): string {
  let text = 'version: 1\nlol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i <= 9; i++) {
    text += `lol${i}: &lol${i} [${Array(9).fill(`*lol${i - 1}`).join(', ')}]\n`;
  }
  return text;
}

describe('hostile input', () => {
  it('an alias bomb is refused at the alias that crosses the bound', () => {
    const { state, problems } = parse(aliasBomb());
    expect(state).toBeNull();
    expect(problems).toHaveLength(1);
    expect(formatProblem(problems[0]!)).toMatch(new RegExp(`^h\\.yaml:8:\\d+: document too large: more than ${MAX_EXPANDED_NODES} nodes once aliases are expanded`));
  });

  it('an alias bomb inside a runner field is refused too', () => {
    const levels = [`&l0 [${Array(9).fill('lol').join(', ')}]`];
    for (let i = 1; i <= 9; i++) levels.push(`&l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
    const text = `version: 1\ngroups:\n  - path: a\n    runners:\n      - description: x\n        tag_list: [${levels.join(', ')}]\n`;
    const { problems } = parse(text);
    expect(problems).toHaveLength(1);
    expect(formatProblem(problems[0]!)).toMatch(/^h\.yaml:6:\d+: document too large/);
  });

  it('nested merge keys without any alias are bounded the same way, at a position', () => {
    // Each level merges the next, inline: the copies are counted again at every level.
    const levels = 28;
    const ints = `[${Array.from({ length: 5000 }, (_, i) => i).join(',')}]`;
    let text = 'version: 1\ndefaults:\n';
    for (let l = 0; l < levels; l++) text += `${'  '.repeat(l + 1)}<<:\n${'  '.repeat(l + 2)}v${l}: ${ints}\n`;
    const { state, problems } = parse(text);
    expect(state).toBeNull();
    expect(problems).toHaveLength(1);
    expect(formatProblem(problems[0]!)).toMatch(/^h\.yaml:\d+:\d+: document too large: more than \d+ nodes once aliases are expanded/);
  });

  it('a 50 MB file is refused before it is read', () => {
    const file = join(dir, 'huge.yaml');
    const fd = openSync(file, 'w');
    const chunk = Buffer.from('# padding padding padding padding padding padding padding padding\n'.repeat(16 * 1024));
    for (let written = 0; written < 50 * 1024 * 1024; written += chunk.length) writeSync(fd, chunk);
    closeSync(fd);
    const { state, problems } = loadDesiredState([file]);
    expect(state).toBeNull();
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(new RegExp(`^${file}: file is too large \\(\\d+ bytes\\); desired-state files are limited to ${MAX_FILE_BYTES} bytes$`)),
    ]);
  });

  it('a 50 MB text handed to the pure parser is refused as well', () => {
    const { problems } = parse('x'.repeat(50 * 1024 * 1024));
    expect(problems[0]?.message).toMatch(/^file is too large/);
  });

  it('deeply nested flow collections stop at the depth bound', () => {
    const { problems } = parse('version: 1\ngroups: ' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n');
    expect(problems.map(formatProblem)).toEqual(['h.yaml:2:40: YAML syntax error: nesting exceeded maxDepth (32)']);
  });

  it('deeply nested block mappings stop at the depth bound', () => {
    const text = 'version: 1\n' + Array.from({ length: 200 }, (_, i) => `${'  '.repeat(i)}k${i}:\n`).join('');
    const { problems } = parse(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toBe('YAML syntax error: nesting exceeded maxDepth (32)');
    expect(problems[0]?.line).toBeGreaterThan(30);
  });

  it('binary garbage with NUL bytes is refused as not text', () => {
    const file = join(dir, 'garbage.yaml');
    writeFileSync(file, Buffer.concat([randomBytes(4096), Buffer.from([0])]));
    expect(loadDesiredState([file]).problems.map(formatProblem)).toEqual([`${file}: not a text file (it contains NUL bytes)`]);
  });

  it('bytes that are not UTF-8 are refused as not text', () => {
    const file = join(dir, 'latin1.yaml');
    writeFileSync(file, Buffer.from('version: 1\ngroups:\n  - path: caf\xe9\n', 'latin1'));
    expect(loadDesiredState([file]).problems.map(formatProblem)).toEqual([`${file}: not a text file (it is not valid UTF-8)`]);
  });

  it('random text is always a clean problem, never an exception', () => {
    for (let i = 0; i < 100; i++) {
      const { state, problems } = parse(randomBytes(3000).toString('latin1'));
      expect(state).toBeNull();
      expect(problems.length).toBeGreaterThan(0);
      for (const p of problems) expect(p.line).toBeGreaterThan(0);
    }
  });

  it('a device or other non-regular file is not read', () => {
    expect(loadDesiredState(['/dev/zero']).problems.map(formatProblem)).toEqual(['/dev/zero: not a regular file']);
  });
});

describe('legitimate anchors and aliases', () => {
  it('share tag lists and runner attributes (merge keys included)', () => {
    const text = `version: 1
groups:
  - path: acme/platform
    runners:
      - &base
        description: docker-1
        tag_list: &tags [docker, linux]
        run_untagged: false
      - <<: *base
        description: docker-2
      - description: docker-3
        tag_list: *tags
        access_level: ref_protectd
`;
    const { problems } = parse(text);
    // The aliased runner is checked too, and reported where its own value is.
    expect(problems.map(formatProblem)).toEqual([
      'h.yaml:13:23: `access_level` must be one of `not_protected`, `ref_protected`, got "ref_protectd" (did you mean `ref_protected`?)',
    ]);
    const fixed = parse(text.replace('ref_protectd', 'ref_protected'));
    expect(fixed.state?.scopes[0]?.runners.map((r) => [r.description, r.attrs.tag_list, r.attrs.run_untagged])).toEqual([
      ['docker-1', ['docker', 'linux'], false],
      ['docker-2', ['docker', 'linux'], false],
      ['docker-3', ['docker', 'linux'], undefined],
    ]);
  });

  it('report a problem inside an anchored value where the anchor is defined', () => {
    const text = 'version: 1\ngroups:\n  - path: a\n    runners:\n      - description: x\n        tag_list: &t [ok, "a,b"]\n      - description: y\n        tag_list: *t\n';
    expect(parse(text).problems.map(formatProblem)).toEqual([
      'h.yaml:6:27: tag "a,b" contains a comma; GitLab splits tags on commas, so list each tag separately',
    ]);
  });

  it('a wide but legitimate file of a thousand runners loads', () => {
    const runners = Array.from({ length: 1000 }, (_, i) => `      - description: r${i}\n        tag_list: *t\n`).join('');
    const text = `version: 1\ngroups:\n  - path: a\n    runners:\n      - description: first\n        tag_list: &t [docker, linux, amd64]\n${runners}`;
    const { state, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(state?.scopes[0]?.runners).toHaveLength(1001);
  });
});
