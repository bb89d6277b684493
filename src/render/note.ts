// The merge-request note that carries a plan: found again by a hidden marker,
// and cut below GitLab's note size limit without leaving a block open.

/** Hidden marker that identifies runnerform's plan note on a merge request. */
export const NOTE_MARKER = '<!-- runnerform:plan -->';

/** GitLab refuses notes over 1,000,000 characters; keep a margin for the tail. */
const NOTE_LIMIT = 1_000_000;

export function composeNote(markdown: string, opts: { limit?: number; jobUrl?: string } = {}): string {
  const limit = opts.limit ?? NOTE_LIMIT;
  const full = `${NOTE_MARKER}\n${markdown}`;
  if (full.length <= limit) return full;

  const where = opts.jobUrl ? `the [job log](${opts.jobUrl})` : 'the job log';
  const tail = `\n\n**The plan is too long for a comment and was cut here.** The full plan is in ${where}.\n`;
  // 200 characters of room to close the code fence and <details> blocks the cut leaves open.
  let body = full.slice(0, Math.max(0, limit - tail.length - 200));
  body = body.slice(0, body.lastIndexOf('\n') + 1);
  const fence = openFence(body);
  if (fence) body += `${fence}\n`;
  const open = (body.match(/<details>/g) ?? []).length - (body.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < open; i++) body += '</details>\n';
  return body + tail;
}

/** The backtick run of a code fence left open in `text` (CommonMark: closed by a run at least as long), or null. */
function openFence(text: string): string | null {
  let open: string | null = null;
  for (const line of text.split('\n')) {
    const run = /^\s{0,3}(`{3,})/.exec(line)?.[1];
    if (!run) continue;
    if (open === null) open = run;
    else if (run.length >= open.length && line.trim() === run) open = null;
  }
  return open;
}
