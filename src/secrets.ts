// Keeps GitLab secrets out of anything a human or a log file could see.
// GitLab's tokens carry known prefixes (glpat- personal, glrt- runner, …);
// masking every such word catches tokens we never saw, and the explicitly
// known secrets are masked too in case they use no prefix.

const PREFIXES = ['glpat', 'glrt', 'glrtr', 'gloas', 'gldt', 'glptt', 'glft', 'glimt', 'glagent', 'glsoat', 'glcbt', 'glffct', 'gltst', 'glwt'];
// No word boundary before the prefix: `TOKEN_glrt-…` or `t%3Dglpat-…` must be caught too.
const PREFIXED_TOKEN = new RegExp(`(?:${PREFIXES.join('|')})-[A-Za-z0-9_.\\-]{4,}`, 'g');
/** Legacy runner registration tokens. */
const REGISTRATION_TOKEN = /\bGR1348941[A-Za-z0-9_-]{8,}/g;

export const REDACTED = '[REDACTED]';

/** Very short "secrets" would mask ordinary words; real tokens are long. */
const MIN_SECRET_LENGTH = 8;

/**
 * The secret values of this run: the PAT the client was given and every runner
 * token GitLab issued. A token without a known prefix (an OAuth token, a custom
 * prefix) is only recognisable by its value, so every redaction masks these.
 */
const known = new Set<string>();

/** Makes every later redaction in this process mask `value` (ignored when too short to be a token). */
export function rememberSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) known.add(value);
}

/** True when `text` holds one of the secrets of this run or of `extra`. */
export function holdsSecret(text: string, extra: readonly string[] = []): boolean {
  return [...extra, ...known].some((s) => s.length >= MIN_SECRET_LENGTH && text.includes(s));
}

/** Returns `text` with every GitLab-style token, every secret of this run and every given secret masked. */
export function redact(text: string, secrets: readonly string[] = []): string {
  // Longest first: a secret that contains another is masked whole.
  const values = [...new Set([...secrets, ...known])].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  let out = text
    .replace(PREFIXED_TOKEN, (m) => `${m.slice(0, m.indexOf('-') + 1)}${REDACTED}`)
    .replace(REGISTRATION_TOKEN, `GR1348941${REDACTED}`);
  for (const s of values) out = out.split(s).join(REDACTED);
  return out;
}

/** A redactor bound to the secrets of one client. */
export type Redactor = (text: string) => string;

export function makeRedactor(secrets: readonly string[]): Redactor {
  const list = secrets.filter((s) => s.length > 0);
  return (text) => redact(text, list);
}

/** A whole GitLab token (prefix and at least 16 characters), not a word like `glrt-sync`. */
const WHOLE_TOKEN = new RegExp(`(?:${PREFIXES.join('|')})-[A-Za-z0-9_.\\-]{16,}`);

/** True when `text` holds something shaped like a real GitLab token. */
export function looksLikeToken(text: string): boolean {
  return WHOLE_TOKEN.test(text);
}

/**
 * Masks whole tokens only, leaving words like `glrt-sync` alone: for output that
 * shows GitLab data (plans, exports), where a token someone pasted into a note
 * must not travel on.
 */
export function redactTokens(text: string): string {
  return text.replace(new RegExp(WHOLE_TOKEN.source, 'g'), (m) => `${m.slice(0, m.indexOf('-') + 1)}${REDACTED}`);
}
