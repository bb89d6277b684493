// How the CLI decides colour, names the GitLab it talks to, and keeps
// --debug lines off the progress line.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../src/cli/color.js';
import { connect, connectionLine } from '../../src/cli/connection.js';
import { createProgress, writeLine } from '../../src/cli/progress.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colour', () => {
  it('auto: on a terminal only', () => {
    expect(colorEnabled('auto', tty, {})).toBe(true);
    expect(colorEnabled('auto', pipe, {})).toBe(false);
  });
  it('auto: NO_COLOR (non-empty) and TERM=dumb turn it off', () => {
    expect(colorEnabled('auto', tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled('auto', tty, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled('auto', tty, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled('auto', tty, { TERM: 'xterm-256color' })).toBe(true);
  });
  it('auto: FORCE_COLOR forces it (even piped, even with NO_COLOR), FORCE_COLOR=0 forbids it', () => {
    for (const v of ['', '1', '2', '3', 'true']) expect(colorEnabled('auto', pipe, { FORCE_COLOR: v, NO_COLOR: '1', TERM: 'dumb' })).toBe(true);
    for (const v of ['0', 'false']) expect(colorEnabled('auto', tty, { FORCE_COLOR: v })).toBe(false);
  });
  it('always and never win over everything', () => {
    expect(colorEnabled('always', pipe, { NO_COLOR: '1', FORCE_COLOR: '0', TERM: 'dumb' })).toBe(true);
    expect(colorEnabled('never', tty, { FORCE_COLOR: '1' })).toBe(false);
  });
});

describe('the GitLab a command talks to', () => {
  it('names the URL and where it came from', () => {
    expect(connectionLine('https://flag.example', { gitlabUrl: 'https://flag.example' }, { GITLAB_URL: 'https://env.example' })).toBe(
      'GitLab: https://flag.example (from --gitlab-url)',
    );
    expect(connectionLine('https://env.example', {}, { GITLAB_URL: 'https://env.example', CI_SERVER_URL: 'https://ci.example' })).toBe(
      'GitLab: https://env.example (from GITLAB_URL)',
    );
    expect(connectionLine('https://ci.example', {}, { GITLAB_URL: ' ', CI_SERVER_URL: 'https://ci.example' })).toBe('GitLab: https://ci.example (from CI_SERVER_URL)');
  });
  it('says gitlab.com is a default when no URL was given, before any request', () => {
    const stderr = new PassThrough();
    let out = '';
    stderr.on('data', (c: Buffer) => (out += c.toString()));
    connect({ debug: true }, { GITLAB_TOKEN: 'glpat-0123456789abcdefghij' }, stderr);
    expect(out.split('\n')).toEqual([
      'GitLab: https://gitlab.com (the default: no --gitlab-url, GITLAB_URL or CI_SERVER_URL was given)',
      '[debug] API https://gitlab.com/api/v4, GraphQL https://gitlab.com/api/graphql',
      '',
    ]);
  });
});

describe('--debug and the progress line', () => {
  it('clears the progress line before a debug line and draws it again below', () => {
    const s = new PassThrough() as PassThrough & { isTTY?: boolean };
    s.isTTY = true;
    let out = '';
    s.on('data', (c: Buffer) => (out += c.toString()));
    const p = createProgress(s, { now: () => 0 });
    writeLine(s, '[debug] before');
    p.update({ scopesDone: 1, scopesTotal: 2, runnersDone: 3, runnersTotal: 9 });
    writeLine(s, '[debug] GET /groups/11/runners 200 5ms');
    p.done();
    writeLine(s, '[debug] after');
    // What a terminal shows: every \r\x1b[2K wipes the line being written.
    const screen = out.split('\n').map((line) => line.split('\r\x1b[2K').at(-1));
    expect(screen).toEqual(['[debug] before', '[debug] GET /groups/11/runners 200 5ms', '[debug] after', '']);
    expect(out).toBe(
      '[debug] before\n' +
        '\r\x1b[2KReading GitLab: 1/2 scopes, 3/9 runners' +
        '\r\x1b[2K[debug] GET /groups/11/runners 200 5ms\nReading GitLab: 1/2 scopes, 3/9 runners' +
        '\r\x1b[2K[debug] after\n',
    );
  });
});
