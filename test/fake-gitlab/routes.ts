// The route table: method, path pattern (on the raw, still-encoded path below
// /api/v4) and handler. `:id` segments accept a number or a URL-encoded path.
import type { Ctx, Reply } from './context.js';
import * as mergeRequests from './handlers-merge-requests.js';
import * as managers from './managers.js';
import * as notes from './handlers-notes.js';
import * as projectRunners from './handlers-project-runners.js';
import * as runners from './handlers-runners.js';
import * as runnerVerify from './handlers-runner-verify.js';
import * as scopes from './handlers-scopes.js';
import * as variables from './handlers-variables.js';

export interface Route {
  method: string;
  pattern: RegExp;
  handler: (ctx: Ctx) => Reply;
  /** false only for the legacy registration endpoint, which takes a registration token in the body. */
  authenticated: boolean;
}

const SEG = '([^/]+)';
const NUM = '(\\d+)';

function route(method: string, path: string, handler: (ctx: Ctx) => Reply, authenticated = true): Route {
  const source = path.replace(/:num/g, NUM).replace(/:seg/g, SEG);
  return { method, pattern: new RegExp(`^${source}$`), handler, authenticated };
}

export const ROUTES: Route[] = [
  route('GET', '/user', scopes.getUser),
  route('POST', '/user/runners', runners.createRunner),
  route('GET', '/groups/:seg', scopes.getGroup),
  route('GET', '/groups/:seg/runners', runners.listGroupRunners),
  route('GET', '/groups/:seg/members/all/:num', scopes.getGroupMemberAll),
  route('GET', '/projects/:seg', scopes.getProject),
  route('GET', '/projects/:seg/runners', runners.listProjectRunners),
  route('POST', '/projects/:seg/runners', projectRunners.enableProjectRunner),
  route('DELETE', '/projects/:seg/runners/:num', projectRunners.disableProjectRunner),
  route('GET', '/projects/:seg/merge_requests/:seg/notes', notes.listNotes),
  route('POST', '/projects/:seg/merge_requests/:seg/notes', notes.createNote),
  route('GET', '/projects/:seg/merge_requests/:seg/notes/:seg', notes.getNote),
  route('PUT', '/projects/:seg/merge_requests/:seg/notes/:seg', notes.updateNote),
  route('DELETE', '/projects/:seg/merge_requests/:seg/notes/:seg', notes.deleteNote),
  route('GET', '/projects/:seg/merge_requests/:seg', mergeRequests.getMergeRequest),
  // CI/CD variables (handlers-variables.ts)
  route('GET', '/projects/:seg/variables', variables.listProjectVariables),
  route('POST', '/projects/:seg/variables', variables.createProjectVariable),
  route('GET', '/projects/:seg/variables/:seg', variables.getProjectVariable),
  route('PUT', '/projects/:seg/variables/:seg', variables.updateProjectVariable),
  route('DELETE', '/projects/:seg/variables/:seg', variables.deleteProjectVariable),
  route('GET', '/groups/:seg/variables', variables.listGroupVariables),
  route('POST', '/groups/:seg/variables', variables.createGroupVariable),
  route('GET', '/groups/:seg/variables/:seg', variables.getGroupVariable),
  route('PUT', '/groups/:seg/variables/:seg', variables.updateGroupVariable),
  route('DELETE', '/groups/:seg/variables/:seg', variables.deleteGroupVariable),
  route('GET', '/runners', runners.listOwnedRunners),
  route('POST', '/runners', runners.legacyRegister, false),
  route('GET', '/runners/all', runners.listAllRunners),
  route('GET', '/runners/:num', runners.getRunner),
  route('PUT', '/runners/:num', runners.updateRunner),
  route('DELETE', '/runners/:num', runners.deleteRunner),
  route('POST', '/runners/:num/reset_authentication_token', runners.resetRunnerToken),
  route('GET', '/runners/:num/managers', managers.listRunnerManagers),
  // Authenticated by the runner's own token in the body, like POST /runners.
  route('POST', '/runners/reset_authentication_token', managers.resetTokenWithCurrent, false),
  route('POST', '/runners/verify', runnerVerify.verifyRunnerToken, false),
];

export type Match = { route: Route; args: string[] } | { methodNotAllowed: true } | null;

export function matchRoute(method: string, rawPath: string): Match {
  let pathKnown = false;
  for (const r of ROUTES) {
    const m = r.pattern.exec(rawPath);
    if (!m) continue;
    pathKnown = true;
    if (r.method !== method) continue;
    try {
      return { route: r, args: m.slice(1).map((s) => decodeURIComponent(s)) };
    } catch {
      return null; // malformed percent-encoding
    }
  }
  return pathKnown ? { methodNotAllowed: true } : null;
}
