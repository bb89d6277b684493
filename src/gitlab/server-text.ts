// Text a server wrote (error messages, a redirect's Location) reaches a terminal
// only through here: secrets masked, control characters shown as escapes (an
// `\e[2J` or an OSC title must not drive the terminal), and cut to a sane length.
import { escapeInvisible } from '../plan/address.js';
import { redact } from '../secrets.js';

/** Most bytes of one server-provided string that are printed (GitLab's own messages are far shorter). */
export const MAX_SERVER_TEXT_BYTES = 2_000;

/** `text` cut to `maxBytes` UTF-8 bytes, saying how many bytes were cut. */
export function truncateBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  // Decoding a cut multi-byte character yields U+FFFD: drop it.
  const kept = bytes.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
  return `${kept}… [${bytes.length - Buffer.byteLength(kept, 'utf8')} more bytes cut]`;
}

/**
 * A server-provided string made safe to print. Redacted before it is cut, so a
 * token cut in half is still masked; escaped after, so the cut cannot split an escape.
 */
export function serverText(text: string, redactor: (t: string) => string = redact, maxBytes = MAX_SERVER_TEXT_BYTES): string {
  return escapeInvisible(truncateBytes(redactor(text), maxBytes));
}
