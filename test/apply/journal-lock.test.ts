// The tokens file's lock: one owner at a time, even when several processes race to
// take over a stale lock, and an owner is a process, not just a pid (pids are reused:
// in a container runnerform is pid 1 on every run).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lockJournal, lockPath, unlockJournal } from '../../src/apply/journal-lock.js';
// tempDir: removed with everything in it after this file (test/temp.ts).
import { tempDir } from '../temp.js';

const MODULE = pathToFileURL(fileURLToPath(new URL('../../dist/src/apply/journal-lock.js', import.meta.url))).href;
const DEAD = 2 ** 22 + 4242; // above Linux's default pid_max: no such process


/**
 * A child that, for each path read on stdin, tries to take that path's lock and answers
 * "won", "held" or "error …". It keeps every lock it won until its stdin closes, so a
 * second winner of the same lock would be a second live owner.
 */
const RACER = `
  const { lockJournal } = await import(${JSON.stringify(MODULE)});
  const { createInterface } = await import('node:readline');
  for await (const path of createInterface({ input: process.stdin })) {
    let answer = 'won';
    try { lockJournal(path); } catch (err) { answer = /another runnerform/.test(err.message) ? 'held' : 'error ' + err.message; }
    process.stdout.write(path + ' ' + answer + '\\n');
  }
`;

interface Racer {
  child: ChildProcessWithoutNullStreams;
  answers: Map<string, string>;
  waiters: Map<string, () => void>;
}

function startRacer(): Racer {
  const child = spawn(process.execPath, ['--input-type=module', '-e', RACER]);
  const racer: Racer = { child, answers: new Map(), waiters: new Map() };
  let buffer = '';
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const space = line.indexOf(' ');
      const path = line.slice(0, space);
      racer.answers.set(path, line.slice(space + 1));
      racer.waiters.get(path)?.();
    }
  });
  return racer;
}

const answerOf = (r: Racer, path: string) =>
  r.answers.has(path) ? Promise.resolve(r.answers.get(path)!) : new Promise<string>((res) => r.waiters.set(path, () => res(r.answers.get(path)!)));

describe('stale lock take-over', () => {
  const racers: Racer[] = [];
  afterAll(async () => {
    await Promise.all(
      racers.map((r) => {
        r.child.stdin.end();
        return new Promise((res) => r.child.once('close', res));
      }),
    );
  });

  it('exactly one of 8 processes racing for a stale lock takes it over, in each of 40 trials', async () => {
    const dir = tempDir();
    for (let i = 0; i < 8; i++) racers.push(startRacer());
    const winners: number[] = [];
    const errors: string[] = [];
    for (let trial = 0; trial < 40; trial++) {
      const path = join(dir, `tokens-${trial}.json`);
      // Left by a process that is gone (a SIGKILL): stale. Both lock formats, in turn.
      writeFileSync(lockPath(path), trial % 2 ? `${DEAD}\n` : JSON.stringify({ pid: DEAD, start: '1', nonce: 'feedface' }) + '\n');
      for (const r of racers) r.child.stdin.write(`${path}\n`);
      const answers = await Promise.all(racers.map((r) => answerOf(r, path)));
      winners.push(answers.filter((a) => a === 'won').length);
      errors.push(...answers.filter((a) => a.startsWith('error')));
    }
    expect(errors).toEqual([]);
    expect(winners).toEqual(Array(40).fill(1));
    // No claim or temporary file of the take-over is left behind.
    expect(readdirSync(dir).filter((f) => !/^tokens-\d+\.json\.lock$/.test(f))).toEqual([]);
  }, 120_000);
});

describe('the owner is a process, not a pid', () => {
  it('a lock naming our own pid was left by an earlier process (pid 1 in a container): taken over, not "another runnerform (pid 1)"', () => {
    for (const left of [`${process.pid}\n`, JSON.stringify({ pid: process.pid, start: null, nonce: 'an-earlier-run' }) + '\n']) {
      const path = join(tempDir(), 'tokens.json');
      writeFileSync(lockPath(path), left);
      expect(() => lockJournal(path)).not.toThrow();
      expect(readFileSync(lockPath(path), 'utf8')).not.toBe(left);
      unlockJournal(path);
      expect(readdirSync(dirname(path))).toEqual([]);
    }
  });

  it('a lock naming a live pid whose process started at another time is stale (the pid was reused)', () => {
    const path = join(tempDir(), 'tokens.json');
    // The parent of this worker runs, but it is not the process that wrote this lock.
    writeFileSync(lockPath(path), JSON.stringify({ pid: process.ppid, start: '1', nonce: 'gone' }) + '\n');
    expect(() => lockJournal(path)).not.toThrow();
    unlockJournal(path);
  });

  it('a lock of a live process is respected, and names it', () => {
    const path = join(tempDir(), 'tokens.json');
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(lockPath(path), JSON.stringify({ pid: process.ppid, start, nonce: 'live' }) + '\n');
    expect(() => lockJournal(path)).toThrow(`another runnerform (pid ${process.ppid}) is using the tokens file ${path}`);
    // Not ours: giving it back must not remove it.
    unlockJournal(path);
    expect(JSON.parse(readFileSync(lockPath(path), 'utf8'))).toMatchObject({ nonce: 'live' });
  });
});
