// What --tokens-out may name: a regular file, or a path where one can be created.
// A symlink is followed (to its final target, even a dangling one) and the tokens
// file is written there: a link into a persistent mount keeps the tokens on that
// mount. Anything else (a directory, a FIFO, a device, a socket) is refused before
// anything is read, written or sent: renaming over /dev/null would turn it into a
// tokens file, and opening a FIFO would block.
import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';

const MAX_LINKS = 40; // as Linux's own limit on symlinks in one lookup

/**
 * The path the tokens file is read from and written to: `path` itself, or the final target
 * of the symlink it names. Throws when it names something else than a regular file.
 */
export function resolveTokensPath(path: string): string {
  let p = path;
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return p; // created on the first write
      throw new Error(`cannot use --tokens-out ${path}: ${code ?? (err as Error).message}`, { cause: err });
    }
    if (stat.isSymbolicLink()) {
      p = resolve(dirname(p), fs.readlinkSync(p));
      continue;
    }
    if (stat.isFile()) return p;
    throw notAFile(path, p, stat);
  }
  throw new Error(`cannot use --tokens-out ${path}: more than ${MAX_LINKS} symbolic links`);
}

/** The error for a path that holds something other than a regular file. */
export function notAFile(given: string, real: string, stat: fs.Stats): Error {
  const via = given === real || resolve(given) === real ? '' : ` (the symbolic link's target ${real})`;
  return new Error(
    `--tokens-out ${given}${via} is ${kindOf(stat)}, not a regular file: the tokens file must be a regular file or a path where one can be created`,
  );
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}
