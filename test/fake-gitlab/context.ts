// What a route handler receives and returns, and lookups shared by handlers.
import { canSeeGroup, canSeeProject } from './access.js';
import { errors, type Params } from './http-io.js';
import type { FakeState, GroupRec, ProjectRec, RunnerRec, UserRec } from './state.js';

export interface Ctx {
  state: FakeState;
  /** The authenticated user; null only on routes that do not authenticate. */
  user: UserRec | null;
  method: string;
  /** Query parameters merged with the body's (the body wins), as Grape sees them. */
  params: Params;
  query: Record<string, string>;
  /** Decoded path captures of the route pattern. */
  args: string[];
  /** The request's absolute URL, for Link headers. */
  selfUrl: URL;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function me(ctx: Ctx): UserRec {
  if (!ctx.user) throw errors.unauthorized();
  return ctx.user;
}

/** A group the caller can see, else 404 as GitLab answers for private groups. */
export function visibleGroup(ctx: Ctx, idOrPath: string): GroupRec {
  const g = ctx.state.findGroup(idOrPath);
  if (!g || !canSeeGroup(ctx.state, me(ctx), g)) throw errors.notFound('Group');
  return g;
}

export function visibleProject(ctx: Ctx, idOrPath: string): ProjectRec {
  const p = ctx.state.findProject(idOrPath);
  if (!p || !canSeeProject(ctx.state, me(ctx), p)) throw errors.notFound('Project');
  return p;
}

export function runnerById(ctx: Ctx, raw: string): RunnerRec {
  const r = ctx.state.runners.get(Number(raw));
  if (!r) throw errors.notFound('Runner');
  return r;
}

/** The route's i-th path capture; every route pattern captures its `:params`, so a miss is a routing bug. */
export function arg(ctx: Ctx, i: number): string {
  const value = ctx.args[i];
  if (value === undefined) throw new Error(`route ${ctx.method} captured no argument ${i}`);
  return value;
}
