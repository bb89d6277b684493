// `runnerform tokens prune --tokens-out FILE`: the tokens file is the one place a
// token is kept outside its destination (plaintext at rest). Prune drops the
// tokens already delivered, and keeps everything recovery still needs: intents,
// tokens not yet delivered, failed deliveries (and, unless asked, tokens whose only
// destination is the file itself).
import type { Command } from 'commander';
import { TokenFile, readTokenEntries, type TokenEntry } from '../apply/journal.js';
import { UserError } from '../errors.js';

interface PruneOpts {
  tokensOut: string;
  includeFileOnly?: boolean;
}

export function registerTokens(program: Command): void {
  const tokens = program.command('tokens').description('Manage the tokens file (--tokens-out), which holds runner tokens in plaintext');
  tokens
    .command('prune')
    .description('Drop tokens already delivered to their destination from the tokens file; keep what recovery needs')
    .requiredOption('--tokens-out <file>', 'the tokens file (apply journal) to prune')
    .option('--include-file-only', 'also drop tokens whose only destination is the tokens file (copy them elsewhere first)')
    .action(async (opts: PruneOpts) => {
      let file: TokenFile;
      try {
        // Prune never creates a tokens file.
        if ((await readTokenEntries(opts.tokensOut)) === null) throw new Error(`there is no tokens file at ${opts.tokensOut}`);
        file = await TokenFile.open(opts.tokensOut);
      } catch (err) {
        throw new UserError(`${(err as Error).message}. Nothing was pruned.`);
      }
      const dropped = await file.prune({ includeFileOnly: opts.includeFileOnly === true });
      process.stdout.write(summary(opts.tokensOut, dropped, file.list(), opts.includeFileOnly === true));
    });
}

function summary(path: string, dropped: TokenEntry[], kept: readonly TokenEntry[], includeFileOnly: boolean): string {
  const lines = [`Dropped ${dropped.length} delivered token${dropped.length === 1 ? '' : 's'} from ${path}.`];
  for (const e of dropped) lines.push(`  - runner ${e.id} (${printable(e.address ?? e.description)})`);
  const tokens = kept.filter((e) => typeof e.token === 'string' && e.token !== '');
  const fileOnly = tokens.filter((e) => !e.destination && !e.delivery_error);
  const waiting = tokens.length - fileOnly.length;
  const intents = kept.length - tokens.length;
  lines.push(`Kept ${kept.length} entr${kept.length === 1 ? 'y' : 'ies'}: ${waiting} token(s) not yet delivered, ${intents} open intent(s), ${fileOnly.length} token(s) whose only destination is this file.`);
  if (fileOnly.length > 0 && !includeFileOnly) {
    lines.push('Tokens whose only destination is this file stay until you copy them elsewhere and pass --include-file-only.');
  }
  return lines.join('\n') + '\n';
}

/** Descriptions come from GitLab or the config: no control characters reach the terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
