// One apply (or rotate) at a time per tokens file. Each process keeps the journal's
// entries in memory and rewrites the whole file: two processes sharing one file
// would each drop the tokens the other stored. A lock file next to it names its
// owner; a lock whose owner is gone (SIGKILL, a crash) is taken over.
//
// The owner is a pid plus what survives pid reuse: the process start time (from
// /proc, where there is one) and a random nonce. In a container runnerform is often
// pid 1 every time, so "pid 1 is alive" says nothing: a lock naming our own pid
// with another nonce was left by an earlier process.
//
// Take-over is atomic: a lock is created whole with link(2) (never seen half
// written), and replacing a stale lock first needs a claim file named after that
// lock's content, created exclusively; only the one process that made the claim
// replaces the lock, after checking under the claim that it is still the stale one.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';

/** This process's nonce: in the lock it owns and in the names of its temporary files. */
export const PROCESS_NONCE = randomBytes(8).toString('hex');

interface Owner {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/PID/stat field 22); null where unknown. */
  start: string | null;
  nonce: string | null;
}

const held = new Set<string>();
let releaseOnExit = false;

/** Takes the lock of the tokens file at `path`; throws when another live process holds it. */
export function lockJournal(path: string): void {
  const lock = lockPath(path);
  if (held.has(lock)) return;
  const holder = acquire(lock, 0);
  if (holder !== null) {
    throw new Error(
      `another runnerform (pid ${holder.pid}) is using the tokens file ${path}: wait until it ends (if no runnerform runs, remove ${lock})`,
    );
  }
  held.add(lock);
  if (!releaseOnExit) {
    releaseOnExit = true;
    // 'exit' runs on a normal end and on process.exit (a second signal) alike.
    process.on('exit', () => {
      for (const l of held) releaseIfOurs(l);
    });
  }
}

/** Gives the lock back early (the file could not be opened). */
export function unlockJournal(path: string): void {
  const lock = lockPath(path);
  if (held.delete(lock)) releaseIfOurs(lock);
}

export function lockPath(path: string): string {
  return `${path}.lock`;
}

/** True when a process with this pid exists (ours included). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner written into a lock this process takes. */
function me(): Owner {
  return { pid: process.pid, start: startTime(process.pid), nonce: PROCESS_NONCE };
}

/**
 * Makes `file` ours: null once it is, else the live owner holding it. `depth` bounds the
 * claims of claims (a process killed while it held a claim leaves a stale claim).
 */
function acquire(file: string, depth: number): Owner | null {
  for (let attempt = 0; attempt < 8; attempt++) {
    if (createWhole(file)) return null;
    const content = readOrNull(file);
    if (content === null) continue; // released meanwhile: try again
    const owner = parseOwner(content);
    if (owner && isOwnerAlive(owner)) return owner;
    if (depth >= 4) throw new Error(`cannot take over the stale lock ${file}: remove it if no runnerform runs`);
    // Stale. Only the process holding the claim for exactly this content may replace it.
    const claim = `${file}.${createHash('sha256').update(content).digest('hex').slice(0, 16)}.claim`;
    const claimHolder = acquire(claim, depth + 1);
    if (claimHolder !== null) return claimHolder; // a live process is taking it over now
    try {
      // Checked under the claim: another process may have replaced the lock before we claimed.
      if (readOrNull(file) === content) {
        replaceWhole(file);
        return null;
      }
    } finally {
      releaseIfOurs(claim);
    }
  }
  throw new Error(`cannot take the lock ${file}: it keeps changing; is another runnerform starting?`);
}

/** Creates `file` holding our owner line, atomically (link fails if it exists); false when it exists. */
function createWhole(file: string): boolean {
  const tmp = writeOwnerTemp(file);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Replaces `file` with our owner line atomically (rename). */
function replaceWhole(file: string): void {
  const tmp = writeOwnerTemp(file);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function writeOwnerTemp(file: string): string {
  const tmp = `${file}.${process.pid}.${PROCESS_NONCE}.new`;
  fs.writeFileSync(tmp, JSON.stringify(me()) + '\n', { mode: 0o600 });
  return tmp;
}

/** Removes a lock (or claim) only when it is still ours: a taken-over lock is someone else's now. */
function releaseIfOurs(file: string): void {
  try {
    const owner = parseOwner(readOrNull(file) ?? '');
    if (owner && owner.pid === process.pid && owner.nonce === PROCESS_NONCE) fs.rmSync(file, { force: true });
  } catch {
    // Runs on exit too: a lock that cannot be read or removed is reported by the next run, not by a stack trace.
  }
}

/** A lock's owner: JSON {pid, start, nonce}, or a bare pid (locks of earlier versions). */
function parseOwner(text: string): Owner | null {
  try {
    const o = JSON.parse(text) as Partial<Owner>;
    if (typeof o === 'object' && o !== null && Number.isInteger(o.pid) && o.pid! > 0) {
      return { pid: o.pid!, start: typeof o.start === 'string' ? o.start : null, nonce: typeof o.nonce === 'string' ? o.nonce : null };
    }
  } catch {
    // not JSON: an earlier version's bare pid
  }
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? { pid, start: null, nonce: null } : null;
}

/** Alive: the pid runs and, where the lock records them, it is the same process (start time), and not us under another nonce. */
function isOwnerAlive(owner: Owner): boolean {
  if (owner.pid === process.pid) return owner.nonce === PROCESS_NONCE;
  if (!isAlive(owner.pid)) return false;
  if (owner.start === null) return true;
  const now = startTime(owner.pid);
  return now === null || now === owner.start;
}

/** The start time of a process (field 22 of /proc/PID/stat); null without /proc. */
function startTime(pid: number): string | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

function readOrNull(path: string): string | null {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
