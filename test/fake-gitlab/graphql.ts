// POST /api/graphql of the fake GitLab. It knows one query: the one runnerform
// sends (src/gitlab/graphql.ts RUNNER_OWNER_QUERY), recognised by its text with
// whitespace collapsed. Its variables and the caller's permissions are
// evaluated for real, with GitLab's rules:
// - the token comes from PRIVATE-TOKEN or `Authorization: Bearer`; an unknown,
//   expired or revoked token, or one without `api`/`read_api`, is answered
//   401 {"errors":[{"message":"Invalid token"}]} (GitLab drops a token whose
//   scopes do not admit GraphQL, then refuses the request because one was sent);
//   no token at all is an anonymous request, which can read no runner;
// - `runner(id:)` is null when the runner is unknown or the caller lacks read_runner;
// - `ownerProject` is the runner's first project (project runners only), null
//   when the caller may not read that project (ProjectType needs read_project);
// - query problems are answered 200 with `errors` and no `data`.
import { authenticate, canReadRunner, canSeeProject, hasScope, tokenFromHeaders } from './access.js';
import type { Reply } from './context.js';
import { parseBody } from './http-io.js';
import type { FakeState, RunnerRec, UserRec } from './state.js';

/** The only query text the fake answers (whitespace-insensitive). */
export const KNOWN_QUERY = 'query RunnerOwnerProject($id: CiRunnerID!) { runner(id: $id) { id ownerProject { id fullPath } } }';

const squash = (q: string): string => q.replace(/\s+/g, ' ').replace(/\s*([{}():,!$])\s*/g, '$1').trim();
const KNOWN = squash(KNOWN_QUERY);

const RUNNER_GID = /^gid:\/\/gitlab\/Ci::Runner\/([1-9]\d*)$/;

const errorsReply = (status: number, ...messages: string[]): Reply => ({ status, body: { errors: messages.map((message) => ({ message })) } });

/** `variables` may arrive as an object or as a JSON string (GitLab accepts both). */
function variablesOf(raw: unknown): Record<string, unknown> | null {
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw === 'string') {
    try {
      return variablesOf(JSON.parse(raw) as unknown);
    } catch {
      return null;
    }
  }
  return typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
}

function ownerProjectOf(state: FakeState, runner: RunnerRec, user: UserRec) {
  if (runner.runnerType !== 'project_type') return null;
  const owner = runner.projects[0];
  if (!owner || !canSeeProject(state, user, owner)) return null;
  return { id: `gid://gitlab/Project/${owner.id}`, fullPath: owner.pathWithNamespace };
}

export function handleGraphQL(state: FakeState, headers: Record<string, string | string[] | undefined>, rawBody: string): Reply {
  const tokenValue = tokenFromHeaders(headers);
  let user: UserRec | null = null;
  if (tokenValue !== null) {
    const authn = authenticate(state, tokenValue);
    if (!authn.ok || !hasScope(authn.token, ['api', 'read_api'])) return errorsReply(401, 'Invalid token');
    user = authn.token.user;
  }
  let body: unknown;
  try {
    body = parseBody(rawBody, typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined);
  } catch {
    return errorsReply(400, 'Invalid JSON in the request body');
  }
  const params = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const query = typeof params.query === 'string' ? params.query : '';
  if (query.trim() === '') return errorsReply(200, 'No query string was present');
  if (squash(query) !== KNOWN) {
    return errorsReply(200, 'The fake GitLab answers only runnerform\'s RunnerOwnerProject query');
  }
  const variables = variablesOf(params.variables);
  if (variables === null) return errorsReply(422, 'Unexpected end of JSON input');
  const gid = variables.id;
  const m = typeof gid === 'string' ? RUNNER_GID.exec(gid) : null;
  if (!m) return errorsReply(200, 'Variable $id of type CiRunnerID! was provided invalid value');

  const runner = state.runners.get(Number(m[1]));
  if (!runner || user === null || !canReadRunner(state, user, runner)) return { status: 200, body: { data: { runner: null } } };
  return {
    status: 200,
    body: { data: { runner: { id: `gid://gitlab/Ci::Runner/${runner.id}`, ownerProject: ownerProjectOf(state, runner, user) } } },
  };
}
