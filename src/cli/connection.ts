// Where to reach GitLab and with which credentials: the connection flags
// shared by plan and apply, and the checks that keep the token safe.
import { accessSync, constants, readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createGitLabClient, DEFAULT_PARALLELISM, type GitLabClient } from '../gitlab/client.js';
import { UserError } from '../errors.js';
import { READ_APIS, type ReadApi } from '../gitlab/read-live.js';
import { DEFAULT_BATCH_SIZE } from '../gitlab/live-graphql.js';
import { writeLine } from './progress.js';

export interface ConnectionOptions {
  gitlabUrl?: string;
  tokenFile?: string;
  caFile?: string;
  insecureHttp?: boolean;
  parallelism?: number | string;
  debug?: boolean;
  api?: ReadApi;
  graphqlBatch?: number | string;
  /** Only present to refuse it with a helpful message. */
  token?: string;
}

export const DEFAULT_GITLAB_URL = 'https://gitlab.com';

function parseBatch(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('must be a whole number from 1 to 100.');
  return n;
}

function parseParallelism(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('must be a whole number from 1 to 64.');
  return n;
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--gitlab-url <url>', 'GitLab URL (default: $GITLAB_URL, else $CI_SERVER_URL, else https://gitlab.com)')
    .option('--token-file <file>', 'read the access token from this file (default: $GITLAB_TOKEN)')
    .option('--ca-file <file>', 'PEM file with extra CA certificates for a private GitLab')
    .option('--insecure-http', 'allow a plain http:// GitLab URL on a non-loopback host (the token travels in clear text)')
    .option('--parallelism <n>', 'GitLab requests in flight at once', parseParallelism, DEFAULT_PARALLELISM)
    .option('--debug', 'print each GitLab request (method, path, status, time) to stderr, token redacted')
    .addOption(new Option('--api <api>', 'read the runners through GitLab\'s GraphQL API (a handful of requests) or REST (several per runner)').choices([...READ_APIS]).default('graphql'))
    .option('--graphql-batch <n>', `scopes per GraphQL list field (1 to 100)`, parseBatch, DEFAULT_BATCH_SIZE)
    .addOption(new Option('--token <token>').hideHelp());
}

/** --gitlab-url, else GITLAB_URL, else CI_SERVER_URL (set inside GitLab CI), else gitlab.com. */
export function resolveGitLabUrl(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string {
  const raw = [opts.gitlabUrl, env.GITLAB_URL, env.CI_SERVER_URL].find((v) => v !== undefined && v.trim() !== '')?.trim() ?? DEFAULT_GITLAB_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`GitLab URL "${raw}" is not a valid URL; expected something like https://gitlab.example.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`GitLab URL "${raw}" must start with https:// (or http:// for a local GitLab).`);
  }
  if (url.username || url.password) throw new UserError('GitLab URL must not contain credentials; pass the token in GITLAB_TOKEN or --token-file.');
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !opts.insecureHttp) {
    throw new UserError(
      `refusing to send the token in clear text to ${url.origin}: use https://, or pass --insecure-http if you really mean it.`,
    );
  }
  // Accept a pasted API URL too: the client adds /api/v4 itself.
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  return `${url.origin}${path}`;
}

/** Where the GitLab URL came from (the flag or variable resolveGitLabUrl used), or null for the default. */
export function gitLabUrlSource(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string | null {
  const given = (v: string | undefined) => v !== undefined && v.trim() !== '';
  if (given(opts.gitlabUrl)) return '--gitlab-url';
  if (given(env.GITLAB_URL)) return 'GITLAB_URL';
  if (given(env.CI_SERVER_URL)) return 'CI_SERVER_URL';
  return null;
}

/** "GitLab: URL (from …)"; without any URL given it says gitlab.com is the default in use. */
export function connectionLine(url: string, opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string {
  const source = gitLabUrlSource(opts, env);
  return source
    ? `GitLab: ${url} (from ${source})`
    : `GitLab: ${url} (the default: no --gitlab-url, GITLAB_URL or CI_SERVER_URL was given)`;
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The token from --token-file, else GITLAB_TOKEN; never from the command line (it would show in `ps`). */
export function resolveToken(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string {
  if (opts.token !== undefined) {
    throw new UserError('runnerform does not take a token on the command line (it would show in `ps` and shell history): set GITLAB_TOKEN or use --token-file FILE.');
  }
  if (opts.tokenFile) {
    let text: string;
    try {
      text = readFileSync(opts.tokenFile, 'utf8');
    } catch (err) {
      throw new UserError(`cannot read token file ${opts.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}.`);
    }
    const token = text.trim();
    if (token === '') throw new UserError(`token file ${opts.tokenFile} is empty.`);
    if (/\s/.test(token)) throw new UserError(`token file ${opts.tokenFile} must hold only the token (found whitespace inside it).`);
    return token;
  }
  const token = env.GITLAB_TOKEN?.trim();
  if (!token) {
    throw new UserError(
      'no GitLab token: set GITLAB_TOKEN or pass --token-file FILE. The token needs the `api` scope, or `read_api` + `create_runner` + `manage_runner`.',
    );
  }
  return token;
}

/**
 * Builds the GitLab client for a command from its parsed options (any
 * commander options object; the ConnectionOptions fields are read).
 */
export function connect(
  options: object,
  env: NodeJS.ProcessEnv = process.env,
  stderr: NodeJS.WritableStream = process.stderr,
): GitLabClient {
  const opts = options as ConnectionOptions;
  const url = resolveGitLabUrl(opts, env);
  const token = resolveToken(opts, env);
  if (opts.caFile) {
    try {
      accessSync(opts.caFile, constants.R_OK);
    } catch (err) {
      throw new UserError(`cannot read CA file ${opts.caFile}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}.`);
    }
  }
  const parallelism = typeof opts.parallelism === 'string' ? parseParallelismOrThrow(opts.parallelism) : (opts.parallelism ?? DEFAULT_PARALLELISM);
  // First, so that every error after it reads as "this GitLab said …".
  writeLine(stderr, connectionLine(url, opts, env));
  const log = opts.debug ? (line: string) => writeLine(stderr, `[debug] ${line}`) : undefined;
  log?.(`API ${url}/api/v4, GraphQL ${url}/api/graphql`);
  return createGitLabClient({
    gitlabUrl: url,
    token,
    parallelism,
    caFile: opts.caFile,
    env,
    log,
    read: { api: opts.api ?? 'graphql', batchSize: typeof opts.graphqlBatch === 'string' ? parseBatch(opts.graphqlBatch) : opts.graphqlBatch },
  });
}

function parseParallelismOrThrow(value: string): number {
  try {
    return parseParallelism(value);
  } catch (err) {
    throw new UserError(`--parallelism ${(err as Error).message}`);
  }
}
