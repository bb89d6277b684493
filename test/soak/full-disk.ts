// A full disk under the tokens file, for one apply: as root, the apply runs in a private
// mount namespace (`unshare -m`) where the journal's directory is a tmpfs only a little
// larger than what it holds (short writes, then ENOSPC). The directory's files are copied
// in before and out after, so the next commands see what the apply left. Elsewhere (not
// root, no unshare) the soak says so once and skips this fault.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = [
  'set -e',
  'J=$1; S=$2; SIZE=$3; shift 3',
  'mkdir -p "$S"',
  'cp -a "$J/." "$S/"',
  'mount -t tmpfs -o size=$SIZE,mode=0700 tmpfs "$J"',
  'cp -a "$S/." "$J/"',
  'find "$S" -mindepth 1 -delete',
  'set +e',
  '"$@"',
  'rc=$?',
  'set -e',
  'cp -a "$J/." "$S/"',
  'umount "$J"',
  // What the apply left replaces what was there before it.
  'find "$J" -mindepth 1 -delete',
  'cp -a "$S/." "$J/"',
  'find "$S" -mindepth 1 -delete',
  'exit $rc',
].join('\n');

/** Null when this machine can make a private tmpfs; otherwise why not. */
export function fullDiskUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  const probe = spawnSync('unshare', ['-m', 'true']);
  return probe.status === 0 ? null : 'unshare -m failed';
}

/** Bytes the files of `dir` take now. */
function used(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/**
 * The command prefix that runs a CLI with `journalDir` on a tmpfs of the files' size
 * twice over (old and new file side by side during a rewrite) plus `spareBytes`.
 */
export function fullDiskPrefix(journalDir: string, stageDir: string, spareBytes: number): { prefix: string[]; sizeBytes: number } {
  const page = 4096;
  const sizeBytes = Math.max(2 * page, Math.ceil((2 * used(journalDir) + spareBytes) / page) * page);
  return { prefix: ['unshare', '-m', 'sh', '-c', SCRIPT, 'sh', journalDir, stageDir, String(sizeBytes)], sizeBytes };
}
