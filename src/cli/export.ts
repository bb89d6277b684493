// `runnerform export`: write the runners that GitLab scopes already own as a
// runners.yaml, so a team can adopt runnerform without re-creating anything.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildExport } from '../config/export.js';
import type { ScopeRef } from '../model.js';
import { addConnectionOptions, connect } from './connection.js';
import { UserError } from '../errors.js';
import { enablementReadOptions, readLive } from './pipeline.js';
import { withRunnerProjects } from '../gitlab/enabled-projects.js';
import { collect } from './repeatable.js';

interface ExportOptions {
  group?: string[];
  project?: string[];
  instance?: boolean;
  output?: string;
}

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .description("Write the runners that GitLab scopes own today as a runners.yaml (adopt existing runners)")
    .option('--group <path>', 'export the runners this group owns (repeatable)', collect)
    .option('--project <path>', 'export the runners this project owns (repeatable)', collect)
    .option('--instance', 'export the instance runners (needs an administrator token)')
    .option('-o, --output <file>', 'write the YAML to this file instead of stdout')
    .addHelpText('after', '\nExample:\n  runnerform export --group acme/platform --project acme/platform/api -o runners.yaml\n');
  addConnectionOptions(cmd);
  cmd.action(async (opts: ExportOptions) => {
    const refs = scopeRefs(opts);
    if (refs.length === 0) {
      throw new UserError('name at least one scope to export: --group PATH, --project PATH or --instance.');
    }
    const api = connect(opts);
    // Project runners enabled in several projects are written with also_in (gitlab/enabled-projects.ts).
    const live = await withRunnerProjects(api, await readLive(api, refs), enablementReadOptions(api));
    const result = buildExport(live);
    if (opts.output) await writeFile(opts.output, result.text);
    else process.stdout.write(result.text);
    process.stderr.write(summaryLine(result.runners, result.scopes, opts.output) + '\n');
    if (result.skipped.length > 0) {
      const n = result.skipped.length;
      const verb = n === 1 ? 'it stays' : 'they stay';
      process.stderr.write(`${plural(n, 'runner')} not exported (see the comments in the file); ${verb} unmanaged.\n`);
    }
  });
}

/** Scope refs in the order given; the same path twice is read once. */
export function scopeRefs(opts: Pick<ExportOptions, 'group' | 'project' | 'instance'>): ScopeRef[] {
  const unique = (paths: string[] = []) => {
    const clean = paths.map((p) => p.trim().replace(/^\/+|\/+$/g, ''));
    if (clean.some((p) => p === '')) throw new UserError('--group and --project need a full path, e.g. --group acme/platform.');
    // GitLab full paths are case-insensitive.
    return [...new Map(clean.map((p) => [p.toLowerCase(), p])).values()];
  };
  return [
    ...unique(opts.group).map((path): ScopeRef => ({ type: 'group', path })),
    ...unique(opts.project).map((path): ScopeRef => ({ type: 'project', path })),
    ...(opts.instance ? [{ type: 'instance' } as const] : []),
  ];
}

/** Repeatable option; no default, so the help shows none. */

export function summaryLine(runners: number, scopes: number, output: string | undefined): string {
  return `Exported ${plural(runners, 'runner')} from ${plural(scopes, 'scope')}${output ? ` to ${output}` : ''}.`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
