// Terraform spells its long options with one dash (`-auto-approve`); commander reads `-a…` as
// short options and says `unknown option`. Terraform's spellings of the options runnerform shares
// are rewritten to ours; `-o json` (meant as a format, taken as a plan file named json) is refused.
import { UserError } from '../errors.js';

/** Terraform's single-dash options that mean the same as runnerform's double-dash ones. */
const ALIASES = new Set(['auto-approve', 'detailed-exitcode', 'target', 'out']);

const FORMATS = new Set(['json', 'text', 'markdown']);

/** argv after the node and script paths, with Terraform's spellings made ours. */
export function terraformHabits(args: string[]): string[] {
  const out: string[] = [];
  for (const [i, a] of args.entries()) {
    if (a === '--') return [...out, ...args.slice(i)];
    const m = /^-([a-z][a-z-]+)(=.*)?$/.exec(a);
    const name = m?.[1];
    if (name !== undefined && ALIASES.has(name)) {
      out.push(`--${name}${m?.[2] ?? ''}`);
      continue;
    }
    const o = /^-o(?:=?(.+))?$/.exec(a);
    if (o) {
      const value = o[1] ?? args[i + 1];
      if (value !== undefined && FORMATS.has(value)) {
        throw new UserError(`-o names the file to write, not a format: did you mean --format ${value}? (to write a file named ${value}, use --out ./${value})`);
      }
    }
    out.push(a);
  }
  return out;
}
