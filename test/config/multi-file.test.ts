// Several files and directories merge into one desired state; a scope may be
// declared in one place only, and problems name both places.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadDesiredState, parseDesiredState } from '../../src/config/index.js';
import { tempDir } from '../temp.js';

const group = (path: string, runner = 'r') =>
  `version: 1\ngroups:\n  - path: ${path}\n    runners:\n      - description: ${runner}\n`;

describe('merging files', () => {
  it('concatenates scopes in file order', () => {
    const { state } = parseDesiredState([
      { file: 'a.yaml', text: group('acme/a') },
      { file: 'b.yaml', text: group('acme/b') },
    ]);
    expect(state?.files).toEqual(['a.yaml', 'b.yaml']);
    expect(state?.scopes.map((s) => [s.ref.path, s.source.file])).toEqual([
      ['acme/a', 'a.yaml'],
      ['acme/b', 'b.yaml'],
    ]);
  });

  it('reports a scope declared in two files at the second, naming the first', () => {
    const { state, problems } = parseDesiredState([
      { file: 'a.yaml', text: group('acme/a') },
      { file: 'b.yaml', text: '# other team\n' + group('ACME/a') },
    ]);
    expect(state).toBeNull();
    expect(problems.map(formatProblem)).toEqual([
      'b.yaml:4:11: group `ACME/a` is declared more than once; it is already declared at a.yaml:3:11',
    ]);
  });

  it('reports the instance scope declared in two files', () => {
    const text = 'version: 1\ninstance:\n  runners: []\n';
    const { problems } = parseDesiredState([
      { file: 'a.yaml', text },
      { file: 'b.yaml', text },
    ]);
    expect(problems.map(formatProblem)).toEqual([
      'b.yaml:2:1: the instance scope is declared more than once; it is already declared at a.yaml:2:1',
    ]);
  });

  it('reports every problem of every file at once, in file order', () => {
    const { problems } = parseDesiredState([
      { file: 'b.yaml', text: 'version: 1\nbogus: 1\n' },
      { file: 'a.yaml', text: 'version: 3\n' },
    ]);
    expect(problems.map(formatProblem)).toEqual([
      'b.yaml:2:1: unknown key `bogus`; allowed at the top level: version, defaults, groups, projects, instance, health',
      'a.yaml:1:10: unsupported version 3: this runnerform reads version 1',
    ]);
  });
});

describe('reading files and directories', () => {
  const dir = tempDir('runnerform-config-');
  mkdirSync(join(dir, 'teams'));
  writeFileSync(join(dir, 'teams', 'b.yml'), group('acme/b'));
  writeFileSync(join(dir, 'teams', 'a.yaml'), group('acme/a'));
  writeFileSync(join(dir, 'teams', 'notes.txt'), 'not yaml');
  writeFileSync(join(dir, 'teams', '.hidden.yaml'), 'garbage: [');
  mkdirSync(join(dir, 'empty'));

  it('reads a directory’s *.yaml and *.yml files in name order', () => {
    const { state, problems } = loadDesiredState([join(dir, 'teams')]);
    expect(problems).toEqual([]);
    expect(state?.files).toEqual([join(dir, 'teams', 'a.yaml'), join(dir, 'teams', 'b.yml')]);
  });

  it('reads a file given twice (directly and through its directory) once', () => {
    const { state, problems } = loadDesiredState([join(dir, 'teams', 'a.yaml'), join(dir, 'teams')]);
    expect(problems).toEqual([]);
    expect(state?.scopes).toHaveLength(2);
  });

  it('reports a missing file and a directory without YAML files, without a position', () => {
    const missing = join(dir, 'nope.yaml');
    const { state, problems } = loadDesiredState([missing, join(dir, 'empty')]);
    expect(state).toBeNull();
    expect(problems.map(formatProblem)).toEqual([
      `${missing}: cannot read: no such file or directory`,
      `${join(dir, 'empty')}: directory holds no *.yaml or *.yml files`,
    ]);
  });

  it('still reports the problems of readable files next to an unreadable one', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\ngroups: {}\n');
    const { problems } = loadDesiredState([join(dir, 'bad.yaml'), join(dir, 'missing.yaml')]);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '2:9 `groups` must be a list, got a mapping',
      '0:0 cannot read: no such file or directory',
    ]);
  });
});

describe('no input at all', () => {
  it('is a problem, not an empty desired state', () => {
    const { state, problems } = loadDesiredState([]);
    expect(state).toBeNull();
    expect(problems.map(formatProblem)).toEqual(['no desired-state files given']);
  });
});
