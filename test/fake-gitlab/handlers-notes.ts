// Merge-request notes: list, create, read, update (what `plan --comment` uses).
import { atLeast, projectRole } from './access.js';
import { me, visibleProject, type Ctx, type Reply } from './context.js';
import { noteEntity } from './entities.js';
import { ApiError, errors, present } from './http-io.js';
import { paginate } from './pagination.js';
import type { MergeRequestRec, NoteRec } from './state.js';

export const NOTE_MAX_LENGTH = 1_000_000;

function mergeRequestOf(ctx: Ctx): MergeRequestRec {
  const project = visibleProject(ctx, ctx.args[0]);
  const mr = /^\d+$/.test(ctx.args[1]) ? ctx.state.mergeRequest(project, Number(ctx.args[1])) : undefined;
  if (!mr) throw errors.notFound('Merge Request');
  return mr;
}

function noteBody(ctx: Ctx): string {
  if (!present(ctx.params, 'body')) throw errors.param('body is missing');
  const body = ctx.params.body;
  if (typeof body !== 'string') throw errors.param('body is invalid');
  if (body.trim() === '') throw errors.validation({ note: ["can't be blank"] });
  if (body.length > NOTE_MAX_LENGTH) {
    throw errors.validation({ note: [`is too long (maximum is ${NOTE_MAX_LENGTH} characters)`] });
  }
  return body;
}

/** Any project member may comment; guests included, as on GitLab. */
function requireMember(ctx: Ctx, mr: MergeRequestRec): void {
  const user = me(ctx);
  if (!user.admin && !atLeast(projectRole(ctx.state, user, mr.project), 'guest')) throw errors.forbidden();
}

/** Sorted like GitLab's notes API: order_by created_at|updated_at, sort desc (default) or asc. */
function sortNotes(ctx: Ctx, notes: NoteRec[]): NoteRec[] {
  const orderBy = ctx.query.order_by ?? 'created_at';
  const sort = ctx.query.sort ?? 'desc';
  if (!['created_at', 'updated_at'].includes(orderBy)) throw errors.param('order_by does not have a valid value');
  if (!['asc', 'desc'].includes(sort)) throw errors.param('sort does not have a valid value');
  const key = (n: NoteRec) => (orderBy === 'created_at' ? n.createdAt : n.updatedAt);
  const sorted = [...notes].sort((a, b) => (key(a) === key(b) ? a.id - b.id : key(a) < key(b) ? -1 : 1));
  return sort === 'desc' ? sorted.reverse() : sorted;
}

export function listNotes(ctx: Ctx): Reply {
  const mr = mergeRequestOf(ctx);
  const page = paginate(sortNotes(ctx, mr.notes), ctx.query, ctx.selfUrl);
  return { status: 200, body: page.items.map((n) => noteEntity(ctx.state, mr, n)), headers: page.headers };
}

export function getNote(ctx: Ctx): Reply {
  const mr = mergeRequestOf(ctx);
  const note = mr.notes.find((n) => String(n.id) === ctx.args[2]);
  if (!note) throw errors.notFound('Note');
  return { status: 200, body: noteEntity(ctx.state, mr, note) };
}

export function createNote(ctx: Ctx): Reply {
  const body = noteBody(ctx);
  const mr = mergeRequestOf(ctx);
  requireMember(ctx, mr);
  const note = ctx.state.addNote(mr, me(ctx), body);
  return { status: 201, body: noteEntity(ctx.state, mr, note) };
}

/** Only the author (or an admin) may edit a note. */
export function updateNote(ctx: Ctx): Reply {
  const body = noteBody(ctx);
  const mr = mergeRequestOf(ctx);
  const note = mr.notes.find((n) => String(n.id) === ctx.args[2]);
  if (!note) throw errors.notFound('Note');
  const user = me(ctx);
  if (!user.admin && note.author !== user) throw new ApiError(403, { message: '403 Forbidden' });
  note.body = body;
  note.updatedAt = new Date().toISOString();
  return { status: 200, body: noteEntity(ctx.state, mr, note) };
}
