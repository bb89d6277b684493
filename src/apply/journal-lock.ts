// One apply (or rotate) at a time per tokens file. Each process keeps the journal's
// entries in memory and rewrites the whole file: two processes sharing one file
// would each drop the tokens the other stored. A lock file next to it holds the
// owner's pid; a lock whose process is gone (SIGKILL, a crash) is taken over.
import * as fs from 'node:fs';

const held = new Set<string>();
let releaseOnExit = false;

/** Takes the lock of the tokens file at `path`; throws when another live process holds it. */
export function lockJournal(path: string): void {
  const lock = lockPath(path);
  if (held.has(lock)) return;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(lock, 'wx', 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const owner = Number.parseInt(readOrEmpty(lock), 10);
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new Error(
          `another runnerform (pid ${owner}) is using the tokens file ${path}: wait until it ends (if no runnerform runs, remove ${lock})`,
        );
      }
      // Its process is gone: the lock is stale.
      fs.rmSync(lock, { force: true });
    }
  }
  held.add(lock);
  if (!releaseOnExit) {
    releaseOnExit = true;
    // 'exit' runs on a normal end and on process.exit (a second signal) alike.
    process.on('exit', () => {
      for (const l of held) fs.rmSync(l, { force: true });
    });
  }
}

/** Gives the lock back early (the file could not be opened). */
export function unlockJournal(path: string): void {
  const lock = lockPath(path);
  if (held.delete(lock)) fs.rmSync(lock, { force: true });
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

function readOrEmpty(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
